package dev.signalbox.sandbox;

/** The model of {@code sandbox/status.jte}: one status on its own page. */
public record StatusPage(String username, String displayName, TimelinePage.StatusView status, String profileLink) {}
