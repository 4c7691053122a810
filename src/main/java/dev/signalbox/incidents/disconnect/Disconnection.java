package dev.signalbox.incidents.disconnect;

import java.time.Instant;
import java.util.List;

/**
 * A disconnection and its reconnect campaign as operators see it. {@code revokeFailures} counts
 * profiles whose token the provider has not (yet) confirmed revoked; each is in {@code revokeFailureDetails}
 * with why and whether Signalbox still retries. The local copy of every token is erased either way.
 */
public record Disconnection(String id, String network, String reason, Instant createdAt, String createdBy,
        List<String> reconnectClients, boolean restrictionActive, int profiles, int revoked, int revokeFailures,
        int revokeRetrying, int reconnected, int stillDisconnected, double percentReconnected, long heldPosts,
        List<HourlyReconnections> reconnectionsPerHour, List<RevokeFailure> revokeFailureDetails) {

    /** Reconnections in the hour starting at {@code hour} (UTC). */
    public record HourlyReconnections(Instant hour, int reconnected) {}

    /** {@code state} is {@code retrying} (Signalbox tries again at {@code nextAttemptAt}) or {@code failed} (given up). */
    public record RevokeFailure(String profileId, String state, int attempts, String reason, Instant nextAttemptAt) {}

    /** What {@code POST /api/v1/disconnections} answers, once the first revoke of every token was tried. */
    public record Started(String id, String network, int profiles, int revoked, int revokeFailures, int revokeRetrying) {}
}
