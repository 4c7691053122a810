package dev.signalbox.publishing;

import dev.signalbox.networks.PublishOutcome;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import jakarta.annotation.PreDestroy;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Settles published attempts together: a writer thread takes every outcome that finished while
 * the previous batch was being written, and a batch is one statement (ledger lines and posts) and
 * one commit. Two writers take turns ({@code signalbox.dispatch.settlement-writers}): while one waits for its
 * statement, the other takes what finished meanwhile. Under full load a batch took 70 ms at the median and up to
 * 440 ms, and with one writer an outcome waited for the whole batch before its own (decision 0015).
 *
 * <p>A lone call is settled as soon as it finishes; under load hundreds of settles share one round trip
 * and one WAL flush instead of each taking a pooled connection (see docs/decisions/0006). Only while outcomes arrive faster than batches are written (the last batch
 * had {@link #BUSY_BATCH} or more) does the writer gather for up to {@link #GATHER_MILLIS} before
 * writing, never while a halt is being placed or in place: a halt waits for these writes.
 *
 * <p>Contract: {@link #settle} returns only once the outcome is committed (or throws if it could
 * not be), exactly as a statement of its own would. Each post is fenced as before: it changes only
 * while it is still {@code publishing}, claimed by this node, at this attempt.
 */
@Component
class PublishedSettlements {

    /** The most posts written by one statement. */
    static final int MAX_BATCH = 500;
    /** A batch this large means outcomes arrive steadily: the next one gathers (see the class comment). */
    static final int BUSY_BATCH = 16;
    /** How many a gathering writer waits for, and for how long at most. */
    static final int GATHER_TARGET = 128;
    static final long GATHER_MILLIS = 20;

    private record Pending(String node, Claims.Claimed claimed, PublishOutcome.Published outcome, CallTimes call, CompletableFuture<Void> done) {}

    private final JdbcClient db;
    private final Clock clock;
    private final HaltWatch halts;
    private final SettledPosts settled;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();

    PublishedSettlements(JdbcClient db, Clock clock, HaltWatch halts, SettledPosts settled,
            @org.springframework.beans.factory.annotation.Value("${signalbox.dispatch.settlement-writers:2}") int writerCount) {
        this.db = db;
        this.settled = settled;
        this.clock = clock;
        this.halts = halts;
        if (writerCount < 1) throw new IllegalArgumentException("signalbox.dispatch.settlement-writers must be at least 1, not " + writerCount);
        for (int i = 1; i <= writerCount; i++) {
            writers.add(Thread.ofPlatform().daemon().name("published-settlements-" + i).start(this::run));
        }
    }

    /** Records a published outcome; returns once it is committed. */
    void settle(String node, Claims.Claimed claimed, PublishOutcome.Published outcome, CallTimes call) {
        Pending mine = new Pending(node, claimed, outcome, call, new CompletableFuture<>());
        queue.add(mine);
        try {
            mine.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while settling " + claimed.postId() + "; its claim will expire", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The writer: waits for a first line, takes whatever else is queued with it, writes them as one. */
    private void run() {
        List<Pending> batch = new ArrayList<>();
        int last = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            if (last >= BUSY_BATCH) gather(batch);
            last = batch.size();
            try {
                writeRetryingDeadlocks(batch);
                batch.forEach(p -> p.done().complete(null));
            } catch (RuntimeException e) {
                batch.forEach(p -> p.done().completeExceptionally(e));
            }
            batch.clear();
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            left.done().completeExceptionally(new IllegalStateException("Signalbox is stopping; the claim will expire and be retried"));
        }
    }

    /**
     * A statement costs nearly as much for 25 posts as for 125 (on an idle database: 25 posts 1.3–3.1 ms
     * to run plus 1.3–1.9 ms to plan, 125 posts 2.0–2.4 ms plus 1.7–1.9 ms), and in a 100,000-post burst
     * batches averaged 25 posts (4,057 statements, 4.6 ms each): under steady load, waiting a moment for
     * more saves statements. Not while a halt is being placed or in place: the halt waits for these writes.
     */
    private void gather(List<Pending> batch) {
        long deadline = System.nanoTime() + GATHER_MILLIS * 1_000_000;
        // polled in steps of at most 2 ms, so that a halt announced meanwhile stops the wait soon
        while (batch.size() < GATHER_TARGET && !halts.beingPlaced() && halts.active().isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return;
            Pending more;
            try {
                more = queue.poll(Math.min(left, 2_000_000), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stopping: what was gathered is still written
                return;
            }
            if (more != null) {
                batch.add(more);
                queue.drainTo(batch, MAX_BATCH - batch.size());
            }
        }
    }

    /** Runs after every lifecycle stop (the dispatcher has let its calls finish and settle by then). */
    @PreDestroy
    void close() {
        writers.forEach(Thread::interrupt);
    }

    /** A deadlock or serialisation failure rolls the whole batch back; it is written again (at most 3 tries). */
    private void writeRetryingDeadlocks(List<Pending> batch) {
        for (int attempt = 1; ; attempt++) {
            try {
                write(batch, clock.instant());
            } catch (org.springframework.dao.PessimisticLockingFailureException e) {
                if (attempt >= 3) throw e;
                continue;
            }
            // Committed: a halt waiting for these posts hears now. Every attempt of the batch is announced, also
            // one the statement's fence left alone: that claim is over either way (the post was settled, or
            // claimed again under a new attempt number), so no halt waits for it.
            settled.announce(batch.stream().map(Pending::claimed).toList());
            return;
        }
    }

    private void write(List<Pending> batch, Instant now) {
        int n = batch.size();
        String[] ids = new String[n];
        String[] nodes = new String[n];
        int[] attempts = new int[n];
        String[] networkPostIds = new String[n];
        String[] urls = new String[n];
        String[] callsStarted = new String[n];
        String[] callsAnswered = new String[n];
        for (int i = 0; i < n; i++) {
            Pending p = batch.get(i);
            ids[i] = p.claimed().postId();
            nodes[i] = p.node();
            attempts[i] = p.claimed().attempt();
            networkPostIds[i] = p.outcome().networkPostId();
            urls[i] = p.outcome().url();
            callsStarted[i] = p.call() == null ? null : p.call().started().toString();
            callsAnswered[i] = p.call() == null ? null : p.call().answered().toString();
        }
        db.sql("""
                with done as (
                    select * from unnest(cast(:ids as text[]), cast(:nodes as text[]), cast(:attempts as int[]),
                                         cast(:npids as text[]), cast(:urls as text[]), cast(:started as timestamptz[]),
                                         cast(:answered as timestamptz[]))
                                  as d(id, node, attempt, npid, url, call_started_at, call_answered_at)
                ), mine as materialized (
                    -- lock in id order, as the heartbeat does, so the two never deadlock
                    select p.id from posts p join done d on d.id = p.id
                    where p.status = 'publishing' and p.claimed_by = d.node and p.attempts = d.attempt
                    order by p.id
                    for update of p
                ), ledger as (
                    update post_attempts a set finished_at = :now, outcome = 'published', detail = null, network_post_id = d.npid,
                           call_started_at = d.call_started_at, call_answered_at = d.call_answered_at
                    from done d
                    where a.post_id = d.id and a.attempt = d.attempt
                )
                update posts p set status = 'published', published_at = :now, network_post_id = d.npid, network_url = d.url,
                       claimed_by = null, claim_expires_at = null, next_attempt_at = null,
                       failure_kind = null, failure_message = null, updated_at = :now
                from done d join mine m on m.id = d.id
                where p.id = d.id and p.status = 'publishing' and p.claimed_by = d.node and p.attempts = d.attempt""")
                .param("ids", ids).param("nodes", nodes).param("attempts", attempts).param("npids", networkPostIds).param("urls", urls)
                .param("started", callsStarted).param("answered", callsAnswered).param("now", Posts.odt(now))
                .update();
    }
}
