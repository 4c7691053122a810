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
 * Settles published attempts together: one writer thread takes every outcome that finished while
 * the previous batch was being written, and a batch is one statement (ledger lines and posts) and
 * one commit. Nothing waits on purpose, so a lone call is settled as soon as it finishes; under load
 * hundreds of settles share one round trip and one WAL flush instead of each taking a pooled
 * connection (see docs/decisions/0006).
 *
 * <p>Contract: {@link #settle} returns only once the outcome is committed (or throws if it could
 * not be), exactly as a statement of its own would. Each post is fenced as before: it changes only
 * while it is still {@code publishing}, claimed by this node, at this attempt.
 */
@Component
class PublishedSettlements {

    /** The most posts written by one statement. */
    static final int MAX_BATCH = 500;

    private record Pending(String node, Claims.Claimed claimed, PublishOutcome.Published outcome, CallTimes call, CompletableFuture<Void> done) {}

    private final JdbcClient db;
    private final Clock clock;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;

    PublishedSettlements(JdbcClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.thread = Thread.ofPlatform().daemon().name("published-settlements").start(this::run);
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
        while (!Thread.currentThread().isInterrupted()) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
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

    /** Runs after every lifecycle stop (the dispatcher has let its calls finish and settle by then). */
    @PreDestroy
    void close() {
        thread.interrupt();
    }

    /** A deadlock or serialisation failure rolls the whole batch back; it is written again (at most 3 tries). */
    private void writeRetryingDeadlocks(List<Pending> batch) {
        for (int attempt = 1; ; attempt++) {
            try {
                write(batch, clock.instant());
                return;
            } catch (org.springframework.dao.PessimisticLockingFailureException e) {
                if (attempt >= 3) throw e;
            }
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
