package dev.signalbox.sandbox;

/** What a live access token stands for: an account acting through an app. */
record Grant(long accountId, String username, String displayName, long appId, String appName, String appWebsite, String scopes) {}
