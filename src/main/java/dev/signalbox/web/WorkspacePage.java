package dev.signalbox.web;

import java.util.List;

/**
 * One workspace: its profiles, a notice for those that need reconnecting, and the ways to connect
 * each network (a form for credential networks, a button to the browser flow for X and Facebook).
 */
public record WorkspacePage(PageHeader header, String id, String name, String role, List<Item> profiles,
        String connectUrl, String connectXUrl, String connectFacebookUrl, Form form, FieldErrors errors, String message) {

    /** {@code status} is connected, needs_reconnect or paused; {@code reason} says why it needs reconnecting. */
    public record Item(String network, String handle, String displayName, String status, String reason, String url) {
        public boolean needsReconnect() {
            return "needs_reconnect".equals(status);
        }
    }

    /** What the customer typed, shown again next to any error; secrets are never echoed back. */
    public record Form(String network, String handle, String instance, String pds) {
        public static final Form EMPTY = new Form("sandbox", "", "", "");
    }

    public List<Item> needingReconnect() {
        return profiles.stream().filter(Item::needsReconnect).toList();
    }
}
