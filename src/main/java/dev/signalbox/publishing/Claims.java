package dev.signalbox.publishing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The claim: the statements that decide which node publishes which post. Each takes only heads
 * of profiles' queues (the earliest scheduled or publishing post by (due_at, seq)), so a profile
 * never has two posts in flight and its order holds; each locks with SKIP LOCKED so nodes never
 * wait for each other; and each writes the ledger row of the attempt in the same statement as the
 * claim, before any network call. The thorough one also takes over a head whose claim expired
 * (a dead node's). See docs/decisions/0007 for why there are two.
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

    /** Whether profile {@code pr} may publish now: connected, not paused, and under no active halt. */
    static final String PROFILE_MAY_PUBLISH = """
            pr.status = 'connected' and not pr.paused
              and not exists (select 1 from halts h where h.lifted_at is null and """ + COVERED_BY_H + """
              )""";

    /** Claims what {@code locked} selected: marks it publishing for this node and writes the ledger line, in one statement. */
    static final String CLAIM_LOCKED = """
            , claimed as (
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

    /**
     * The usual claim: walks the due scheduled posts in due order (index {@code posts_due}) and keeps
     * those that head their profile's queue, stopping as soon as it has {@code :limit}. Its cost
     * follows what it takes, not the number of profiles. It looks at no more than {@code :scan}
     * due posts, so a pile of due posts that cannot go (a paused or halted profile's, the rest of
     * a queue whose head is in flight) can hide claimable ones behind it: then
     * {@link #CLAIM_EVERY_HEAD} runs as well.
     */
    static final String CLAIM_DUE = """
            with candidates as (
                select p.id, p.profile_id, p.due_at, p.seq, coalesce(p.next_attempt_at, p.due_at) as due
                from posts p
                where p.status = 'scheduled' and coalesce(p.next_attempt_at, p.due_at) <= :now
                order by coalesce(p.next_attempt_at, p.due_at), p.seq
                limit :scan
            ), heads as (
                select c.id, c.due, c.seq
                from candidates c join profiles pr on pr.id = c.profile_id
                where\s""" + PROFILE_MAY_PUBLISH + """
                  and not exists (select 1 from posts q where q.profile_id = c.profile_id and q.status in ('scheduled', 'publishing')
                                  and (q.due_at, q.seq) < (c.due_at, c.seq))
            ), locked as (
                select p.id
                from posts p join heads on heads.id = p.id
                where p.status = 'scheduled'
                order by heads.due, heads.seq
                for update of p skip locked
                limit :limit
            )""" + CLAIM_LOCKED;

    /**
     * Whether {@link #CLAIM_DUE} may have missed something: its window of {@code :scan} due posts was full.
     * (Expired claims are left to the thorough claim's run at least once a second.)
     */
    static final String MAY_HAVE_MISSED = """
            select count(*) >= :scan from (select 1 from posts p
                                           where p.status = 'scheduled' and coalesce(p.next_attempt_at, p.due_at) <= :now
                                           limit :scan) seen""";

    /**
     * The thorough claim: the head of every profile's queue (the earliest scheduled or publishing
     * post by (due_at, seq)), including a head whose claim expired (a dead node's), so nothing
     * claimable can be hidden from it. Its cost is one index probe per connected profile.
     */
    static final String CLAIM_EVERY_HEAD = """
            with heads as (
                select head.id
                from profiles pr
                cross join lateral (
                    select p.id, p.status, p.due_at, p.next_attempt_at, p.claim_expires_at
                    from posts p
                    where p.profile_id = pr.id and p.status in ('scheduled', 'publishing')
                    order by p.due_at, p.seq
                    limit 1
                ) head
                where\s""" + PROFILE_MAY_PUBLISH + """
                  and ((head.status = 'scheduled' and coalesce(head.next_attempt_at, head.due_at) <= :now)
                    or (head.status = 'publishing' and head.claim_expires_at < :now))
                order by coalesce(head.next_attempt_at, head.due_at)
                limit :scan
            ), locked as (
                select p.id
                from posts p
                join heads on heads.id = p.id
                where p.status = 'scheduled' or (p.status = 'publishing' and p.claim_expires_at < :now)
                for update of p skip locked
                limit :limit
            )""" + CLAIM_LOCKED;

    /** How often the thorough claim runs at the least, whatever the usual claim finds. */
    static final Duration EVERY_HEAD_AT_LEAST_EVERY = Duration.ofSeconds(1);

    private final JdbcClient db;
    private final TransactionTemplate tx;
    /** When the thorough claim last ran on this node (System.nanoTime); only the dispatcher's loop claims. */
    private volatile long lastEveryHead = System.nanoTime() - EVERY_HEAD_AT_LEAST_EVERY.toNanos();

    Claims(JdbcClient db, TransactionTemplate tx) {
        this.db = db;
        this.tx = tx;
    }

    /**
     * Claims up to {@code limit} due posts, each the head of its profile's queue, in due order. The
     * shared advisory lock, taken before the claim statements in the same transaction, is what a
     * halt waits on (see {@link Halts}): their snapshots are taken after the lock, so they see every
     * halt committed before it.
     *
     * <p>The usual claim ({@link #CLAIM_DUE}) runs first; the thorough one ({@link #CLAIM_EVERY_HEAD})
     * follows when the usual one fell short with its window full. At least every
     * {@link #EVERY_HEAD_AT_LEAST_EVERY} the thorough one runs instead of it, which takes over expired
     * claims (a dead node's) within a second of their expiry, busy or not.
     */
    List<Claimed> claim(String node, int limit, Instant now, Instant leaseEnd) {
        int scan = Math.max(limit * 4, 400);
        long started = System.nanoTime();
        boolean everyHeadDue = started - lastEveryHead >= EVERY_HEAD_AT_LEAST_EVERY.toNanos();
        return tx.execute(status -> {
            db.sql("select pg_advisory_xact_lock_shared(:k)").param("k", Halts.CLAIM_LOCK).query((rs, n) -> 1).single();
            if (everyHeadDue) {
                lastEveryHead = started;
                return run(CLAIM_EVERY_HEAD, node, limit, limit * 3, now, leaseEnd);
            }
            List<Claimed> taken = new ArrayList<>(run(CLAIM_DUE, node, limit, scan, now, leaseEnd));
            if (taken.size() < limit && mayHaveMissed(scan, now)) {
                lastEveryHead = started;
                taken.addAll(run(CLAIM_EVERY_HEAD, node, limit - taken.size(), (limit - taken.size()) * 3, now, leaseEnd));
            }
            return taken;
        });
    }

    private boolean mayHaveMissed(int scan, Instant now) {
        return db.sql(MAY_HAVE_MISSED).param("scan", scan).param("now", Posts.odt(now)).query(Boolean.class).single();
    }

    private List<Claimed> run(String statement, String node, int limit, int scan, Instant now, Instant leaseEnd) {
        if (limit <= 0) return List.of();
        return db.sql(statement)
                .param("node", node).param("limit", limit).param("scan", scan)
                .param("now", Posts.odt(now)).param("leaseEnd", Posts.odt(leaseEnd))
                .query((rs, n) -> new Claimed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getBoolean(10)))
                .list();
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
