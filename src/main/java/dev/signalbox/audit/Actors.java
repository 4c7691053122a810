package dev.signalbox.audit;

import dev.signalbox.accounts.CurrentUser;
import jakarta.servlet.http.HttpServletRequest;

/** The {@link AuditLog.Actor} of a request: the signed-in user and the client address it came from. */
public final class Actors {

    private Actors() {}

    /**
     * The caller of {@code request} as the audit log records them. The address is the one the
     * servlet container reports: behind a reverse proxy, set SERVER_FORWARD_HEADERS_STRATEGY so it
     * is the client's, not the proxy's.
     */
    public static AuditLog.Actor from(CurrentUser user, HttpServletRequest request) {
        if (user == null) throw new IllegalArgumentException("An audited action needs a signed-in user");
        return new AuditLog.Actor(user.id(), user.email(), request.getRemoteAddr());
    }

    static AuditLog.Actor of(CurrentUser user, String source) {
        return user == null ? AuditLog.Actor.system("accounts") : new AuditLog.Actor(user.id(), user.email(), source);
    }
}
