package dev.signalbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.signalbox.testing.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The halt benchmark (issue: incident command): three Signalbox JVMs on one PostgreSQL at full
 * dispatch load against the sandbox network, then many global halts placed at random moments.
 * For each halt it measures, from the moment the operator sends the request (the harness connects
 * and writes it on its own thread, {@link BlockingPost}):
 * <ul>
 *   <li>until no new publish call starts — the latest {@code call_started_at} in the ledger, stamped
 *       by the node just before it sends the request (and, as a second figure, the latest arrival at
 *       the network, the sandbox's {@code received_at});</li>
 *   <li>until quiescent — the halt's {@code quiescentAt}: every call in flight has been answered;
 *       and how long after the last answer ({@code call_answered_at}) among the calls in flight from
 *       the request until the halt returned that was — the time the halt itself added beyond the calls'
 *       own duration (the target: 100 ms). Also, as measured before, counting only the posts
 *       the halt listed as in flight once it held the claim lock.</li>
 * </ul>
 * After each halt it lifts it and lets dispatch run again; at the end every post must have been
 * published exactly once.
 */
final class HaltBench {

    static final String ADMIN = "bench-operator@example.com";
    static final String PASSWORD = "bench-operator-password";

    private HaltBench() {}

    static boolean run(BenchSettings settings) throws Exception {
        int halts = BenchSettings.halts();
        String run = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path workDir = Files.createTempDirectory("signalbox-halt-bench-");
        BenchReport report = new BenchReport();
        report.header("halt scenario, run " + run + ", " + Runtime.getRuntime().availableProcessors() + " cores, 3 Signalbox nodes (-Xmx"
                + settings.appXmx() + " each, dispatch concurrency " + settings.concurrency() + "), " + settings.profiles()
                + " sandbox profiles, sandbox latency " + settings.latencyMs() + " ms, " + halts + " global halts");
        report.header("load average at start: " + DispatchBench.loadAverage());
        String key = SignalboxProcess.randomKey();
        DispatchBench.progress("starting PostgreSQL and three Signalbox nodes (logs in " + workDir + ")");
        // With bench.separateSandbox the network is a fourth JVM (dispatch off), as a real network is elsewhere;
        // by default node a serves it for all three, so halts sent to a queue behind the network's own traffic.
        boolean separate = Boolean.parseBoolean(System.getProperty("bench.separateSandbox", "false"));
        report.header(separate ? "the sandbox network runs in a fourth JVM (dispatch off); the three nodes only dispatch"
                : "node a also serves the sandbox network for all three nodes");
        if (separate && Integer.getInteger("bench.networkNice", 0) != 0) {
            report.header("the network's JVM runs at nice " + Integer.getInteger("bench.networkNice") + " (the nodes, PostgreSQL and the harness at 0)");
        }
        try (BenchDatabase database = BenchDatabase.start();
                SignalboxProcess network = separate ? SignalboxProcess.start(settings, database.url(BenchDatabase.SIGNALBOX),
                        workDir.resolve("network"), key, List.of("--signalbox.dispatch.enabled=false")) : null;
                SignalboxProcess a = SignalboxProcess.start(settings, database.url(BenchDatabase.SIGNALBOX), workDir.resolve("a"), key,
                        separate ? List.of("--signalbox.admin.email=" + ADMIN, "--signalbox.admin.password=" + PASSWORD,
                                "--signalbox.sandbox.url=" + network.sandboxUrl())
                                : List.of("--signalbox.admin.email=" + ADMIN, "--signalbox.admin.password=" + PASSWORD));
                SignalboxProcess b = SignalboxProcess.start(settings, database.url(BenchDatabase.SIGNALBOX), workDir.resolve("b"), key,
                        List.of("--signalbox.sandbox.url=" + (separate ? network : a).sandboxUrl()));
                SignalboxProcess c = SignalboxProcess.start(settings, database.url(BenchDatabase.SIGNALBOX), workDir.resolve("c"), key,
                        List.of("--signalbox.sandbox.url=" + (separate ? network : a).sandboxUrl()));
                HikariDataSource pool = database.pool(BenchDatabase.SIGNALBOX, 4)) {
            JdbcClient db = JdbcClient.create(pool);
            DispatchBench.progress("connecting " + settings.profiles() + " sandbox profiles");
            BenchWorkspace workspace = BenchWorkspace.connect(a.port(), settings.profiles());
            SignalboxLoad load = new SignalboxLoad(db, workspace, run);
            Api operator = Api.at(a.port()).as(Api.at(a.port()).post("/api/v1/auth/token",
                    "{\"email\":\"" + ADMIN + "\",\"password\":\"" + PASSWORD + "\"}").text("token"));
            Api[] entryPoints = {operator, Api.at(b.port()).as(operator.bearer()), Api.at(c.port()).as(operator.bearer())};
            int[] ports = {a.port(), b.port(), c.port()};
            SignalboxProcess[] nodes = {a, b, c};

            boolean sourceStamps = db.sql("""
                    select exists (select 1 from information_schema.columns where table_name = 'post_attempts' and column_name = 'call_started_at')""")
                    .query(Boolean.class).single();
            if (!sourceStamps) report.header("this build has no post_attempts.call_started_at: call start is measured at the network only");
            int n = settings.posts();
            DispatchBench.progress("inserting " + n + " posts due now: dispatch runs flat out on three nodes");
            String prefix = load.insertBurst("halt", n, Instant.now());
            Thread.sleep(5_000);
            // A node that has run for a while has compiled its halt path; the first halts of a cold JVM measure the JIT.
            int warmups = Integer.getInteger("bench.haltWarmups", 6);
            for (int w = 0; w < warmups; w++) {
                Thread.sleep(ThreadLocalRandom.current().nextLong(300, 800));
                Api via = entryPoints[w % 3];
                Api.Answer halt = BlockingPost.send(ports[w % 3], operator.bearer(), "/api/v1/halts",
                        "{\"scope\":\"global\",\"reason\":\"benchmark warm-up " + w + "\"}");
                if (halt.status() != 201) throw new IllegalStateException("warm-up halt " + w + " answered " + halt.status() + ": " + halt.body());
                via.delete("/api/v1/halts/" + halt.json().get("id").asString() + "?reason=benchmark");
            }
            database.resetStatements();
            if (warmups > 0) {
                report.header(warmups + " warm-up halts (placed and lifted under the same load, not measured) before the measured ones");
                DispatchBench.progress(warmups + " warm-up halts done");
            }

            List<Double> noNewCall = new ArrayList<>();
            List<Double> noNewArrival = new ArrayList<>();
            List<Double> quiescent = new ArrayList<>();
            List<Double> beyondCalls = new ArrayList<>();
            List<Double> beyondListed = new ArrayList<>();
            List<Double> inFlightCallDurations = new ArrayList<>();
            boolean answerStamps = db.sql("""
                    select exists (select 1 from information_schema.columns where table_name = 'post_attempts' and column_name = 'call_answered_at')""")
                    .query(Boolean.class).single();
            List<Double> answered = new ArrayList<>();
            List<Double> pickedUp = new ArrayList<>();
            List<Double> committed = new ArrayList<>();
            List<Integer> inFlight = new ArrayList<>();
            for (int i = 0; i < halts; i++) {
                Thread.sleep(ThreadLocalRandom.current().nextLong(300, 1200));
                Api via = entryPoints[i % 3];
                Instant asked = Instant.now();
                Api.Answer halt = BlockingPost.send(ports[i % 3], operator.bearer(), "/api/v1/halts",
                        "{\"scope\":\"global\",\"reason\":\"benchmark halt " + i + "\"}");
                Instant returned = Instant.now();
                if (halt.status() != 201) throw new IllegalStateException("halt " + i + " answered " + halt.status() + ": " + halt.body());
                JsonNode body = halt.json();
                Thread.sleep(Math.max(300, settings.latencyMs() * 4L));
                // at the network: arrival at the sandbox, which includes the time a request waits in its (busy) server
                Timestamp lastArrival = db.sql("select max(received_at) from sandbox_statuses where received_at >= :t and text like :p || '%'")
                        .param("t", Timestamp.from(asked)).param("p", prefix).query(Timestamp.class).optional().orElse(null);
                // at the source: the ledger's call_started_at, stamped by the node just before the request is sent
                // (a build without that column, as before V18, is measured at the network only)
                Timestamp lastStart = lastArrival;
                if (sourceStamps) {
                    lastStart = db.sql("select max(call_started_at) from post_attempts where call_started_at >= :t")
                            .param("t", Timestamp.from(asked)).query(Timestamp.class).optional().orElse(null);
                    long lateCalls = db.sql("select count(*) from post_attempts where call_started_at > :t")
                            .param("t", Timestamp.from(returned)).query(Long.class).single();
                    if (lateCalls > 0) throw new IllegalStateException(lateCalls + " calls started after halt " + i + " returned");
                }
                long lateStarts = db.sql("select count(*) from sandbox_statuses where received_at > :t and text like :p || '%'")
                        .param("t", Timestamp.from(returned)).param("p", prefix).query(Long.class).single();
                if (lateStarts > 0) throw new IllegalStateException(lateStarts + " calls reached the network after halt " + i + " returned");
                noNewCall.add(lastStart == null ? 0.0 : Math.max(0, millis(asked, lastStart.toInstant())));
                noNewArrival.add(lastArrival == null ? 0.0 : Math.max(0, millis(asked, lastArrival.toInstant())));
                Instant quiescentAt = Instant.parse(body.get("quiescentAt").asString());
                quiescent.add(millis(asked, quiescentAt));
                if (answerStamps) {
                    // The in-flight calls' own end. The calls in flight are every call the halt had to wait for: in
                    // flight when the request was sent, or started after it but before the halt returned. Their
                    // latest answer is when the network itself went quiet; the halt's quiescentAt comes after it.
                    // A halt with none of them has only its own work: measured from the request.
                    Instant lastAnswer = asked;
                    for (var row : db.sql("""
                            select call_started_at, call_answered_at from post_attempts
                            where call_answered_at > :asked and call_started_at <= :returned""")
                            .param("asked", Timestamp.from(asked)).param("returned", Timestamp.from(returned))
                            .query((rs, r) -> new Instant[] {rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant()}).list()) {
                        inFlightCallDurations.add(millis(row[0], row[1]));
                        if (row[1].isAfter(lastAnswer)) lastAnswer = row[1];
                    }
                    beyondCalls.add(Math.max(0, millis(lastAnswer, quiescentAt)));
                    // as measured before: only the posts the halt listed as in flight once it held the claim lock, so
                    // calls answered between the request and that moment were not counted as the calls' own time
                    String[] ids = new String[body.get("inFlightAtHalt").size()];
                    for (int k = 0; k < ids.length; k++) ids[k] = body.get("inFlightAtHalt").get(k).get("postId").asString();
                    Instant lastListedAnswer = asked;
                    for (Timestamp answer : db.sql("""
                            select call_answered_at from post_attempts
                            where post_id = any(:ids) and call_answered_at is not null and call_started_at <= :returned""")
                            .param("ids", ids).param("returned", Timestamp.from(returned)).query(Timestamp.class).list()) {
                        if (answer.toInstant().isAfter(lastListedAnswer)) lastListedAnswer = answer.toInstant();
                    }
                    beyondListed.add(Math.max(0, millis(lastListedAnswer, quiescentAt)));
                }
                if (!beyondCalls.isEmpty() && beyondCalls.getLast() > 100) {
                    // what the halt waited for last: the posts it listed, by when their outcome was written
                    String[] listed = new String[body.get("inFlightAtHalt").size()];
                    for (int k = 0; k < listed.length; k++) listed[k] = body.get("inFlightAtHalt").get(k).get("postId").asString();
                    for (String slow : db.sql("""
                            select node || ' post ' || post_id || ' ' || coalesce(outcome, 'no outcome') || ': claimed +'
                                   || round(extract(epoch from started_at - :asked) * 1000) || ' ms, call started '
                                   || coalesce('+' || round(extract(epoch from call_started_at - :asked) * 1000) || ' ms', 'never')
                                   || ', answered ' || coalesce('+' || round(extract(epoch from call_answered_at - :asked) * 1000) || ' ms', 'never')
                                   || ', outcome written ' || coalesce('+' || round(extract(epoch from finished_at - :asked) * 1000) || ' ms', 'never')
                            from post_attempts where post_id = any(:ids) and started_at <= :returned
                            order by finished_at desc nulls first limit 5""")
                            .param("asked", Timestamp.from(asked)).param("ids", listed).param("returned", Timestamp.from(returned))
                            .query(String.class).list()) {
                        DispatchBench.progress("  slow to quiesce, halt " + i + ": " + slow);
                    }
                }
                answered.add(millis(asked, returned));
                // the halt's id carries the node's clock when the halt code began (see Ids); createdAt is stamped
                // once the claim lock is held: these split the time to "no new call" into request, lock and the rest
                pickedUp.add(millis(asked, idTime(body.get("id").asString())));
                committed.add(millis(asked, Instant.parse(body.get("createdAt").asString())));
                if (noNewCall.getLast() > 100) {
                    for (String late : db.sql("""
                            select node || ' post ' || post_id || ' attempt ' || attempt || ': claimed +'
                                   || round(extract(epoch from started_at - :asked) * 1000) || ' ms, call started +'
                                   || round(extract(epoch from call_started_at - :asked) * 1000) || ' ms'
                            from post_attempts where call_started_at > :late order by call_started_at""")
                            .param("asked", Timestamp.from(asked)).param("late", Timestamp.from(asked.plusMillis(100)))
                            .query(String.class).list()) {
                        DispatchBench.progress("  late call start after halt " + i + ": " + late);
                    }
                }
                if (noNewCall.getLast() > 100 || (!beyondCalls.isEmpty() && beyondCalls.getLast() > 100)) {
                    // the placing node's own account of the halt's steps (Halts logs one line per halt)
                    for (String steps : nodes[i % 3].logLines("Halt " + body.get("id").asString() + " ")) {
                        DispatchBench.progress("  steps of halt " + i + ": " + steps.substring(steps.indexOf("quiescent:")));
                    }
                }
                inFlight.add(body.get("inFlightAtHalt").size());
                via.delete("/api/v1/halts/" + body.get("id").asString() + "?reason=benchmark");
                long left = db.sql("select count(*) from posts where status in ('scheduled', 'publishing') and text like :p || '%'")
                        .param("p", prefix).query(Long.class).single();
                DispatchBench.progress(String.format(Locale.ROOT,
                        "halt %d via node %s, sent %s: halt code began +%.0f ms, lock held +%.0f ms, last call start +%.0f ms (arrival +%.0f ms), quiescent +%.0f ms (%.0f ms after the last in-flight answer; %.0f ms after the listed ones'), answered +%.0f ms, %d in flight; %d posts left",
                        i, "abc".charAt(i % 3), asked, pickedUp.getLast(), committed.getLast(), noNewCall.getLast(), noNewArrival.getLast(), quiescent.getLast(), beyondCalls.isEmpty() ? Double.NaN : beyondCalls.getLast(), beyondListed.isEmpty() ? Double.NaN : beyondListed.getLast(),
                        answered.getLast(), inFlight.getLast(), left));
                if (left < 2_000) {
                    DispatchBench.progress("few posts left: stopping the halts here so the load stays realistic");
                    break;
                }
            }
            if (BenchDatabase.pgStats()) DispatchBench.progress("halts: database time by statement\n" + database.topStatements(15));
            load.awaitSettled(prefix, Duration.ofMinutes(10));
            SignalboxLoad.Outcome outcome = load.outcome(prefix, n, Instant.now());
            double budget = settings.latencyMs() + 100.0;
            report.check("Halt → no new publish call starts (last call_started_at in the ledger), p99 (" + noNewCall.size() + " halts)",
                    describe(noNewCall), "≤ 100 ms", percentile(noNewCall, 0.99) <= 100);
            report.row("Halt → last publish call arriving at the network (sandbox received_at)", describe(noNewArrival));
            if (answerStamps) {
                report.check("Halt → quiescent, beyond the in-flight calls' own end (quiescent − the last answer among the calls in flight"
                        + " from the request until the halt returned), p99", describe(beyondCalls), "≤ 100 ms", percentile(beyondCalls, 0.99) <= 100);
                report.row("The same, counting only the posts the halt listed as in flight once it held the claim lock (as measured before 2026-11-30)",
                        describe(beyondListed));
                report.row("Halt → quiescent (every call in flight answered and settled)", describe(quiescent));
                report.row("Own duration of the calls in flight from the request until the halt returned (call_answered_at − call_started_at)",
                        describe(inFlightCallDurations));
            } else {
                report.check("Halt → quiescent (every call in flight answered), p99",
                        describe(quiescent), "≤ call duration (" + settings.latencyMs() + " ms) + 100 ms", percentile(quiescent, 0.99) <= budget);
            }
            report.row("Halt → API answer received by the caller", describe(answered));
            report.row("Halt → the node's halt code begins (request handling; the halt id's time)", describe(pickedUp));
            report.row("Halt → claim lock held, halt row written (its createdAt)", describe(committed));
            report.row("Calls in flight when each halt was placed", "median " + (int) percentile(inFlight.stream().map(Integer::doubleValue).toList(), 0.5)
                    + ", max " + inFlight.stream().mapToInt(Integer::intValue).max().orElse(0));
            report.check("Every post published exactly once across all halts and lifts",
                    outcome.published() + " published, " + outcome.sandboxStatuses() + " sandbox statuses (" + outcome.sandboxDistinctTexts()
                            + " distinct), " + outcome.failedOrHeld() + " failed/held", n + " each", outcome.everyPostExactlyOnce());
            report.header("load average at end: " + DispatchBench.loadAverage());
            report.note("Quiescent beyond the calls' own end: the issue's target is quiescence within the in-flight calls' own duration plus"
                    + " 100 ms; the calls are those in flight at any moment from the request until the halt returned, and their end is the ledger's"
                    + " call_answered_at (stamped when the network's answer came back), so this is the"
                    + " time the halt itself added. Under full load on two cores a call's own duration is far above the sandbox's latency.");
            report.note("Call start = the ledger's call_started_at, stamped by the node right before it sends the request (after its last look at"
                    + " the halts it knows of); arrival = the sandbox's received_at, stamped before the simulated latency. One machine clock for all.");
            report.note("Each halt is timed from the moment the harness opens the connection and writes the request on its own thread"
                    + " (a plain socket, Connection: close, as the CLI makes one request per connection), not through an HTTP client's own threads.");
            System.out.println();
            System.out.println(report.markdown());
            report.writeTo(Path.of("bench", "results", "halt.md"));
            return outcome.everyPostExactlyOnce();
        }
    }

    /** The milliseconds in an id's time-ordered body (Crockford base32, 10 characters after the prefix; see Ids). */
    static Instant idTime(String id) {
        String alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
        String body = id.substring(id.indexOf('_') + 1);
        long millis = 0;
        for (int k = 0; k < 10; k++) millis = (millis << 5) | alphabet.indexOf(body.charAt(k));
        return Instant.ofEpochMilli(millis);
    }

    static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1_000_000.0;
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) return 0;
        List<Double> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static String describe(List<Double> values) {
        return String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms, max %.0f ms", percentile(values, 0.5), percentile(values, 0.99),
                values.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }
}
