package dev.signalbox.publishing;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The claim: the one statement that decides which node publishes which post. It takes only the
 * head of each profile's queue (the earliest scheduled or publishing post by (due_at, seq)), so
 * a profile never has two posts in flight and its order holds; it locks with SKIP LOCKED so
 * nodes never wait for each other; it takes over a head whose claim expired (a dead node's);
 * and it writes the ledger row of the attempt in the same statement, before any network call.
 */
@Component
class Claims {

    record Claimed(String postId, String profileId, String network, String text, int attempt, String instanceUrl,
            String networkAccountId, String sealedSecret, String workspaceId, boolean incidentChannel) {
        @Override
        public String toString() {
            return "Claimed[postId=" + postId + ", profileId=" + profileId + ", attempt=" + attempt + "]";
        }
    }

    /** Whether halt {@code h} covers profile {@code pr}: incident channels are exempt from global and network halts. */
    static final String COVERED_BY_H = """
            ((h.scope = 'global' and not pr.incident_channel)
              or (h.scope = 'network' and h.target = pr.network and not pr.incident_channel)
              or (h.scope = 'workspace' and h.target = pr.workspace_id)
              or (h.scope = 'profile' and h.target = pr.id))""";

    static final String CLAIM = """
            with heads as (
                select head.id
                from profiles pr
                cross join lateral (
                    select p.id, p.status, p.due_at, p.seq, p.next_attempt_at, p.claim_expires_at
                    from posts p
                    where p.profile_id = pr.id and p.status in ('scheduled', 'publishing')
                    order by p.due_at, p.seq
                    limit 1
                ) head
                where pr.status = 'connected' and not pr.paused
                  and not exists (select 1 from halts h where h.lifted_at is null and """ + COVERED_BY_H + """
                  )
                  and ((head.status = 'scheduled' and coalesce(head.next_attempt_at, head.due_at) <= :now)
                    or (head.status = 'publishing' and head.claim_expires_at < :now))
                -- the longest-waiting first; among posts due at the same instant, the one scheduled first, so
                -- that in a burst every profile's queue moves at the same pace
                order by coalesce(head.next_attempt_at, head.due_at), head.seq
                limit :scan
            ), locked as (
                -- by id from the heads' list, not a join: with a join and the limit, the planner may read the
                -- table from the start hoping to meet heads early (it did, right after a bulk insert)
                select p.id
                from posts p
                where p.id = any(array(select id from heads))
                  and (p.status = 'scheduled' or (p.status = 'publishing' and p.claim_expires_at < :now))
                order by coalesce(p.next_attempt_at, p.due_at), p.seq
                for update of p skip locked
                limit :limit
            ), claimed as (
                update posts p
                set status = 'publishing', claimed_by = :node, claim_expires_at = :leaseEnd,
                    attempts = p.attempts + 1, updated_at = :now
                from locked
                where p.id = locked.id
                returning p.id, p.profile_id, p.text, p.attempts
            ), ledger as (
                insert into post_attempts (post_id, attempt, node, started_at)
                select id, attempts, :node, :now from claimed
            )
            select c.id, c.profile_id, pr.network, c.text, c.attempts, pr.instance_url, pr.network_account_id, pr.secret,
                   pr.workspace_id, pr.incident_channel
            from claimed c join profiles pr on pr.id = c.profile_id
            """;

    private static final ParsedSql CLAIM_PARSED = NamedParameterUtils.parseSqlStatement(CLAIM);
    /** The claim with its named parameters as JDBC placeholders: none is a collection, so it is the same every time. */
    private static final String CLAIM_JDBC = NamedParameterUtils.substituteNamedParameters(CLAIM_PARSED, null);

    private final JdbcClient db;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    /** The claim statement running right now on this node, so that a halt being placed can cancel it. */
    private volatile PreparedStatement running;
    private volatile boolean cancelled;
    private final java.util.concurrent.ExecutorService cancels =
            java.util.concurrent.Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("claim-cancel-", 0).factory());

    Claims(JdbcClient db, JdbcTemplate jdbc, TransactionTemplate tx) {
        this.db = db;
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /**
     * Claims up to {@code limit} due posts. The shared advisory lock, taken before the claim
     * statement in the same transaction, is what a halt waits on (see {@link Halts}): the claim's
     * snapshot is taken after the lock, so it sees every halt committed before it. A claim that ends
     * while a halt is being placed takes nothing (an empty list).
     */
    List<Claimed> claim(String node, int limit, Instant now, Instant leaseEnd) {
        cancelled = false;
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("node", node).addValue("limit", limit).addValue("scan", limit * 3)
                .addValue("now", Posts.odt(now)).addValue("leaseEnd", Posts.odt(leaseEnd));
        Object[] values = NamedParameterUtils.buildValueArray(CLAIM_PARSED, params, null);
        return tx.execute(status -> {
            db.sql("select pg_advisory_xact_lock_shared(:k)").param("k", Halts.CLAIM_LOCK).query((rs, n) -> 1).single();
            List<Claimed> claimed;
            try {
                claimed = jdbc.query(connection -> {
                    PreparedStatement statement = connection.prepareStatement(CLAIM_JDBC);
                    for (int i = 0; i < values.length; i++) statement.setObject(i + 1, values[i]);
                    running = statement;
                    return statement;
                }, (rs, n) -> new Claimed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getBoolean(10)));
            } finally {
                running = null; // before the commit: a late cancel must not reach anything else
            }
            // The last look before committing: a halt being placed on any node holds this lock (see
            // Halts.PLACING_LOCK); then this claim takes nothing, whether or not this node has heard of it.
            if (!claimed.isEmpty() && !db.sql("select pg_try_advisory_xact_lock_shared(:k)").param("k", Halts.PLACING_LOCK)
                    .query(Boolean.class).single()) {
                status.setRollbackOnly();
                return List.of();
            }
            return claimed;
        });
    }

    /**
     * Cancels the claim statement running on this node, if any: a halt being placed waits for every
     * claim in progress (see {@link Halts}), and a claim cancelled takes nothing — its transaction rolls
     * back, ledger lines and all — so the halt need not wait for it. The dispatcher claims again once
     * the halt is in place, and that claim sees it.
     *
     * <p>Returns at once: the driver sends a cancel over a new connection to the server and waits for
     * the server to close it, tens of milliseconds on a busy machine. The caller is the thread that
     * announces a halt to every node (or hears of one), and the announcement must not wait for that.
     */
    void cancelRunning() {
        PreparedStatement statement = running;
        if (statement == null) return;
        cancelled = true;
        cancels.execute(() -> {
            try {
                statement.cancel(); // the driver cancels only while the statement runs, never the one after it
            } catch (SQLException e) {
                // it finished meanwhile, or the cancel request could not be sent: the halt waits for it as before
            }
        });
    }

    /** Whether the last claim failed because {@link #cancelRunning} cancelled it. */
    boolean wasCancelled() {
        return cancelled;
    }

    /** Keeps this node's claims alive while their calls are in flight. */
    int heartbeat(String node, Instant leaseEnd) {
        // rows locked in id order, as the batched settlement locks them, so the two never deadlock
        return db.sql("""
                with mine as materialized (
                    select id from posts where claimed_by = :node and status = 'publishing' order by id for update
                )
                update posts p set claim_expires_at = :leaseEnd
                from mine where p.id = mine.id and p.claimed_by = :node and p.status = 'publishing'""")
                .param("leaseEnd", Posts.odt(leaseEnd)).param("node", node).update();
    }
}
