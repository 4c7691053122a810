package dev.signalbox.networks;

import java.time.Instant;

/** How a delete, hide, restore or revoke ended. */
public sealed interface ActionOutcome {

    /** Done, or already so (deleting a deleted post, revoking a revoked token). */
    record Done() implements ActionOutcome {}

    /** Rate-limited or unavailable: try again, not before {@code notBefore} (may be null). */
    record RetryLater(Instant notBefore, String reason, boolean rateLimited) implements ActionOutcome {}

    /** The credentials were refused: the profile must be reconnected first. */
    record NeedsReconnect(String reason) implements ActionOutcome {}

    /** The network cannot do this at all (e.g. hide on X). */
    record Unsupported(String reason) implements ActionOutcome {}

    /** The network refused for another reason, in its own words. */
    record Failed(String reason) implements ActionOutcome {}
}
