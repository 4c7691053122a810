package dev.signalbox.networks.facebook;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The credential Signalbox keeps for a Facebook Page profile, sealed in the vault as
 * {@code {"page_token","user_id","user_token"}}: the Page token posts, the user token revokes.
 * {@link #toString()} never shows a token.
 */
record PageSecret(String pageToken, String userId, String userToken) {

    /** Reads a sealed document; empty when it is not one of ours (then the profile must reconnect). */
    static Optional<PageSecret> parse(String secret) {
        if (secret == null || secret.isBlank()) return Optional.empty();
        try {
            JsonNode node = GraphApi.JSON.readTree(secret);
            String page = text(node, "page_token");
            return page == null ? Optional.empty() : Optional.of(new PageSecret(page, text(node, "user_id"), text(node, "user_token")));
        } catch (RuntimeException e) { // a broken document is answered by "reconnect", never by its contents
            return Optional.empty();
        }
    }

    String toJson() {
        Map<String, String> doc = new LinkedHashMap<>();
        doc.put("page_token", pageToken);
        doc.put("user_id", userId);
        doc.put("user_token", userToken);
        return GraphApi.JSON.writeValueAsString(doc);
    }

    @Override
    public String toString() {
        return "PageSecret[userId=" + userId + ", pageToken=<sealed>, userToken=<sealed>]";
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asString().isEmpty() ? null : v.asString();
    }
}
