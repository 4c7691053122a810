package dev.signalbox.incidents.disconnect;

import dev.signalbox.networks.ActionOutcome;
import dev.signalbox.networks.NetworkAdapter;
import dev.signalbox.networks.Networks;
import dev.signalbox.profiles.Profiles;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Revokes taken tokens at their provider. Each row is tried once right away; a transient failure
 * (the provider unavailable or rate-limiting) is retried in the background with back-off — base,
 * 4×base, 16×base … — up to {@code signalbox.disconnect.revoke-attempts} attempts in all. Whatever
 * happens, the sealed copy kept for the retry is erased when the row settles (revoked, refused,
 * unsupported or given up): Signalbox never keeps a token it was told to throw away. Retries are
 * claimed with SKIP LOCKED and a lease, so with several nodes each retry runs once.
 */
@Component
class Revocations {

    private static final Logger log = LoggerFactory.getLogger(Revocations.class);
    static final Duration LEASE = Duration.ofMinutes(2);
    private static final int PARALLEL_CALLS = 8;

    record Pending(String disconnectionId, String profileId, String network, String instanceUrl, String accountId,
            String sealedSecret, int attempts) {
        @Override
        public String toString() {
            return "Pending[" + disconnectionId + "/" + profileId + ", attempts=" + attempts + "]";
        }
    }

    private final JdbcClient db;
    private final Networks networks;
    private final Profiles profiles;
    private final Clock clock;
    private final Duration backoff;
    private final int maxAttempts;

    Revocations(JdbcClient db, Networks networks, Profiles profiles, Clock clock,
            @Value("${signalbox.disconnect.revoke-backoff:PT30S}") Duration backoff,
            @Value("${signalbox.disconnect.revoke-attempts:4}") int maxAttempts) {
        if (maxAttempts < 1) throw new IllegalArgumentException("signalbox.disconnect.revoke-attempts must be at least 1, is " + maxAttempts);
        this.db = db;
        this.networks = networks;
        this.profiles = profiles;
        this.clock = clock;
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
    }

    /** The first attempt for every new row of {@code disconnectionId}, a few calls at a time; returns when all settled or were deferred. */
    void firstAttempts(String disconnectionId) {
        List<Pending> rows = db.sql("""
                update disconnection_profiles set claim_expires_at = :lease
                where disconnection_id = :d and revoke_state = 'pending'
                returning disconnection_id, profile_id, network, instance_url, account_id, sealed_secret, revoke_attempts""")
                .param("d", disconnectionId).param("lease", odt(clock.instant().plus(LEASE)))
                .query((rs, n) -> pending(rs)).list();
        Semaphore calls = new Semaphore(PARALLEL_CALLS);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (Pending row : rows) {
                done.add(threads.submit(() -> {
                    calls.acquireUninterruptibly();
                    try {
                        attempt(row);
                    } finally {
                        calls.release();
                    }
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (Exception e) {
                    log.error("A first revoke attempt of {} failed unexpectedly; its lease expires and the retry worker takes it", disconnectionId, e);
                }
            }
        }
    }

    /** Background retries whose time has come, claimed by this node only. */
    @Scheduled(fixedDelayString = "${signalbox.disconnect.retry-poll-ms:1000}")
    void retryDue() {
        Instant now = clock.instant();
        List<Pending> due = db.sql("""
                with due as (
                    select disconnection_id, profile_id from disconnection_profiles
                    where (revoke_state = 'retrying' and next_attempt_at <= :now and coalesce(claim_expires_at, :now) <= :now)
                       or (revoke_state = 'pending' and claim_expires_at < :now)
                    order by next_attempt_at nulls first
                    for update skip locked
                    limit 20
                )
                update disconnection_profiles d set claim_expires_at = :lease
                from due where d.disconnection_id = due.disconnection_id and d.profile_id = due.profile_id
                returning d.disconnection_id, d.profile_id, d.network, d.instance_url, d.account_id, d.sealed_secret, d.revoke_attempts""")
                .param("now", odt(now)).param("lease", odt(now.plus(LEASE)))
                .query((rs, n) -> pending(rs)).list();
        for (Pending row : due) {
            try {
                attempt(row);
            } catch (RuntimeException e) {
                log.error("Revoke retry of {} failed unexpectedly; its lease expires and it is tried again", row, e);
            }
        }
    }

    private void attempt(Pending row) {
        ActionOutcome outcome = call(row);
        settle(row, outcome);
    }

    private ActionOutcome call(Pending row) {
        Optional<NetworkAdapter> adapter = networks.find(row.network());
        if (adapter.isEmpty()) return new ActionOutcome.Failed("this Signalbox node has no adapter for " + row.network());
        try {
            return adapter.get().revoke(profiles.openForRevocation(
                    new Profiles.Revocable(row.profileId(), row.network(), row.instanceUrl(), row.accountId(), row.sealedSecret())));
        } catch (RuntimeException e) {
            // The vault could not open the copy (wrong or retired key) or the adapter broke its contract.
            log.warn("Revoking the token of {} could not be tried", row, e);
            return new ActionOutcome.Failed("the token could not be sent to " + row.network() + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private void settle(Pending row, ActionOutcome outcome) {
        int attempts = row.attempts() + 1;
        Instant now = clock.instant();
        String state;
        String failure;
        Instant next = null;
        switch (outcome) {
            case ActionOutcome.Done d -> {
                state = "revoked";
                failure = null;
            }
            case ActionOutcome.RetryLater r when attempts < maxAttempts -> {
                state = "retrying";
                failure = r.reason() + " (attempt " + attempts + " of " + maxAttempts + "; retrying)";
                next = now.plus(backoff.multipliedBy(1L << (2 * (attempts - 1))));
                if (r.notBefore() != null && r.notBefore().isAfter(next)) next = r.notBefore();
            }
            case ActionOutcome.RetryLater r -> {
                state = "failed";
                failure = "gave up after " + attempts + " attempts: " + r.reason() + erased(row);
            }
            case ActionOutcome.NeedsReconnect r -> {
                state = "failed";
                failure = row.network() + " refused the revoke: " + r.reason() + erased(row);
            }
            case ActionOutcome.Unsupported r -> {
                state = "failed";
                failure = row.network() + " cannot revoke it for Signalbox: " + r.reason() + erased(row);
            }
            case ActionOutcome.Failed r -> {
                state = "failed";
                failure = r.reason() + erased(row);
            }
        }
        boolean keepCopy = state.equals("retrying");
        int updated = db.sql("""
                update disconnection_profiles set revoke_state = :state, revoke_attempts = :attempts, revoke_failure = :failure,
                       next_attempt_at = :next, claim_expires_at = null,
                       sealed_secret = case when :keep then sealed_secret else null end
                where disconnection_id = :d and profile_id = :p and revoke_attempts = :before""")
                .param("state", state).param("attempts", attempts).param("failure", failure).param("next", odt(next))
                .param("keep", keepCopy).param("d", row.disconnectionId()).param("p", row.profileId())
                .param("before", row.attempts())
                .update();
        if (updated == 0) {
            log.warn("Revoke attempt {} of {} was settled by another node meanwhile; its outcome here was {}", attempts, row, state);
        }
    }

    private static String erased(Pending row) {
        return " — Signalbox's own copy of the token was erased anyway; revoke Signalbox's access in the "
                + row.network() + " account's settings to be sure";
    }

    private static Pending pending(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Pending(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getInt(7));
    }

    static OffsetDateTime odt(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
