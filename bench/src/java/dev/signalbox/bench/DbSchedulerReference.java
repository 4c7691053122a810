package dev.signalbox.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The reference: the same burst through db-scheduler, one one-time task per post, each making
 * the call Signalbox's Mastodon adapter makes (form POST /api/v1/statuses with a bearer token and
 * an Idempotency-Key) with the same HTTP client settings. Threads = Signalbox's dispatch
 * concurrency, polling every 200 ms like Signalbox (db-scheduler's default is 10 s), lock-and-fetch
 * polling (its recommended strategy for high throughput on PostgreSQL), a 40-connection pool
 * (Signalbox's default pool size).
 */
final class DbSchedulerReference {

    record Outcome(int posts, Instant due, Instant lastCompleted, int completed, int failed, long tasksLeft, double meanCallMs) {
        double postsPerSecond() {
            return posts / SignalboxLoad.seconds(due, lastCompleted);
        }
    }

    static final String TASK = "sandbox-publish";
    private static final int POOL_SIZE = 40;
    private static final Duration POLLING_INTERVAL = Duration.ofMillis(200);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    private final String sandbox;
    private final List<String> tokens;
    /** Makes idempotency keys unique per run, so a warm-up's keys never collide with the measured run's. */
    private final String keyPrefix = "dbs-" + Long.toHexString(System.nanoTime()) + "-";
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicLong lastCompletedMillis = new AtomicLong();
    private final java.util.concurrent.atomic.LongAdder callNanos = new java.util.concurrent.atomic.LongAdder();

    DbSchedulerReference(String sandboxUrl, List<String> tokens) {
        this.sandbox = sandboxUrl;
        this.tokens = tokens;
    }

    /** Schedules n tasks due at {@code due} (which must still be ahead once they are in) and runs them all. */
    Outcome run(BenchDatabase database, int n, int threads, Instant due, String textPrefix, Duration within)
            throws IOException {
        return run(database, n, threads, due, textPrefix, within, () -> {});
    }

    /** As above; {@code scheduled} runs once every task is in, before the due instant (to start measuring there). */
    Outcome run(BenchDatabase database, int n, int threads, Instant due, String textPrefix, Duration within, Runnable scheduled)
            throws IOException {
        try (HikariDataSource pool = database.pool(BenchDatabase.DB_SCHEDULER, POOL_SIZE)) {
            createTable(JdbcClient.create(pool));
            OneTimeTask<String> publish = Tasks.oneTime(TASK, String.class).execute((instance, context) ->
                    publish(Integer.parseInt(instance.getId()), instance.getData()));
            Scheduler scheduler = Scheduler.create(pool, publish)
                    .threads(threads)
                    .pollingInterval(POLLING_INTERVAL)
                    .pollUsingLockAndFetch(0.5, 1.0)
                    .build();
            scheduler.start();
            try {
                List<TaskInstance<?>> batch = new ArrayList<>(1_000);
                for (int i = 0; i < n; i++) {
                    batch.add(publish.instance(Integer.toString(i), textPrefix + i));
                    if (batch.size() == 1_000 || i == n - 1) {
                        scheduler.scheduleBatch(batch, due);
                        batch.clear();
                    }
                }
                if (Instant.now().isAfter(due)) {
                    throw new IllegalStateException("scheduling the db-scheduler tasks took past their due time; raise the lead time");
                }
                scheduled.run();
                Instant deadline = Instant.now().plus(within);
                while (completed.get() + failed.get() < n) {
                    if (Instant.now().isAfter(deadline)) {
                        throw new IllegalStateException("db-scheduler finished only " + completed.get() + " of " + n + " tasks in time");
                    }
                    SignalboxProcess.sleep(200);
                }
            } finally {
                scheduler.stop();
            }
            long left = JdbcClient.create(pool).sql("select count(*) from scheduled_tasks").query(Long.class).single();
            return new Outcome(n, due, Instant.ofEpochMilli(lastCompletedMillis.get()), completed.get(), failed.get(), left,
                    callNanos.sum() / 1e6 / Math.max(1, completed.get() + failed.get()));
        }
    }

    private void publish(int post, String text) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("status", text);
        form.put("visibility", "public");
        HttpRequest request = HttpRequest.newBuilder(URI.create(sandbox + "/api/v1/statuses"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Bearer " + tokens.get(post % tokens.size()))
                .header("Idempotency-Key", keyPrefix + post)
                .POST(HttpRequest.BodyPublishers.ofString(SandboxTokens.form(form)))
                .build();
        long started = System.nanoTime();
        try {
            HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
            callNanos.add(System.nanoTime() - started);
            if (answer.statusCode() != 200) {
                failed.incrementAndGet();
                throw new IllegalStateException("sandbox answered " + answer.statusCode() + " to task " + post);
            }
        } catch (IOException e) {
            failed.incrementAndGet();
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.incrementAndGet();
            throw new IllegalStateException(e);
        }
        completed.incrementAndGet();
        lastCompletedMillis.accumulateAndGet(System.currentTimeMillis(), Math::max);
    }

    /** db-scheduler's PostgreSQL table, as in its postgresql_tables.sql (kept between a warm-up and the measured run). */
    private static void createTable(JdbcClient db) {
        db.sql("""
                create table if not exists scheduled_tasks (
                  task_name text not null,
                  task_instance text not null,
                  task_data bytea,
                  execution_time timestamp with time zone not null,
                  picked boolean not null,
                  picked_by text,
                  last_success timestamp with time zone,
                  last_failure timestamp with time zone,
                  consecutive_failures int,
                  last_heartbeat timestamp with time zone,
                  version bigint not null,
                  priority smallint,
                  primary key (task_name, task_instance)
                )""").update();
        db.sql("create index if not exists execution_time_idx on scheduled_tasks (execution_time)").update();
        db.sql("create index if not exists last_heartbeat_idx on scheduled_tasks (last_heartbeat)").update();
        db.sql("create index if not exists priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc)").update();
    }
}
