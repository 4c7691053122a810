package dev.signalbox.publishing;

import dev.signalbox.networks.PublishOutcome;
import dev.signalbox.profiles.Profiles;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records how an attempt ended, in the ledger and on the post, in one transaction. The post is
 * changed only while the claim is still this node's and this attempt's (a fence): a node that
 * lost its claim to another writes its ledger line and nothing else.
 */
@Component
class Settlement {

    static final Duration BACKOFF_BASE = Duration.ofSeconds(2);
    static final Duration BACKOFF_CAP = Duration.ofMinutes(15);

    private final JdbcClient db;
    private final Ledger ledger;
    private final Profiles profiles;
    private final Clock clock;
    private final int maxAttempts;
    private final TransactionTemplate tx;
    private final PublishedSettlements published;
    private final SettledPosts settled;

    Settlement(JdbcClient db, Ledger ledger, Profiles profiles, Clock clock, TransactionTemplate tx, PublishedSettlements published,
            SettledPosts settled, @Value("${signalbox.dispatch.max-attempts:8}") int maxAttempts) {
        this.db = db;
        this.settled = settled;
        this.published = published;
        this.ledger = ledger;
        this.profiles = profiles;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.tx = tx;
    }

    /**
     * Records the outcome; returns once it is committed. {@code call}: when the network call left
     * this node and when it was answered (null when none was made), kept in the ledger. The common case — published — is written
     * together with the other published outcomes of the moment, in one statement and one commit
     * (see {@link PublishedSettlements}); every other outcome runs in a transaction of its own.
     */
    public void settle(String node, Claims.Claimed claimed, PublishOutcome outcome, CallTimes call) {
        if (outcome instanceof PublishOutcome.Published p) {
            published.settle(node, claimed, p, call);
            return;
        }
        tx.executeWithoutResult(status -> settleInTransaction(node, claimed, outcome, call));
        settled.announce(List.of(claimed)); // after the commit, see SettledPosts
    }

    private void settleInTransaction(String node, Claims.Claimed claimed, PublishOutcome outcome, CallTimes call) {
        Instant now = clock.instant();
        switch (outcome) {
            case PublishOutcome.Published p -> {
                ledger.finish(claimed.postId(), claimed.attempt(), now, "published", null, p.networkPostId(), call);
                published(node, claimed, p.networkPostId(), p.url(), now);
            }
            case PublishOutcome.AlreadyDone d -> {
                ledger.finish(claimed.postId(), claimed.attempt(), now, "already_done", null, d.networkPostId(), call);
                published(node, claimed, d.networkPostId(), d.url(), now);
            }
            case PublishOutcome.Rejected r -> {
                ledger.finish(claimed.postId(), claimed.attempt(), now, "rejected", r.reason(), null, call);
                failed(node, claimed, "rejected", r.reason(), now);
            }
            case PublishOutcome.RetryLater r -> {
                ledger.finish(claimed.postId(), claimed.attempt(), now, r.rateLimited() ? "rate_limited" : "retry", r.reason(), null, call);
                if (!r.rateLimited() && claimed.attempt() >= maxAttempts) {
                    failed(node, claimed, "unavailable", r.reason() + " (gave up after " + claimed.attempt() + " attempts)", now);
                } else {
                    Instant next = backoff(claimed.attempt(), now);
                    if (r.notBefore() != null && r.notBefore().isAfter(next)) next = r.notBefore();
                    retry(node, claimed, r.rateLimited() ? "rate_limited" : "retrying", r.reason(), next, now);
                }
            }
            case PublishOutcome.Unknown u -> {
                ledger.finish(claimed.postId(), claimed.attempt(), now, "unknown", u.reason(), null, call);
                if (claimed.attempt() >= maxAttempts) {
                    failed(node, claimed, "unknown", u.reason() + " (gave up after " + claimed.attempt() + " attempts)", now);
                } else {
                    retry(node, claimed, "retrying", u.reason(), backoff(claimed.attempt(), now), now);
                }
            }
            case PublishOutcome.NeedsReconnect n -> {
                ledger.finish(claimed.postId(), claimed.attempt(), now, "needs_reconnect", n.reason(), null, call);
                profiles.markNeedsReconnect(claimed.profileId(), n.reason());
                db.sql("""
                        update posts set status = 'held', claimed_by = null, claim_expires_at = null, updated_at = :now,
                               failure_kind = 'needs_reconnect', failure_message = :reason
                        where profile_id = :profile
                          and (status = 'scheduled'
                               or (id = :post and status = 'publishing' and claimed_by = :node and attempts = :attempt))""")
                        .param("now", Posts.odt(now)).param("reason", n.reason()).param("profile", claimed.profileId())
                        .param("post", claimed.postId()).param("node", node).param("attempt", claimed.attempt())
                        .update();
            }
        }
    }

    /** A halt came after these posts' claim but before their calls: nothing was sent; they wait for the lift. One transaction. */
    void haltedBeforeCall(String node, List<Claims.Claimed> posts, String haltId) {
        tx.executeWithoutResult(status -> {
            Instant now = clock.instant();
            for (Claims.Claimed c : posts) {
                ledger.finish(c.postId(), c.attempt(), now, "halted_before_call", "halt " + haltId, null, null);
                db.sql("""
                        update posts set status = 'scheduled', claimed_by = null, claim_expires_at = null, updated_at = :now
                        where id = :id and status = 'publishing' and claimed_by = :node and attempts = :attempt""")
                        .param("now", Posts.odt(now)).param("id", c.postId()).param("node", node).param("attempt", c.attempt())
                        .update();
            }
        });
        settled.announce(posts);
    }

    private void published(String node, Claims.Claimed c, String networkPostId, String url, Instant now) {
        db.sql("""
                update posts set status = 'published', published_at = :now, network_post_id = :npid, network_url = :url,
                       claimed_by = null, claim_expires_at = null, next_attempt_at = null,
                       failure_kind = null, failure_message = null, updated_at = :now
                where id = :id and status = 'publishing' and claimed_by = :node and attempts = :attempt""")
                .param("now", Posts.odt(now)).param("npid", networkPostId).param("url", url)
                .param("id", c.postId()).param("node", node).param("attempt", c.attempt())
                .update();
    }

    private void failed(String node, Claims.Claimed c, String kind, String message, Instant now) {
        db.sql("""
                update posts set status = 'failed', failure_kind = :kind, failure_message = :message,
                       claimed_by = null, claim_expires_at = null, next_attempt_at = null, updated_at = :now
                where id = :id and status = 'publishing' and claimed_by = :node and attempts = :attempt""")
                .param("kind", kind).param("message", message).param("now", Posts.odt(now))
                .param("id", c.postId()).param("node", node).param("attempt", c.attempt())
                .update();
    }

    private void retry(String node, Claims.Claimed c, String kind, String message, Instant next, Instant now) {
        db.sql("""
                update posts set status = 'scheduled', next_attempt_at = :next, failure_kind = :kind, failure_message = :message,
                       claimed_by = null, claim_expires_at = null, updated_at = :now
                where id = :id and status = 'publishing' and claimed_by = :node and attempts = :attempt""")
                .param("next", Posts.odt(next)).param("kind", kind).param("message", message).param("now", Posts.odt(now))
                .param("id", c.postId()).param("node", node).param("attempt", c.attempt())
                .update();
    }

    /** Exponential back-off with jitter: base·2^(attempt−1), capped, then a random 50–100 % of it. */
    static Instant backoff(int attempt, Instant now) {
        long exp = BACKOFF_BASE.toMillis() << Math.min(20, Math.max(0, attempt - 1));
        long capped = Math.min(exp, BACKOFF_CAP.toMillis());
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        return now.plusMillis(jittered);
    }

    static String name(PublishOutcome outcome) {
        return switch (outcome) {
            case PublishOutcome.Published p -> "published";
            case PublishOutcome.AlreadyDone d -> "already_done";
            case PublishOutcome.Rejected r -> "rejected";
            case PublishOutcome.RetryLater r -> r.rateLimited() ? "rate_limited" : "retry";
            case PublishOutcome.Unknown u -> "unknown";
            case PublishOutcome.NeedsReconnect n -> "needs_reconnect";
        };
    }
}
