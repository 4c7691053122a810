package dev.signalbox.networks;

import java.time.Instant;

/** Every way a publish call can end, as the dispatcher needs to know it. */
public sealed interface PublishOutcome {

    /** The network has the post. */
    record Published(String networkPostId, String url) implements PublishOutcome {}

    /** An earlier attempt already published it (the network told us so). */
    record AlreadyDone(String networkPostId, String url) implements PublishOutcome {}

    /** Rate-limited, overloaded or unreachable: try again, not before {@code notBefore} (may be null). */
    record RetryLater(Instant notBefore, String reason, boolean rateLimited) implements PublishOutcome {}

    /** The network refused our credentials: the profile must be reconnected. */
    record NeedsReconnect(String reason) implements PublishOutcome {}

    /** The network refused the content itself; {@code reason} is its own words, shown to the customer. */
    record Rejected(String reason) implements PublishOutcome {}

    /** Something we could not classify; retried with back-off, then failed visibly. */
    record Unknown(String reason) implements PublishOutcome {}
}
