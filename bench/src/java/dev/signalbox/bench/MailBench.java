package dev.signalbox.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.signalbox.testing.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The email fan-out benchmark (issue 5): one incident update by email to {@code bench.recipients}
 * customers (default 100,000), sent by one Signalbox JVM over SMTP to a local sink
 * ({@link SmtpSink}, in this harness JVM) that accepts and counts. Measures messages per second
 * from the publish request to the sink's last acceptance, the time to the last message, and how
 * long publishing itself took (the one insert of every delivery). Exits 1 unless every delivery
 * reached the sink exactly once and is marked sent.
 */
final class MailBench {

    static final String ADMIN = "bench-communicator@example.com";
    static final String PASSWORD = "bench-communicator-password";
    private static final double TARGET_PER_SECOND = 1_000;
    static final String UPDATE = """
            Hi there,

            I am so sorry: spam was posted from some of your X and Facebook profiles through Signalbox this morning.

            What to do now:

            - Remove any posts that look like spam
            - Reconnect X if we ask you to below

            Your passwords and billing details are not affected. Updates: the status page, our X and Facebook pages.

            Reply to this email with any question; we will answer every email.

            – Ana and the Signalbox team
            """;

    private MailBench() {}

    static boolean run(BenchSettings settings) throws Exception {
        int n = BenchSettings.property("bench.recipients", 100_000);
        int connections = BenchSettings.property("bench.mailConnections", 8);
        int batch = BenchSettings.property("bench.mailBatch", 50);
        String run = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path workDir = Files.createTempDirectory("signalbox-mail-bench-");
        BenchReport report = new BenchReport("Email fan-out benchmark");
        report.header("run " + run + ", " + Runtime.getRuntime().availableProcessors() + " cores, Java " + Runtime.version()
                + ", Signalbox heap -Xmx" + settings.appXmx() + ", " + n + " recipients, " + connections + " SMTP connections, batches of "
                + batch + ", no rate limit");
        report.header("load average at start: " + DispatchBench.loadAverage() + " (other work on the machine skews every figure)");
        DispatchBench.progress("starting PostgreSQL, the SMTP sink and Signalbox (logs in " + workDir + ")");
        try (BenchDatabase database = BenchDatabase.start(); SmtpSink sink = new SmtpSink(n)) {
            try (SignalboxProcess app = SignalboxProcess.start(settings, database.url(BenchDatabase.SIGNALBOX), workDir,
                    SignalboxProcess.randomKey(), List.of("--signalbox.admin.email=" + ADMIN, "--signalbox.admin.password=" + PASSWORD,
                            "--spring.mail.host=127.0.0.1", "--spring.mail.port=" + sink.port(),
                            "--signalbox.mail.connections=" + connections, "--signalbox.mail.batch-size=" + batch,
                            "--signalbox.mail.from=signalbox@bench.test", "--signalbox.mail.support-address=support@bench.test",
                            "--signalbox.dispatch.enabled=false"));
                    HikariDataSource pool = database.pool(BenchDatabase.SIGNALBOX, 4)) {
                JdbcClient db = JdbcClient.create(pool);
                DispatchBench.progress("inserting " + n + " customers with workspaces, profiles and contained posts");
                customers(db, n);
                Api anonymous = Api.at(app.port());
                Api operator = anonymous.as(anonymous.post("/api/v1/auth/token",
                        "{\"email\":\"" + ADMIN + "\",\"password\":\"" + PASSWORD + "\"}").text("token"));
                String incident = Api.expect(201, operator.post("/api/v1/incidents",
                        "{\"title\":\"Spam posted through X and Facebook\",\"severity\":\"critical\",\"status\":\"investigating\",\"networks\":[\"x\",\"facebook\"]}"))
                        .text("id");

                DispatchBench.progress("publishing the update by email to all " + n + " customers");
                Instant asked = Instant.now();
                Api.Answer published = Api.expect(201, operator.post("/api/v1/incidents/" + incident + "/updates", "{\"status\":\"identified\",\"body\":"
                        + Api.quote(UPDATE) + ",\"audience\":\"all\",\"channels\":[\"statuspage\",\"email\"]}"));
                Instant answered = Instant.now();
                String update = published.text("id");
                int recipients = published.json().get("recipients").asInt();

                Duration within = Duration.ofSeconds(Math.max(300, n / 100));
                Instant deadline = Instant.now().plus(within);
                for (int second = 1; sinkOrDbOpen(db, sink, update, n) && Instant.now().isBefore(deadline); second++) {
                    Thread.sleep(1_000);
                    if (second % 5 == 0) DispatchBench.progress("sink has " + sink.accepted() + " messages");
                }
                Instant settled = Instant.now();
                Thread.sleep(500);
                long[] states = db.sql("""
                        select count(*) filter (where state = 'sent'), count(*) filter (where state in ('queued', 'sending')),
                               count(*) filter (where state in ('failed', 'bounced')), count(*), coalesce(max(attempts), 0)
                        from update_deliveries where update_id = :u""")
                        .param("u", update).query((rs, i) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)}).single();
                String channel = db.sql("select state from incident_update_channels where update_id = :u and channel = 'email'")
                        .param("u", update).query(String.class).single();
                Instant last = Instant.ofEpochMilli(sink.lastAcceptedMillis());
                double seconds = Duration.between(asked, last).toMillis() / 1000.0;
                double perSecond = sink.accepted() / seconds;
                boolean once = recipients == n && states[3] == n && states[0] == n && sink.accepted() == n && sink.distinct() == n
                        && sink.duplicates() == 0;
                HeapUse heap = app.heapBetween(asked, settled);

                report.check("Messages per second (publish request → the sink's last acceptance)",
                        String.format(Locale.ROOT, "%,.0f messages/s", perSecond), "≥ 1,000 messages/s", perSecond >= TARGET_PER_SECOND);
                report.row("Time to the last message", BenchReport.seconds(seconds) + " for " + sink.accepted() + " messages");
                int tenth = Math.max(1, n / 10), ninth = Math.max(1, n * 9 / 10);
                double steady = (ninth - tenth) / Math.max(0.001, (sink.acceptedAtMillis(ninth) - sink.acceptedAtMillis(tenth)) / 1000.0);
                report.row("Time to the first message (publish request → the sink's first acceptance)",
                        BenchReport.millis(sink.acceptedAtMillis(1) - asked.toEpochMilli()));
                report.row("Steady rate (between the 10 % and the 90 % message)", String.format(Locale.ROOT, "%,.0f messages/s", steady));
                report.row("Publishing the update (one insert of " + n + " deliveries, in the request)",
                        BenchReport.millis(Duration.between(asked, answered).toMillis()));
                report.check("Every recipient exactly once",
                        sink.accepted() + " accepted by the sink (" + sink.distinct() + " distinct deliveries, " + sink.duplicates() + " duplicates); "
                                + states[0] + " sent, " + states[1] + " open, " + states[2] + " failed/bounced of " + states[3]
                                + "; most attempts " + states[4] + "; channel " + channel,
                        n + " each", once);
                report.row("SMTP connections opened (one per batch)", String.valueOf(sink.connections()));
                report.row("Signalbox heap during the fan-out", heap.describe());
                report.header("load average at end: " + DispatchBench.loadAverage());
                report.note("The SMTP sink runs in the harness JVM and PostgreSQL beside it, on the same cores as the app.");
                report.note("Each message is personalised (name, own profiles and posts, actions) and multipart (text + HTML).");
                System.out.println();
                System.out.println(report.markdown());
                report.writeTo(Path.of("bench", "results", "mail.md"));
                return once;
            }
        }
    }

    private static boolean sinkOrDbOpen(JdbcClient db, SmtpSink sink, String update, int n) {
        if (sink.accepted() < n) return true;
        return db.sql("select exists (select 1 from update_deliveries where update_id = :u and state in ('queued', 'sending'))")
                .param("u", update).query(Boolean.class).single();
    }

    /** Customer i: an X profile (every 5th waiting to be reconnected); every 7th also a Facebook profile with a hidden post. */
    static void customers(JdbcClient db, int n) {
        db.sql("insert into users (id, email, name, password_hash, created_at) "
                + "select 'usr_c' || i, 'customer-' || i || '@example.test', 'Customer ' || i, 'not-a-hash', now() from generate_series(1, :n) i")
                .param("n", n).update();
        db.sql("insert into workspaces (id, name, created_at) select 'wsp_c' || i, 'Workspace ' || i, now() from generate_series(1, :n) i")
                .param("n", n).update();
        db.sql("insert into workspace_members (workspace_id, user_id, role) select 'wsp_c' || i, 'usr_c' || i, 'owner' from generate_series(1, :n) i")
                .param("n", n).update();
        db.sql("""
                insert into profiles (id, workspace_id, network, handle, status, created_at)
                select 'prf_cx' || i, 'wsp_c' || i, 'x', 'cust_' || i || '_x', case when i % 5 = 0 then 'needs_reconnect' else 'connected' end, now()
                from generate_series(1, :n) i""").param("n", n).update();
        db.sql("""
                insert into profiles (id, workspace_id, network, handle, status, created_at)
                select 'prf_cf' || i, 'wsp_c' || i, 'facebook', 'cust_' || i || '_fb', 'connected', now()
                from generate_series(1, :n) i where i % 7 = 0""").param("n", n).update();
        db.sql("""
                insert into posts (id, profile_id, text, status, created_at, updated_at, published_at, network_url, containment_state, containment_at)
                select 'pst_c' || i, 'prf_cf' || i, 'Spam number ' || i || ' — win a prize', 'published', now(), now(), now(),
                       'https://facebook.example/posts/' || i, 'hidden', now()
                from generate_series(1, :n) i where i % 7 = 0""").param("n", n).update();
        db.sql("analyze").update();
    }
}
