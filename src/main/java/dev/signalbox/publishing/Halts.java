package dev.signalbox.publishing;

import dev.signalbox.audit.AuditLog;
import dev.signalbox.networks.Networks;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.Ids;
import dev.signalbox.platform.PgNotifications;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Halts ("pull the plug"): stop orders on outbound posting for a scope.
 *
 * <p>The guarantee — when {@link #place} returns, no publish in its scope is in flight on any node
 * and none will start until the halt is lifted — rests on three things:
 * <ol>
 *   <li>Placing a halt takes an exclusive advisory lock that every claim transaction takes shared
 *       ({@link Claims}). So the halt waits for claims already running to commit, and claims that
 *       start later see the halt: there is no claim the halt cannot see.</li>
 *   <li>The claim statement itself excludes halted scopes; a node that missed every notification
 *       still cannot take a halted post.</li>
 *   <li>After committing, the halt waits until each post that was in flight in its scope has
 *       settled (or its claim has expired: a dead node no longer calls anyone).</li>
 * </ol>
 * Nodes hear of a halt at once through NOTIFY and then skip calls they had claimed but not started.
 */
@Service
public class Halts {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Halts.class);

    public static final Set<String> SCOPES = Set.of("global", "network", "workspace", "profile");
    static final long CLAIM_LOCK = 0x4861_6c74_436c_6d73L; // "HaltClms"
    /**
     * Held (per session, exclusively) by a node while it places a halt, from its announcement until the
     * halt is committed; a claim takes it shared just before it commits, and takes nothing when it cannot
     * (see {@link Claims}). So no claim commits while a halt is being placed, even on a node that has not
     * heard the announcement yet: under load a NOTIFY reached other nodes 25–50 ms late, and a claim
     * committed meanwhile started its calls. A fast path only: the claim lock above is the guarantee.
     */
    static final long PLACING_LOCK = 0x4861_6c74_506c_6367L; // "HaltPlcg"

    public record Halt(String id, String scope, String target, String reason, Instant createdAt, Instant quiescentAt,
            Instant liftedAt, String createdBy, String liftedBy, String liftReason, List<InFlight> inFlightAtHalt) {}

    /** A post that was being published when the halt was placed, and how that attempt ended. */
    public record InFlight(String postId, String outcome) {}

    private final JdbcClient db;
    private final javax.sql.DataSource dataSource;
    private final TransactionTemplate tx;
    private final AuditLog audit;
    private final Networks networks;
    private final Clock clock;
    private final DispatchSignal signal;
    private final HaltWatch watch;
    private final PgNotifications notifications;
    private final Duration lease;
    private final SettledPosts settled;
    /** How often a halt waiting for its in-flight posts looks at the database itself. */
    private final Duration recheck;
    Halts(JdbcClient db, javax.sql.DataSource dataSource, TransactionTemplate tx, AuditLog audit, Networks networks, Clock clock, DispatchSignal signal, HaltWatch watch,
            PgNotifications notifications, SettledPosts settled,
            @Value("${signalbox.dispatch.lease-seconds:60}") long leaseSeconds,
            @Value("${signalbox.halts.recheck-ms:25}") long recheckMillis) {
        this.settled = settled;
        this.recheck = Duration.ofMillis(recheckMillis);
        this.db = db;
        this.dataSource = dataSource;
        this.tx = tx;
        this.audit = audit;
        this.networks = networks;
        this.clock = clock;
        this.signal = signal;
        this.watch = watch;
        this.notifications = notifications;
        this.lease = Duration.ofSeconds(leaseSeconds);
    }

    /**
     * Places a halt and returns once its scope is quiescent, with what was in flight and how each ended.
     *
     * <p>Call it from a platform thread: on a virtual thread, under full dispatch load, each block
     * waits behind the runnable calls, and the announcement that stops every node must not. Halt
     * requests (API and Command page) come on one: incidents.halts.HaltRequests.
     */
    public Halt place(String scope, String target, String reason, AuditLog.Actor actor) {
        String normalTarget = validate(scope, target, reason);
        String id = Ids.next("hlt", clock.millis());
        Steps steps = new Steps();
        // Announce first, outside the transaction: every node stops starting calls in scope as soon as
        // it hears, while this node still waits for the claim lock. The guarantee does not rest on it.
        watch.announce(new HaltWatch.ActiveHalt(id, scope, normalTarget, null));
        announce(HaltWatch.announcement(id, scope, normalTarget));
        steps.done("announced");
        try (PlacingLock placing = PlacingLock.take(dataSource)) {
            steps.done("placing lock");
            placeInTransaction(id, scope, normalTarget, reason, actor, steps);
        } catch (RuntimeException e) {
            watch.withdraw(id);
            announce(HaltWatch.WITHDRAWN + id);
            throw e;
        }
        steps.done("unlocked");
        watch.refresh();
        steps.done("halts read");
        Map<String, Integer> attempts;
        try (SettledPosts.Waiter heard = settled.listen()) { // before the listing: no settle falls in between
            attempts = inFlightIn(id);
            steps.done(attempts.size() + " in flight listed");
            awaitQuiescence(attempts, heard);
        }
        Instant quiescent = clock.instant();
        steps.done("quiescent");
        log.info("Halt {} ({}{}) quiescent: {}", id, scope, normalTarget == null ? "" : " " + normalTarget, steps);
        db.sql("update halts set quiescent_at = :at where id = :id").param("at", Posts.odt(quiescent)).param("id", id).update();
        List<InFlight> outcomes = new ArrayList<>();
        attempts.forEach((postId, attempt) -> outcomes.add(new InFlight(postId, outcomeOf(postId, attempt))));
        return find(id).map(h -> withInFlight(h, outcomes)).orElseThrow();
    }

    private void placeInTransaction(String id, String scope, String normalTarget, String reason, AuditLog.Actor actor, Steps steps) {
        tx.executeWithoutResult(status -> {
            db.sql("select pg_advisory_xact_lock(:k)").param("k", CLAIM_LOCK).query((rs, n) -> 1).single();
            steps.done("claim lock");
            db.sql("""
                    insert into halts (id, scope, target, reason, created_by, created_by_email, created_at)
                    values (:id, :scope, :target, :reason, :by, :email, :now)""")
                    .param("id", id).param("scope", scope).param("target", normalTarget).param("reason", reason.trim())
                    .param("by", actor.id()).param("email", actor.email()).param("now", Posts.odt(clock.instant()))
                    .update();
            audit.record(actor, "halt.place", scope, normalTarget, reason.trim(), Map.of("haltId", id));
            db.sql("select pg_notify(:channel, :id)").param("channel", HaltWatch.CHANNEL).param("id", id).query((rs, n) -> 1).single();
            steps.done("written");
        });
        steps.done("committed");
    }

    /**
     * When each step of placing a halt ended, in ms after the halt code began: one log line per halt,
     * so an operator (or the benchmark) can see what a slow halt waited for.
     */
    private static final class Steps {
        private final long start = System.nanoTime();
        private final StringBuilder line = new StringBuilder();

        void done(String step) {
            if (!line.isEmpty()) line.append(", ");
            line.append(step).append(" +").append((System.nanoTime() - start) / 1_000_000).append(" ms");
        }

        @Override
        public String toString() {
            return line.toString();
        }
    }

    /**
     * {@link #PLACING_LOCK}, held on a connection of its own while the halt is placed. Taking it waits only
     * for claims between that last look and their commit. If it cannot be taken, the halt is placed without
     * it: it shortens the time to "no new call", the guarantee does not rest on it.
     */
    private record PlacingLock(javax.sql.DataSource dataSource, java.sql.Connection connection) implements AutoCloseable {

        private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PlacingLock.class);

        static PlacingLock take(javax.sql.DataSource dataSource) {
            java.sql.Connection connection = null;
            try {
                connection = dataSource.getConnection();
                connection.setAutoCommit(true);
                try (var lock = connection.prepareStatement("select pg_advisory_lock(?)")) {
                    lock.setLong(1, PLACING_LOCK);
                    lock.execute();
                }
                return new PlacingLock(dataSource, connection);
            } catch (java.sql.SQLException e) {
                log.warn("Placing the halt without holding back other nodes' claims ({})", e.getMessage());
                closeQuietly(connection);
                return new PlacingLock(dataSource, null);
            }
        }

        @Override
        public void close() {
            if (connection == null) return;
            try (var unlock = connection.prepareStatement("select pg_advisory_unlock(?)")) {
                unlock.setLong(1, PLACING_LOCK);
                unlock.execute();
            } catch (java.sql.SQLException e) {
                // still held, or the connection is broken: either way it must not go back to the pool as it is
                if (dataSource instanceof com.zaxxer.hikari.HikariDataSource pool) {
                    pool.evictConnection(connection);
                    return;
                }
            }
            closeQuietly(connection);
        }

        private static void closeQuietly(java.sql.Connection connection) {
            if (connection == null) return;
            try {
                connection.close();
            } catch (java.sql.SQLException ignored) {
                // nothing more to release
            }
        }
    }

    /**
     * A notification outside any transaction, over the connection kept for urgent sends: delivered
     * at once, without queueing for a pooled connection. If it is lost, only the fast path is lost:
     * the halt's own notification and the claim statement still stop every node.
     */
    private void announce(String payload) {
        notifications.send(HaltWatch.CHANNEL, payload);
    }

    /** Lifts an active halt; held posts in its scope go out in order, once each (unless another halt still covers them). */
    public Halt lift(String id, String reason, AuditLog.Actor actor) {
        if (reason == null || reason.isBlank()) throw ApiProblem.invalid("reason", "is required: say why posting may resume");
        Halt halt = find(id).orElseThrow(() -> ApiProblem.notFound("Halt " + id));
        tx.executeWithoutResult(status -> {
            int lifted = db.sql("""
                    update halts set lifted_at = :now, lifted_by_email = :by, lift_reason = :reason
                    where id = :id and lifted_at is null""")
                    .param("now", Posts.odt(clock.instant())).param("by", actor.email()).param("reason", reason.trim()).param("id", id)
                    .update();
            if (lifted == 0) throw ApiProblem.conflict("Halt " + id + " was already lifted at " + halt.liftedAt() + " by " + halt.liftedBy());
            audit.record(actor, "halt.lift", halt.scope(), halt.target(), reason.trim(), Map.of("haltId", id));
            db.sql("select pg_notify(:channel, :id)").param("channel", HaltWatch.CHANNEL).param("id", id).query((rs, n) -> 1).single();
        });
        watch.refresh();
        signal.postsChanged();
        return find(id).orElseThrow();
    }

    public List<Halt> list(boolean activeOnly) {
        return db.sql("select " + COLUMNS + " from halts where (not :active or lifted_at is null) order by created_at desc limit 500")
                .param("active", activeOnly).query(this::row).list();
    }

    public Optional<Halt> find(String id) {
        return db.sql("select " + COLUMNS + " from halts where id = :id").param("id", id).query(this::row).optional();
    }

    /** Marks a profile as (or no longer as) one of the company's incident channels, exempt from global and network halts. */
    public void setIncidentChannel(String profileId, boolean channel, AuditLog.Actor actor) {
        tx.executeWithoutResult(status -> {
            int changed = db.sql("update profiles set incident_channel = :c where id = :id").param("c", channel).param("id", profileId).update();
            if (changed == 0) throw ApiProblem.invalid("profileId", "no profile " + profileId + " exists");
            audit.record(actor, channel ? "incident_channel.add" : "incident_channel.remove", "profile", profileId, null, Map.of());
        });
    }

    private String validate(String scope, String target, String reason) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (scope == null || !SCOPES.contains(scope)) {
            errors.add(new ApiProblem.FieldError("scope", (scope == null ? "is required" : "'" + scope + "' is not a scope") + "; use global, network, workspace or profile"));
        }
        if (reason == null || reason.isBlank()) errors.add(new ApiProblem.FieldError("reason", "is required: say why posting stops (it is kept in the audit log)"));
        String t = target == null || target.isBlank() ? null : target.trim();
        if (scope != null && SCOPES.contains(scope)) {
            if (scope.equals("global") && t != null) errors.add(new ApiProblem.FieldError("target", "must be empty for a global halt"));
            if (!scope.equals("global") && t == null) errors.add(new ApiProblem.FieldError("target", "is required for a " + scope + " halt"));
            if (t != null && scope.equals("network") && networks.find(t).isEmpty()) {
                errors.add(new ApiProblem.FieldError("target", "'" + t + "' is not a network; use sandbox, mastodon, bluesky, x or facebook"));
            }
            if (t != null && scope.equals("workspace") && !exists("workspaces", t)) errors.add(new ApiProblem.FieldError("target", "no workspace " + t + " exists"));
            if (t != null && scope.equals("profile") && !exists("profiles", t)) errors.add(new ApiProblem.FieldError("target", "no profile " + t + " exists"));
        }
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);
        return t;
    }

    private boolean exists(String table, String id) {
        return db.sql("select exists (select 1 from " + table + " where id = :id)").param("id", id).query(Boolean.class).single();
    }

    /**
     * Posts in the halt's scope with a claim in flight right now, with the attempt the claim made.
     *
     * <p>Read from the small index of posts being published, whatever the planner knows of the table: before
     * {@code posts} was first analysed (up to a minute after a large import) it walked every pending post of
     * every profile instead, 116 ms on an idle machine for 150,000 posts and up to 680 ms under full load
     * (decision 0015). With its statistics it picks this index by itself.
     */
    private Map<String, Integer> inFlightIn(String haltId) {
        Map<String, Integer> out = new LinkedHashMap<>();
        tx.executeWithoutResult(status -> {
            db.sql("set local enable_bitmapscan = off").update(); // else it ANDs with the index of every pending post
            db.sql("""
                    with publishing as materialized (select id, attempts, profile_id from posts where status = 'publishing')
                    select p.id, p.attempts from publishing p join profiles pr on pr.id = p.profile_id join halts h on h.id = :halt
                    where """ + Claims.COVERED_BY_H)
                    .param("halt", haltId)
                    .query((rs, n) -> out.put(rs.getString(1), rs.getInt(2))).list();
        });
        return out;
    }

    /**
     * Returns once every attempt listed is over: its outcome written (the nodes announce it, {@link SettledPosts}),
     * or its post no longer being published with a live claim (this halt's own look at the database, every
     * {@link #recheck}: for a node that had not heard of the halt when it settled, and for expired claims).
     */
    private void awaitQuiescence(Map<String, Integer> attempts, SettledPosts.Waiter heard) {
        if (attempts.isEmpty()) return;
        Map<String, Integer> waitingFor = new HashMap<>(attempts);
        Instant deadline = clock.instant().plus(lease).plusSeconds(5);
        long nextLook = System.nanoTime();
        try {
            while (clock.instant().isBefore(deadline)) {
                if (System.nanoTime() - nextLook >= 0) {
                    List<String> stillInFlight = db.sql("""
                            select id from posts where id = any(:ids) and status = 'publishing' and claim_expires_at > :now""")
                            .param("ids", waitingFor.keySet().toArray(String[]::new)).param("now", Posts.odt(clock.instant()))
                            .query(String.class).list();
                    waitingFor.keySet().retainAll(stillInFlight);
                    nextLook = System.nanoTime() + recheck.toNanos();
                }
                for (String attempt = heard.next(0); attempt != null; attempt = heard.next(0)) settledOne(waitingFor, attempt);
                if (waitingFor.isEmpty()) return;
                String attempt = heard.next(nextLook - System.nanoTime());
                if (attempt != null) settledOne(waitingFor, attempt);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for posts in flight to settle", e);
        }
        throw new IllegalStateException("posts in flight did not settle within the claim lease; their nodes may be gone");
    }

    /** Only the very attempt listed: an earlier attempt of the same post, announced late, does not count. */
    private static void settledOne(Map<String, Integer> waitingFor, String attempt) {
        int colon = attempt.lastIndexOf(':');
        if (colon < 0) return;
        String postId = attempt.substring(0, colon);
        Integer listed = waitingFor.get(postId);
        if (listed != null && attempt.substring(colon + 1).equals(String.valueOf(listed))) waitingFor.remove(postId);
    }

    private String outcomeOf(String postId, int attempt) {
        return db.sql("select outcome from post_attempts where post_id = :p and attempt = :a").param("p", postId).param("a", attempt)
                .query(String.class).optional().map(o -> o == null ? "abandoned (its node stopped answering; retried after the lift)" : o)
                .orElse("unknown");
    }

    static final String COLUMNS = """
            id, scope, target, reason, created_at, quiescent_at, lifted_at, created_by_email, lifted_by_email, lift_reason""";

    private Halt row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Halt(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), Posts.instant(rs.getTimestamp(5)),
                Posts.instant(rs.getTimestamp(6)), Posts.instant(rs.getTimestamp(7)), rs.getString(8), rs.getString(9), rs.getString(10), List.of());
    }

    private static Halt withInFlight(Halt h, List<InFlight> inFlight) {
        return new Halt(h.id(), h.scope(), h.target(), h.reason(), h.createdAt(), h.quiescentAt(), h.liftedAt(), h.createdBy(),
                h.liftedBy(), h.liftReason(), List.copyOf(inFlight));
    }
}
