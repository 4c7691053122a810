package dev.signalbox.incidents.containment;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The SQL of containment jobs, their lanes (one per profile) and items (one per post). */
@Repository
class ContainmentStore {

    static final int UNSUPPORTED_SHOWN = 100;

    /** A lane this node holds, with what it needs to call the network as the profile. */
    record Lane(String jobId, String profileId, String action, String reason, String network, String instanceUrl,
            String networkAccountId, String sealedSecret) {
        @Override
        public String toString() {
            return "Lane[job=" + jobId + ", profile=" + profileId + ", action=" + action + "]";
        }
    }

    record Item(String postId, String networkPostId, int attempts, int rateLimitWaits) {}

    /**
     * The claim: open lanes nobody holds, or whose holder's lease expired (a dead node's), locked
     * with SKIP LOCKED so nodes never wait for each other, taken in the same statement.
     */
    static final String CLAIM = """
            with free as (
                select l.job_id, l.profile_id
                from containment_lanes l
                where l.open and (l.claimed_by is null or l.claim_expires_at < :now)
                order by l.job_id, l.profile_id
                for update skip locked
                limit :limit
            ), claimed as (
                update containment_lanes l
                set claimed_by = :node, claim_expires_at = :leaseEnd, version = l.version + 1
                from free
                where l.job_id = free.job_id and l.profile_id = free.profile_id
                returning l.job_id, l.profile_id
            )
            select c.job_id, c.profile_id, j.action, j.reason, pr.network, pr.instance_url, pr.network_account_id, pr.secret
            from claimed c
            join containment_jobs j on j.id = c.job_id
            join profiles pr on pr.id = c.profile_id
            """;

    private final JdbcClient db;

    ContainmentStore(JdbcClient db) {
        this.db = db;
    }

    void insertJob(String id, String action, String selector, String reason, String userId, Instant now,
            List<Containments.Planned> plan) {
        db.sql("""
                insert into containment_jobs (id, action, selector, reason, status, total, created_by, started_at)
                values (:id, :action, :selector, :reason, 'running', :total, :by, :now)""")
                .param("id", id).param("action", action).param("selector", selector).param("reason", reason)
                .param("total", plan.size()).param("by", userId).param("now", odt(now))
                .update();
        db.sql("""
                insert into containment_items (job_id, post_id, profile_id, network, network_post_id, state, last_error, finished_at)
                select :job, u.post, u.profile, u.network, u.npid, u.state, u.reason,
                       case when u.state = 'pending' then null else cast(:now as timestamptz) end
                from unnest(cast(:posts as text[]), cast(:profiles as text[]), cast(:networks as text[]), cast(:npids as text[]),
                            cast(:states as text[]), cast(:reasons as text[])) as u(post, profile, network, npid, state, reason)""")
                .param("job", id).param("now", odt(now))
                .param("posts", plan.stream().map(p -> p.post().postId()).toArray(String[]::new))
                .param("profiles", plan.stream().map(p -> p.post().profileId()).toArray(String[]::new))
                .param("networks", plan.stream().map(p -> p.post().network()).toArray(String[]::new))
                .param("npids", plan.stream().map(p -> p.post().networkPostId()).toArray(String[]::new))
                .param("states", plan.stream().map(Containments.Planned::state).toArray(String[]::new))
                .param("reasons", plan.stream().map(p -> p.state().equals("pending") ? null : p.reason()).toArray(String[]::new))
                .update();
        db.sql("""
                insert into containment_lanes (job_id, profile_id)
                select distinct job_id, profile_id from containment_items where job_id = :job and state = 'pending'""")
                .param("job", id).update();
    }

    /** Marks the job finished once no item waits; false when items still wait (or it already was). */
    boolean finishIfDone(String jobId, Instant now) {
        return db.sql("""
                update containment_jobs set status = 'finished', finished_at = :now
                where id = :job and status = 'running'
                  and not exists (select 1 from containment_items where job_id = :job and state = 'pending')""")
                .param("now", odt(now)).param("job", jobId).update() == 1;
    }

    Optional<Containment> view(String id) {
        record Job(String id, String action, String status, String reason, int total, Timestamp startedAt, Timestamp finishedAt) {}
        Optional<Job> job = db.sql("select id, action, status, reason, total, started_at, finished_at from containment_jobs where id = :id")
                .param("id", id).query(Job.class).optional();
        if (job.isEmpty()) return Optional.empty();
        Map<String, Integer> states = new LinkedHashMap<>();
        Map<String, Integer> byNetwork = new TreeMap<>();
        long[] waits = {0};
        db.sql("select state, network, count(*), sum(rate_limit_waits) from containment_items where job_id = :id group by state, network")
                .param("id", id).query(rs -> {
                    states.merge(rs.getString(1), rs.getInt(3), Integer::sum);
                    byNetwork.merge(rs.getString(2), rs.getInt(3), Integer::sum);
                    waits[0] += rs.getLong(4);
                });
        Map<String, Integer> reasons = new TreeMap<>();
        db.sql("select last_error, count(*) from containment_items where job_id = :id and state = 'unsupported' group by last_error")
                .param("id", id).query(rs -> {
                    reasons.put(rs.getString(1), rs.getInt(2));
                });
        List<Containment.Unsupported> unsupported = db.sql("""
                select post_id, last_error from containment_items where job_id = :id and state = 'unsupported' order by post_id limit :n""")
                .param("id", id).param("n", UNSUPPORTED_SHOWN)
                .query((rs, n) -> new Containment.Unsupported(rs.getString(1), rs.getString(2))).list();
        Job j = job.get();
        int skipped = states.getOrDefault("skipped", 0);
        return Optional.of(new Containment(j.id(), j.action(), j.status(), j.reason(), j.total(),
                states.getOrDefault("done", 0) + skipped, states.getOrDefault("failed", 0), skipped,
                states.getOrDefault("pending", 0), states.getOrDefault("unsupported", 0), unsupported, reasons, byNetwork, waits[0],
                j.startedAt().toInstant(), j.finishedAt() == null ? null : j.finishedAt().toInstant()));
    }

    List<String> recentIds(int limit) {
        return db.sql("select id from containment_jobs order by started_at desc limit :n").param("n", limit).query(String.class).list();
    }

    List<Lane> claim(String node, int limit, Instant now, Instant leaseEnd) {
        return db.sql(CLAIM).param("node", node).param("limit", limit).param("now", odt(now)).param("leaseEnd", odt(leaseEnd))
                .query((rs, n) -> new Lane(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8)))
                .list();
    }

    /** Keeps every open lane of this node alive. */
    int heartbeat(String node, Instant leaseEnd) {
        return db.sql("update containment_lanes set claim_expires_at = :leaseEnd where claimed_by = :node and open")
                .param("leaseEnd", odt(leaseEnd)).param("node", node).update();
    }

    /** Whether this node still holds the lane (a lane whose lease lapsed may have been taken over). */
    boolean holds(Lane lane, String node) {
        return db.sql("select count(*) from containment_lanes where job_id = :job and profile_id = :p and open and claimed_by = :node")
                .param("job", lane.jobId()).param("p", lane.profileId()).param("node", node).query(Integer.class).single() == 1;
    }

    /** Hands an unfinished lane back at once (a node shutting down), so another node need not wait for the lease. */
    void release(Lane lane, String node) {
        db.sql("update containment_lanes set claimed_by = null, claim_expires_at = null where job_id = :job and profile_id = :p and claimed_by = :node")
                .param("job", lane.jobId()).param("p", lane.profileId()).param("node", node).update();
    }

    void close(Lane lane) {
        db.sql("update containment_lanes set open = false, claimed_by = null, claim_expires_at = null where job_id = :job and profile_id = :p")
                .param("job", lane.jobId()).param("p", lane.profileId()).update();
    }

    List<Item> pending(Lane lane, int limit) {
        return db.sql("""
                select post_id, network_post_id, attempts, rate_limit_waits from containment_items
                where job_id = :job and profile_id = :p and state = 'pending' order by post_id limit :n""")
                .param("job", lane.jobId()).param("p", lane.profileId()).param("n", limit)
                .query((rs, n) -> new Item(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4))).list();
    }

    /** Ends a pending item; false when it was no longer pending (another node finished it). */
    boolean settle(String jobId, String postId, String state, String error, int attempts, int rateLimitWaits, Instant now) {
        return db.sql("""
                update containment_items set state = :state, last_error = :error, attempts = :attempts,
                       rate_limit_waits = :waits, finished_at = :now
                where job_id = :job and post_id = :post and state = 'pending'""")
                .param("state", state).param("error", error).param("attempts", attempts).param("waits", rateLimitWaits)
                .param("now", odt(now)).param("job", jobId).param("post", postId).update() == 1;
    }

    /** Notes a try that must be repeated later; the item stays pending. */
    void retrying(String jobId, String postId, String error, int attempts, int rateLimitWaits) {
        db.sql("""
                update containment_items set last_error = :error, attempts = :attempts, rate_limit_waits = :waits
                where job_id = :job and post_id = :post and state = 'pending'""")
                .param("error", error).param("attempts", attempts).param("waits", rateLimitWaits)
                .param("job", jobId).param("post", postId).update();
    }

    /** Fails every item still pending in the lane with one reason (the profile needs reconnecting). */
    int failRest(Lane lane, String error, Instant now) {
        return db.sql("""
                update containment_items set state = 'failed', last_error = :error, finished_at = :now
                where job_id = :job and profile_id = :p and state = 'pending'""")
                .param("error", error).param("now", odt(now)).param("job", lane.jobId()).param("p", lane.profileId()).update();
    }

    static OffsetDateTime odt(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
