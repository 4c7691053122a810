package dev.signalbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The dispatch benchmark (see bench/README.md): one embedded PostgreSQL, Signalbox in its own
 * JVM publishing to its own sandbox network, and the two scenarios of the issue — a burst of
 * posts all due at one instant (with db-scheduler on the same PostgreSQL as the reference) and a
 * steady stream of posts due at an even rate. Prints a Markdown summary and writes it to
 * bench/results/latest.md. Exits 1 when a post was lost or published twice.
 */
public final class DispatchBench {

    private static final double BURST_TARGET_PER_SECOND = 1_000;
    private static final long HEAP_TARGET_MIB = 512;
    private static final double STEADY_P99_TARGET_MS = 1_000;

    private DispatchBench() {}

    public static void main(String[] args) throws Exception {
        BenchSettings settings = BenchSettings.fromSystemProperties();
        if (settings.scenario().equals("halt")) {
            System.exit(HaltBench.run(settings) ? 0 : 1);
        }
        if (settings.scenario().equals("mail")) {
            System.exit(MailBench.run(settings) ? 0 : 1);
        }
        String run = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path workDir = Files.createTempDirectory("signalbox-bench-");
        BenchReport report = new BenchReport();
        report.header("run " + run + ", " + Runtime.getRuntime().availableProcessors() + " cores, Java " + Runtime.version()
                + ", Signalbox heap -Xmx" + settings.appXmx() + ", dispatch concurrency " + settings.concurrency()
                + ", " + settings.profiles() + " sandbox profiles, sandbox latency " + settings.latencyMs() + " ms");
        report.header("load average at start: " + loadAverage() + " (other work on the machine skews every figure)");
        boolean exactlyOnce = true;

        progress("starting the embedded PostgreSQL and Signalbox (logs in " + workDir + ")");
        boolean separate = Boolean.parseBoolean(System.getProperty("bench.separateSandbox", "false"));
        report.header(separate
                ? "the sandbox runs in a second Signalbox JVM with dispatch off; the measured JVM only publishes (as db-scheduler's harness JVM does)"
                : "the sandbox is served by the measured Signalbox JVM itself: it both publishes and receives");
        String key = SignalboxProcess.randomKey();
        try (BenchDatabase database = BenchDatabase.start();
                SignalboxProcess receiver = separate ? SignalboxProcess.start(settings, database.url(BenchDatabase.SIGNALBOX),
                        workDir.resolve("sandbox"), key, List.of("--signalbox.dispatch.enabled=false")) : null;
                SignalboxProcess app = separate
                        ? SignalboxProcess.start(settings, database.url(BenchDatabase.SIGNALBOX), workDir.resolve("app"), key,
                                List.of("--signalbox.sandbox.url=" + receiver.sandboxUrl()))
                        : SignalboxProcess.start(settings, database.url(BenchDatabase.SIGNALBOX), workDir);
                HikariDataSource pool = database.pool(BenchDatabase.SIGNALBOX, 4)) {
            JdbcClient db = JdbcClient.create(pool);
            Instant appStarted = Instant.now();
            progress("connecting " + settings.profiles() + " sandbox profiles through the REST API");
            BenchWorkspace workspace = BenchWorkspace.connect(app.port(), settings.profiles());
            SignalboxLoad load = new SignalboxLoad(db, workspace, run);

            String sandboxUrl = separate ? receiver.sandboxUrl() : app.sandboxUrl();
            java.util.Map<String, Long> jvms = new java.util.LinkedHashMap<>();
            jvms.put("Signalbox JVM", app.pid());
            if (separate) jvms.put("sandbox JVM", receiver.pid());
            jvms.put("harness JVM", ProcessHandle.current().pid());
            CpuUse cpu = new CpuUse(jvms, database.postmasterPid());
            if (settings.runsBurst()) {
                exactlyOnce &= burst(settings, database, app, sandboxUrl, db, load, run, report, cpu);
            }
            if (settings.runsSteady()) {
                exactlyOnce &= steady(settings, app, load, database, report);
            }
            HeapUse whole = app.heapBetween(appStarted, Instant.now());
            report.row("Signalbox heap over the whole run, setup included", whole.describe());
        }
        report.header("load average at end: " + loadAverage());
        report.note("Peak heap is the largest heap occupancy before any GC in the window, from the app's -Xlog:gc log"
                + " (exact at each collection, garbage included); \"live after GC\" is the largest occupancy right after one.");
        if (!separate) report.note("The sandbox network is served by the Signalbox app itself: its JVM both publishes and receives (the one-box case).");
        String markdown = report.markdown();
        System.out.println();
        System.out.println(markdown);
        Path results = Path.of("bench", "results", "latest.md");
        report.writeTo(results);
        progress("written to " + results.toAbsolutePath());
        System.exit(exactlyOnce ? 0 : 1);
    }

    private static boolean burst(BenchSettings settings, BenchDatabase database, SignalboxProcess app, String sandboxUrl, JdbcClient db,
            SignalboxLoad load, String run, BenchReport report, CpuUse cpu) throws Exception {
        int n = settings.posts();
        Duration within = Duration.ofSeconds(Math.max(180, n / 100));
        int warmup = settings.warmupPosts();
        boolean warmOnce = true;
        if (warmup > 0) {
            // Both are measured warm: the app JVM compiles its sending and receiving paths during a first burst
            // (C2 took most of a core for the first ~40 s of a cold 100,000-post burst), and db-scheduler,
            // which runs second, would otherwise meet an app already compiled by Signalbox's run.
            Instant warmDue = Instant.now().plus(lead(warmup, 10_000));
            progress("warm-up: a " + warmup + "-post Signalbox burst due at " + warmDue + " (not measured)");
            String warmPrefix = load.insertBurst("warmup", warmup, warmDue);
            load.awaitSettled(warmPrefix, within);
            SignalboxLoad.Outcome cold = load.outcome(warmPrefix, warmup, warmDue);
            report.row("Burst warm-up, not measured: Signalbox, cold JVM (" + warmup + " posts)",
                    BenchReport.perSecond(cold.postsPerSecond()) + "; per 10 s: " + load.arrivalsPerBucket(warmPrefix, warmDue, 10));
            warmOnce = cold.everyPostExactlyOnce();
            if (!warmOnce) progress("warm-up: NOT every post exactly once: " + cold);
        }
        // The same lead as db-scheduler's below, and the table just written vacuumed and analysed before the
        // due instant on both sides: the autovacuum that a bulk insert triggers (within a minute, at a random
        // moment) otherwise lands in one measured window and not the other.
        Instant due = Instant.now().plus(lead(n, 4_000));
        progress("burst: inserting " + n + " posts, all due at " + due);
        String prefix = load.insertBurst("burst", n, due);
        database.vacuumAnalyze(BenchDatabase.SIGNALBOX, "posts");
        database.checkpoint();
        requireAhead(due, "burst posts");
        database.resetStatements();
        BenchDatabase.Maintenance upkeepBefore = database.maintenance();
        CpuUse.Sampler stretches = cpu.sampleFrom(due, Duration.ofSeconds(STRETCH_SECONDS));
        CpuUse.Snapshot cpuBefore = cpu.snapshotAt(due);
        load.awaitSettled(prefix, within);
        String cpuUsed = cpu.snapshot().perPostSince(cpuBefore, n);
        String cpuByStretch = byStretch(stretches.stop(), load, prefix, due);
        String upkeep = database.maintenance().since(upkeepBefore);
        Instant settled = Instant.now();
        if (BenchDatabase.pgStats()) progress("burst: database time by statement\n" + database.topStatements(15));
        SignalboxLoad.Outcome ours = load.outcome(prefix, n, due);
        HeapUse heap = app.heapBetween(due, settled);
        progress("burst: " + ours);

        SignalboxLoad.Lag attempts = load.attemptTimes(prefix);
        boolean once = warmOnce && ours.everyPostExactlyOnce();
        report.check("Burst: Signalbox throughput (" + n + " posts, due instant → last published)",
                BenchReport.perSecond(ours.postsPerSecond()) + " (" + BenchReport.seconds(SignalboxLoad.seconds(due, ours.lastPublished())) + ")",
                "≥ 1,000 posts/s", ours.postsPerSecond() >= BURST_TARGET_PER_SECOND);
        report.check("Burst: Signalbox peak heap", heap.describe(), "≤ " + HEAP_TARGET_MIB + " MiB",
                heap.collections() > 0 && heap.peakMiB() <= HEAP_TARGET_MIB);
        report.check("Burst: every post published exactly once",
                ours.published() + " published, " + ours.sandboxStatuses() + " sandbox statuses (" + ours.sandboxDistinctTexts()
                        + " distinct), " + ours.failedOrHeld() + " failed/held, " + ours.attempts() + " attempts",
                n + " each", once);

        report.row("Burst: Signalbox posts/s received by the sandbox, per 10 s from the due instant",
                load.arrivalsPerBucket(prefix, due, 10));
        report.row("Burst: database upkeep during the Signalbox burst", upkeep);
        report.row("Burst: CPU ms per post by process during the Signalbox burst", cpuUsed);
        report.row("Burst: the same, per " + STRETCH_SECONDS + " s from the due instant (Signalbox burst)", cpuByStretch);
        report.row("Burst: Signalbox attempt time, claimed → settled (the " + settings.latencyMs() + " ms call included)",
                "p50 " + BenchReport.millis(attempts.p50Ms()) + ", p99 " + BenchReport.millis(attempts.p99Ms())
                        + ", max " + BenchReport.millis(attempts.maxMs()));

        if (settings.reference()) {
            progress("reference: getting " + settings.profiles() + " sandbox tokens for db-scheduler");
            List<String> tokens = new SandboxTokens(sandboxUrl).forAccounts(settings.profiles());
            if (warmup > 0) {
                String warmPrefix = "db-scheduler bench " + run + " warmup post ";
                Instant warmDue = Instant.now().plus(lead(warmup, 4_000));
                progress("warm-up: " + warmup + " db-scheduler tasks due at " + warmDue + " (not measured)");
                DbSchedulerReference.Outcome cold = new DbSchedulerReference(sandboxUrl, tokens)
                        .run(database, warmup, settings.concurrency(), warmDue, warmPrefix, within);
                report.row("Burst warm-up, not measured: db-scheduler (" + warmup + " tasks)",
                        BenchReport.perSecond(cold.postsPerSecond()) + "; per 10 s: " + load.arrivalsPerBucket(warmPrefix, warmDue, 10));
            }
            String refPrefix = "db-scheduler bench " + run + " burst post ";
            Instant refDue = Instant.now().plus(lead(n, 4_000));
            progress("reference: scheduling " + n + " db-scheduler tasks, all due at " + refDue);
            database.resetStatements();
            BenchDatabase.Maintenance refUpkeepBefore = database.maintenance();
            CpuUse.Snapshot[] refCpuBefore = new CpuUse.Snapshot[1];
            CpuUse.Sampler[] refStretches = new CpuUse.Sampler[1];
            DbSchedulerReference.Outcome theirs = new DbSchedulerReference(sandboxUrl, tokens)
                    .run(database, n, settings.concurrency(), refDue, refPrefix, within, () -> {
                        database.vacuumAnalyze(BenchDatabase.DB_SCHEDULER, "scheduled_tasks");
                        database.checkpoint();
                        requireAhead(refDue, "db-scheduler tasks");
                        refStretches[0] = cpu.sampleFrom(refDue, Duration.ofSeconds(STRETCH_SECONDS));
                        refCpuBefore[0] = cpu.snapshotAt(refDue);
                    });
            String refCpuUsed = cpu.snapshot().perPostSince(refCpuBefore[0], n);
            String refCpuByStretch = byStretch(refStretches[0].stop(), load, refPrefix, refDue);
            String refUpkeep = database.maintenance().since(refUpkeepBefore);
            if (BenchDatabase.pgStats()) progress("reference: database time by statement (both databases)\n" + database.topStatements(15));
            long[] received = db.sql("select count(*), count(distinct text) from sandbox_statuses where text like :p || '%'")
                    .param("p", refPrefix).query((rs, i) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
            progress("reference: " + theirs + ", sandbox received " + received[0] + " (" + received[1] + " distinct)");
            boolean theirsOnce = theirs.completed() == n && theirs.failed() == 0 && received[0] == n && received[1] == n;
            double ratio = ours.postsPerSecond() / theirs.postsPerSecond();
            report.row("Burst: db-scheduler 16.7.1 throughput (same calls, " + settings.concurrency() + " threads, 200 ms polling)",
                    BenchReport.perSecond(theirs.postsPerSecond()) + " (" + BenchReport.seconds(SignalboxLoad.seconds(refDue, theirs.lastCompleted()))
                            + "; " + theirs.completed() + " done, " + theirs.failed() + " failed, sandbox got " + received[0] + ")");
            report.row("Burst: db-scheduler posts/s received by the sandbox, per 10 s from the due instant",
                    load.arrivalsPerBucket(refPrefix, refDue, 10));
            report.row("Burst: database upkeep during the db-scheduler burst", refUpkeep);
            report.row("Burst: CPU ms per post by process during the db-scheduler burst", refCpuUsed);
            report.row("Burst: the same, per " + STRETCH_SECONDS + " s from the due instant (db-scheduler burst)", refCpuByStretch);
            report.row("Burst: db-scheduler mean call time (the " + settings.latencyMs() + " ms call)",
                    BenchReport.millis(theirs.meanCallMs()));
            report.check("Burst: Signalbox ÷ db-scheduler", String.format(java.util.Locale.ROOT, "%.2f×", ratio), "≥ 1.0×", ratio >= 1.0);
            once &= theirsOnce;
        }
        return once;
    }

    static final int STRETCH_SECONDS = 10;

    /** CPU ms per post by process in each whole stretch of a burst (posts counted by their arrival at the sandbox). */
    private static String byStretch(List<CpuUse.Snapshot> snapshots, SignalboxLoad load, String prefix, Instant due) {
        if (snapshots.size() < 2) return "– (shorter than one stretch)";
        long[] posts = load.arrivalCounts(prefix, due, STRETCH_SECONDS, snapshots.size() - 1);
        java.util.StringJoiner out = new java.util.StringJoiner(" · ");
        for (int i = 0; i + 1 < snapshots.size(); i++) {
            out.add(i * STRETCH_SECONDS + "–" + (i + 1) * STRETCH_SECONDS + " s: " + posts[i] + " posts, "
                    + CpuUse.stretch(snapshots.get(i), snapshots.get(i + 1), posts[i]));
        }
        return out.toString();
    }

    private static boolean steady(BenchSettings settings, SignalboxProcess app, SignalboxLoad load, BenchDatabase database, BenchReport report)
            throws Exception {
        // The bursts before it churned hundreds of thousands of rows: their autovacuum and a checkpoint fell in the
        // steady run's first minute (in one run p99 1,164 ms there, 107–128 ms after it). Done before, not measured.
        progress("steady: vacuuming the tables the bursts churned, and a checkpoint");
        database.vacuumAnalyze(BenchDatabase.SIGNALBOX, "posts, post_attempts, sandbox_statuses, sandbox_idempotency_keys");
        if (settings.runsBurst() && settings.reference()) database.vacuumAnalyze(BenchDatabase.DB_SCHEDULER, "scheduled_tasks");
        database.checkpoint();
        int n = settings.steadyPosts();
        Instant start = Instant.now().plus(lead(n, 20_000));
        progress("steady: inserting " + n + " posts due at " + settings.rate() + "/s over " + settings.seconds() + " s from " + start);
        String prefix = load.insertSteady("steady", n, settings.rate(), start);
        requireAhead(start, "steady posts");
        BenchDatabase.Maintenance upkeepBefore = database.maintenance();
        load.awaitSettled(prefix, Duration.ofSeconds(settings.seconds() + 180L));
        String upkeep = database.maintenance().since(upkeepBefore);
        Instant settled = Instant.now();
        SignalboxLoad.Outcome ours = load.outcome(prefix, n, start);
        SignalboxLoad.Lag lag = load.lag(prefix);
        HeapUse heap = app.heapBetween(start, settled);
        progress("steady: " + ours + ", " + lag);
        boolean once = ours.everyPostExactlyOnce();
        report.check("Steady: lag due → published, p99 (" + settings.rate() + " posts/s for " + settings.seconds() + " s)",
                BenchReport.millis(lag.p99Ms()) + " (p50 " + BenchReport.millis(lag.p50Ms()) + ", max " + BenchReport.millis(lag.maxMs()) + ")",
                "≤ 1,000 ms", lag.p99Ms() <= STEADY_P99_TARGET_MS);
        report.row("Steady: lag p99 / max (ms), by due time, per 30 s", load.lagPerStretch(prefix, start, 30));
        report.row("Steady: database upkeep during the run", upkeep);
        report.row("Steady: Signalbox peak heap", heap.describe());
        report.check("Steady: every post published exactly once",
                ours.published() + " published, " + ours.sandboxStatuses() + " sandbox statuses (" + ours.sandboxDistinctTexts()
                        + " distinct), " + ours.failedOrHeld() + " failed/held",
                n + " each", once);
        return once;
    }

    /** Time to insert n rows at a pessimistic rate, plus 5 s, so the due instant is still ahead once they are in. */
    private static Duration lead(int n, int rowsPerSecond) {
        return Duration.ofSeconds(5 + n / rowsPerSecond);
    }

    private static void requireAhead(Instant due, String what) {
        if (!Instant.now().isBefore(due)) {
            throw new IllegalStateException("Inserting the " + what + " took past their due time " + due
                    + "; the measurement would be wrong. The machine is too busy or the lead time too short.");
        }
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown" off Linux. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static void progress(String line) {
        System.err.println("[bench " + DateTimeFormatter.ISO_LOCAL_TIME.withZone(ZoneOffset.UTC).format(Instant.now()) + "] " + line);
    }
}
