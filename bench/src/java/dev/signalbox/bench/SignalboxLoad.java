package dev.signalbox.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Puts posts straight into Signalbox's posts table (as scheduled, due in the future) and waits
 * for the dispatcher to publish them. Post n goes to profile n mod profiles; rows are inserted in
 * n order so seq, the per-profile publishing order, follows n. Every text is unique.
 */
final class SignalboxLoad {

    record Outcome(int posts, Instant due, Instant lastPublished, Instant lastReceived, long published, long failedOrHeld,
            long sandboxStatuses, long sandboxDistinctTexts, long attempts) {

        double postsPerSecond() {
            return posts / seconds(due, lastPublished);
        }

        boolean everyPostExactlyOnce() {
            return published == posts && sandboxStatuses == posts && sandboxDistinctTexts == posts && failedOrHeld == 0;
        }
    }

    record Lag(double p50Ms, double p99Ms, double maxMs) {}

    private final JdbcClient db;
    private final BenchWorkspace workspace;
    private final String run;

    SignalboxLoad(JdbcClient db, BenchWorkspace workspace, String run) {
        this.db = db;
        this.workspace = workspace;
        this.run = run;
    }

    /** n posts all due at {@code due}. */
    String insertBurst(String label, int n, Instant due) {
        String prefix = textPrefix(label);
        db.sql("""
                insert into posts (id, profile_id, text, status, due_at, created_at, updated_at)
                select 'pst_' || :prefixId || n, ids[1 + n % cardinality(ids)], :prefix || n, 'scheduled', :due, now(), now()
                from generate_series(0, :n - 1) n, string_to_array(:ids, ',') ids
                order by n""")
                .param("prefixId", label + "_" + run + "_").param("prefix", prefix).param("due", odt(due))
                .param("n", n).param("ids", workspace.idList())
                .update();
        return prefix;
    }

    /** n posts due one after another at {@code rate} per second from {@code start}. */
    String insertSteady(String label, int n, int rate, Instant start) {
        String prefix = textPrefix(label);
        db.sql("""
                insert into posts (id, profile_id, text, status, due_at, created_at, updated_at)
                select 'pst_' || :prefixId || n, ids[1 + n % cardinality(ids)], :prefix || n, 'scheduled',
                       :start + make_interval(secs => n::float8 / :rate), now(), now()
                from generate_series(0, :n - 1) n, string_to_array(:ids, ',') ids
                order by n""")
                .param("prefixId", label + "_" + run + "_").param("prefix", prefix).param("start", odt(start))
                .param("rate", rate).param("n", n).param("ids", workspace.idList())
                .update();
        return prefix;
    }

    /** Waits until no post of this load is scheduled or publishing any more. */
    void awaitSettled(String prefix, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (true) {
            // exists, not count: stops at the first unsettled post, so polling costs the measured database little
            boolean unsettled = db.sql("select exists (select 1 from posts where status in ('scheduled', 'publishing') and text like :p || '%')")
                    .param("p", prefix).query(Boolean.class).single();
            if (!unsettled) return;
            if (Instant.now().isAfter(deadline)) {
                long pending = db.sql("select count(*) from posts where status in ('scheduled', 'publishing') and text like :p || '%'")
                        .param("p", prefix).query(Long.class).single();
                throw new IllegalStateException(pending + " posts still unpublished after " + within.toSeconds() + " s");
            }
            SignalboxProcess.sleep(500);
        }
    }

    Outcome outcome(String prefix, int n, Instant due) {
        return db.sql("""
                select max(p.published_at) as last_published,
                       count(*) filter (where p.status = 'published') as published,
                       count(*) filter (where p.status in ('failed', 'held')) as failed_or_held,
                       (select max(s.received_at) from sandbox_statuses s where s.text like :p || '%') as last_received,
                       (select count(*) from sandbox_statuses s where s.text like :p || '%') as statuses,
                       (select count(distinct s.text) from sandbox_statuses s where s.text like :p || '%') as distinct_texts,
                       (select count(*) from post_attempts a join posts q on q.id = a.post_id where q.text like :p || '%') as attempts
                from posts p where p.text like :p || '%'""")
                .param("p", prefix)
                .query((rs, i) -> new Outcome(n, due, rs.getTimestamp("last_published").toInstant(),
                        rs.getTimestamp("last_received").toInstant(), rs.getLong("published"), rs.getLong("failed_or_held"),
                        rs.getLong("statuses"), rs.getLong("distinct_texts"), rs.getLong("attempts")))
                .single();
    }

    Lag lag(String prefix) {
        return db.sql("""
                select percentile_cont(0.5) within group (order by ms), percentile_cont(0.99) within group (order by ms), max(ms)
                from (select extract(epoch from published_at - due_at) * 1000 as ms
                      from posts where text like :p || '%' and status = 'published') lags""")
                .param("p", prefix)
                .query((rs, i) -> new Lag(rs.getDouble(1), rs.getDouble(2), rs.getDouble(3)))
                .single();
    }

    /** p99 and max lag (ms) for the posts due in each stretch of {@code stretchSeconds} from {@code from}: where a tail came from. */
    String lagPerStretch(String prefix, Instant from, int stretchSeconds) {
        return String.join(" · ", db.sql("""
                select floor(extract(epoch from due_at - :from) / :stretch)::int,
                       percentile_cont(0.99) within group (order by extract(epoch from published_at - due_at) * 1000),
                       max(extract(epoch from published_at - due_at) * 1000)
                from posts where text like :p || '%' and status = 'published' group by 1 order by 1""")
                .param("p", prefix).param("from", odt(from)).param("stretch", stretchSeconds)
                .query((rs, i) -> String.format(java.util.Locale.ROOT, "%d–%d s: %,.0f / %,.0f", rs.getInt(1) * stretchSeconds,
                        (rs.getInt(1) + 1) * stretchSeconds, rs.getDouble(2), rs.getDouble(3)))
                .list());
    }

    /** p50/p99/max of ledger attempt time (claimed → settled, the network call included). */
    Lag attemptTimes(String prefix) {
        return db.sql("""
                select percentile_cont(0.5) within group (order by ms), percentile_cont(0.99) within group (order by ms), max(ms)
                from (select extract(epoch from a.finished_at - a.started_at) * 1000 as ms
                      from post_attempts a join posts p on p.id = a.post_id
                      where p.text like :p || '%' and a.finished_at is not null) times""")
                .param("p", prefix)
                .query((rs, i) -> new Lag(rs.getDouble(1), rs.getDouble(2), rs.getDouble(3)))
                .single();
    }

    /**
     * Statuses the sandbox received per {@code bucketSeconds} after {@code from}, for texts starting
     * with {@code prefix}: the shape of a burst (warm-up at the start, a tail at the end), counted on
     * the receiving side, the same for Signalbox and the reference.
     */
    String arrivalsPerBucket(String prefix, Instant from, int bucketSeconds) {
        // the last bucket is divided by the time it actually covers, up to the last arrival
        java.util.List<String> counts = db.sql("""
                with arrivals as (
                    select extract(epoch from received_at - :from) as s from sandbox_statuses where text like :p || '%'
                ), buckets as (
                    select floor(s / :bucket)::int as b, count(*) as n from arrivals group by 1
                )
                select n / greatest(0.001, least((b + 1) * :bucket, (select max(s) from arrivals)) - greatest(b * :bucket, 0))
                from buckets order by b""")
                .param("p", prefix).param("from", odt(from)).param("bucket", bucketSeconds)
                .query((rs, i) -> String.format(java.util.Locale.ROOT, "%,.0f", rs.getDouble(1)))
                .list();
        return String.join(" · ", counts);
    }

    /** How many of the posts with this prefix reached the sandbox in each whole bucket of {@code bucketSeconds} from {@code from}. */
    long[] arrivalCounts(String prefix, Instant from, int bucketSeconds, int buckets) {
        long[] counts = new long[buckets];
        db.sql("""
                select floor(extract(epoch from received_at - :from) / :bucket)::int, count(*)
                from sandbox_statuses where text like :p || '%' and received_at >= :from group by 1""")
                .param("p", prefix).param("from", odt(from)).param("bucket", bucketSeconds)
                .query((rs, i) -> {
                    int b = rs.getInt(1);
                    if (b >= 0 && b < buckets) counts[b] = rs.getLong(2);
                    return null;
                }).list();
        return counts;
    }

    private String textPrefix(String label) {
        return "Signalbox bench " + run + " " + label + " post ";
    }

    static OffsetDateTime odt(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }
}
