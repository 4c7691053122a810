package dev.signalbox.web;

import java.util.List;

/** One workspace: its profiles and the form to connect a sandbox profile. */
public record WorkspacePage(PageHeader header, String id, String name, String role, List<Item> profiles,
        String connectUrl, String handle, FieldErrors errors) {

    /** {@code status} is connected, needs_reconnect or paused; {@code reason} says why it needs reconnecting. */
    public record Item(String network, String handle, String displayName, String status, String reason, String url) {}
}
