package dev.signalbox.sandbox;

import java.util.List;

/** The model of {@code sandbox/timeline.jte}: an account's visible statuses, newest first. */
public record TimelinePage(String username, String displayName, List<StatusView> statuses) {

    /** One status as the public pages show it; {@code postedAt} is ISO-8601, {@code postedAtText} for reading. */
    public record StatusView(String text, String postedAt, String postedAtText, String applicationName, String link) {}
}
