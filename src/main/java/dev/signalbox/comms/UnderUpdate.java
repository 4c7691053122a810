package dev.signalbox.comms;

import dev.signalbox.accounts.CurrentUser;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Something the public status page shows under each update to a signed-in reader only (the
 * support inbox's comment form). The page itself stays one cached snapshot: for a signed-in reader
 * the snapshot's placeholder under each update is replaced by {@link #html}, per request, without
 * a database query; anonymous readers get the snapshot's bytes untouched.
 */
public interface UnderUpdate {

    /**
     * The HTML to show under update {@code updateId} for {@code reader}, or an empty string for
     * nothing. It is inserted as is: escape everything you embed. Must not query the database.
     */
    String html(String updateId, CurrentUser reader, HttpServletRequest request);
}
