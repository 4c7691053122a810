package dev.signalbox.networks.x;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The credential Signalbox keeps for an X profile, sealed in the vault as
 * {@code {"access_token","refresh_token","expires_at"}} ({@code expires_at} an ISO-8601 instant;
 * {@code refresh_token} may be null when X granted none). {@link #toString()} never shows a token.
 */
record XTokens(String accessToken, String refreshToken, Instant expiresAt) {

    /** Reads a sealed document; empty when it is not one of ours (then the profile must reconnect). */
    static Optional<XTokens> parse(String secret) {
        if (secret == null || secret.isBlank()) return Optional.empty();
        try {
            JsonNode node = XApi.JSON.readTree(secret);
            String access = text(node, "access_token");
            if (access == null) return Optional.empty();
            String expires = text(node, "expires_at");
            return Optional.of(new XTokens(access, text(node, "refresh_token"), expires == null ? null : Instant.parse(expires)));
        } catch (RuntimeException e) { // a broken document is answered by "reconnect", never by its contents
            return Optional.empty();
        }
    }

    /**
     * The tokens after a token-endpoint answer: its access token and lifetime, and its refresh token
     * when it carries one — otherwise the one we had, so a refresh token is never dropped.
     */
    static Optional<XTokens> from(JsonNode answer, String previousRefreshToken, Instant now) {
        String access = answer == null ? null : text(answer, "access_token");
        if (access == null) return Optional.empty();
        String refresh = text(answer, "refresh_token");
        long lifetime = answer.path("expires_in").asLong(7200);
        return Optional.of(new XTokens(access, refresh != null ? refresh : previousRefreshToken, now.plusSeconds(lifetime)));
    }

    String toJson() {
        Map<String, String> doc = new LinkedHashMap<>();
        doc.put("access_token", accessToken);
        doc.put("refresh_token", refreshToken);
        doc.put("expires_at", expiresAt == null ? null : expiresAt.toString());
        return XApi.JSON.writeValueAsString(doc);
    }

    /** True when the access token is gone or will be within {@code margin} seconds of {@code now}. */
    boolean expiresWithin(Instant now, long marginSeconds) {
        return expiresAt != null && !expiresAt.isAfter(now.plusSeconds(marginSeconds));
    }

    @Override
    public String toString() {
        return "XTokens[expiresAt=" + expiresAt + ", refreshToken=" + (refreshToken == null ? "none" : "<sealed>") + "]";
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asString().isEmpty() ? null : v.asString();
    }
}
