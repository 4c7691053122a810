package dev.signalbox.incidents.halts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.platform.PgNotifications;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.NetworkSide;
import dev.signalbox.testing.NotificationStall;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The halt guarantee on three nodes sharing one PostgreSQL, with dispatch running flat out
 * against the sandbox network (100 ms per call): when the halt call returns, no publish call
 * reaches the network afterwards — judged by the network's own arrival times — over many halts
 * placed at random moments; after the lift, every held post is published exactly once, in order.
 */
class HaltGuaranteeTest {

    static final String ADMIN = "ops@example.com";
    static final String PASSWORD = "correct-horse-battery-staple";
    /** A node whose calls wait up to 20 s (1 s by default) for it to read the notifications waiting for it. */
    static final Map<String, String> STALLING = Map.of("signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD,
            "signalbox.dispatch.poll-interval-ms", "50", "signalbox.halts.news-wait-ms", "20000");

    @Test
    void after_a_halt_returns_nothing_reaches_the_network_and_after_the_lift_everything_goes_out_once() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        Map<String, String> fast = Map.of("signalbox.dispatch.poll-interval-ms", "50", "signalbox.dispatch.concurrency", "32");
        Map<String, String> sandboxHost = new java.util.HashMap<>(fast);
        sandboxHost.putAll(Map.of("signalbox.sandbox.latency-ms", "100", "signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD));
        try (Node a = Node.start(db, sandboxHost)) {
            Map<String, String> others = new java.util.HashMap<>(fast);
            others.put("signalbox.sandbox.url", "http://127.0.0.1:" + a.port() + "/sandbox");
            try (Node b = Node.start(db, others); Node c = Node.start(db, others)) {
                JdbcClient sql = a.bean(JdbcClient.class);
                Api operator = operatorOn(a.api());
                List<String> profiles = NetworkSide.connectSandboxProfiles(a.api(), "Busy", 40);
                int total = 40 * 60;
                NetworkSide.insertPostsDue(sql, profiles, 60, Instant.now());

                List<Integer> inFlightCounts = new ArrayList<>();
                List<Long> haltMillis = new ArrayList<>();
                Api[] entryPoints = {a.api().as(operator.bearer()), b.api().as(operator.bearer()), c.api().as(operator.bearer())};
                for (int round = 0; round < 8; round++) {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(150, 900));
                    Api via = entryPoints[round % 3];
                    long asked = System.nanoTime();
                    Api.Answer halt = Api.expect(201, via.post("/api/v1/halts", "{\"scope\":\"global\",\"reason\":\"drill round " + round + "\"}"));
                    Instant returned = Instant.now();
                    haltMillis.add((System.nanoTime() - asked) / 1_000_000);
                    inFlightCounts.add(halt.json().get("inFlightAtHalt").size());
                    assertThat(halt.json().get("quiescentAt").isNull()).isFalse();

                    Thread.sleep(600); // several call durations: anything still going would arrive or finish by now
                    int late = sql.sql("select count(*) from sandbox_statuses where received_at > :t")
                            .param("t", Timestamp.from(returned)).query(Integer.class).single();
                    assertThat(late).as("publish calls that reached the network after halt %d returned", round).isZero();
                    int unfinished = sql.sql("select count(*) from sandbox_statuses where created_at > :t")
                            .param("t", Timestamp.from(returned)).query(Integer.class).single();
                    assertThat(unfinished).as("publish calls still in flight (finished by the network) after halt %d returned", round).isZero();
                    int publishing = sql.sql("select count(*) from posts where status = 'publishing'").query(Integer.class).single();
                    assertThat(publishing).as("claims in flight during the halt").isZero();

                    Api.expect(200, via.delete("/api/v1/halts/" + halt.text("id") + "?reason=drill+over"));
                }
                assertThat(inFlightCounts).as("halts that caught calls in flight").anySatisfy(n -> assertThat(n).isPositive());

                NetworkSide.awaitAllPublished(sql, total, Duration.ofMinutes(3));
                NetworkSide.assertExactlyOnceAndInOrder(sql, total);
                System.out.printf("halt call durations (ms): %s; in flight at halt: %s%n", haltMillis, inFlightCounts);
            }
        }
    }

    @Test
    void a_halt_returns_when_its_in_flight_call_is_written_not_at_its_next_look_at_the_database() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        // The halt's own look at the database comes every 20 s here; each call takes 1.5 s at the network.
        try (Node node = Node.start(db, Map.of("signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD,
                "signalbox.dispatch.poll-interval-ms", "50", "signalbox.sandbox.latency-ms", "1500", "signalbox.halts.recheck-ms", "20000"))) {
            Api operator = operatorOn(node.api());
            JdbcClient sql = node.bean(JdbcClient.class);
            List<String> profiles = NetworkSide.connectSandboxProfiles(node.api(), "Slow network", 1);
            NetworkSide.insertPostsDue(sql, profiles, 1, Instant.now());
            Instant deadline = Instant.now().plusSeconds(20);
            while (sql.sql("select count(*) from post_attempts").query(Integer.class).single() == 0) {
                assertThat(Instant.now()).as("the post is claimed").isBefore(deadline);
                Thread.sleep(20);
            }
            Thread.sleep(300); // its call is now inside the network's 1.5 s

            long asked = System.nanoTime();
            Api.Answer halt = Api.expect(201, operator.post("/api/v1/halts", "{\"scope\":\"global\",\"reason\":\"slow network drill\"}"));
            Duration took = Duration.ofNanos(System.nanoTime() - asked);

            assertThat(halt.json().get("inFlightAtHalt")).hasSize(1);
            assertThat(halt.json().get("inFlightAtHalt").get(0).get("outcome").asString()).isEqualTo("published");
            assertThat(took).as("the halt returned soon after the call's outcome was written, not at its next look 20 s later")
                    .isLessThan(Duration.ofSeconds(6));
            Api.expect(200, operator.delete("/api/v1/halts/" + halt.text("id") + "?reason=drill+over"));
        }
    }

    @Test
    void a_halt_puts_back_at_once_the_posts_a_stalled_node_has_claimed_but_not_yet_called() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        try (Node node = Node.start(db, STALLING)) {
            Api operator = operatorOn(node.api());
            JdbcClient sql = node.bean(JdbcClient.class);
            List<String> profiles = NetworkSide.connectSandboxProfiles(node.api(), "Stalled", 5);
            Api.Answer halt;
            Duration took;
            // The node stops reading its notifications (for up to 10 s), as in a long GC pause.
            CountDownLatch resume = NotificationStall.hold(node.bean(PgNotifications.class), sql, "signalbox_halts");
            try {
                claimOnePostEach(sql, profiles);
                // Each call's thread now waits to hear the news before its call, and cannot.
                long asked = System.nanoTime();
                halt = Api.expect(201, operator.post("/api/v1/halts", "{\"scope\":\"global\",\"reason\":\"stalled node drill\"}"));
                took = Duration.ofNanos(System.nanoTime() - asked);
            } finally {
                resume.countDown();
            }

            assertThat(took).as("the halt put the claimed posts back itself, not when their calls' threads got to it (10 s later)")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(sql.sql("select count(*) from post_attempts where outcome = 'halted_before_call'").query(Integer.class).single())
                    .as("attempts put back before their call").isEqualTo(5);
            Thread.sleep(500);
            assertThat(sql.sql("select count(*) from sandbox_statuses").query(Integer.class).single()).as("published during the halt").isZero();

            liftAndExpectEachPostOnce(operator, sql, halt, 5);
        }
    }

    @Test
    void a_stalled_node_that_hears_of_a_halt_puts_back_what_it_claimed_before_its_calls_can_take_it() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        try (Node a = Node.start(db, STALLING); Node b = Node.start(db, Map.of("signalbox.dispatch.enabled", "false"))) {
            Api operator = operatorOn(a.api());
            JdbcClient sql = a.bean(JdbcClient.class);
            List<String> profiles = NetworkSide.connectSandboxProfiles(a.api(), "Heard late", 5);
            // Node a stops reading its notifications, as in a long GC pause, and claims 5 posts: their calls' threads
            // wait to hear the news first.
            CountDownLatch resume = NotificationStall.hold(a.bean(PgNotifications.class), sql, "signalbox_halts");
            java.util.concurrent.CompletableFuture<Api.Answer> placing;
            try {
                claimOnePostEach(sql, profiles);
                Instant deadline = Instant.now().plusSeconds(20);
                // The halt is placed on node b; node a's only way to hear of it is the announcement it is not reading.
                Api onB = b.api().as(operator.bearer());
                placing = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> onB.post("/api/v1/halts", "{\"scope\":\"global\",\"reason\":\"heard late drill\"}"));
                while (sql.sql("select count(*) from halts").query(Integer.class).single() == 0) {
                    assertThat(Instant.now()).as("the halt is written").isBefore(deadline);
                    Thread.sleep(20);
                }
                Thread.sleep(300);
                assertThat(placing).as("the halt waits for node a's claimed posts").isNotDone();
            } finally {
                resume.countDown(); // node a reads the announcement, and its calls' threads wake up together
            }
            Api.Answer halt = Api.expect(201, placing.get(10, java.util.concurrent.TimeUnit.SECONDS));

            List<java.time.OffsetDateTime> putBack = sql.sql("select finished_at from post_attempts where outcome = 'halted_before_call'")
                    .query(java.time.OffsetDateTime.class).list();
            assertThat(putBack).as("attempts put back before their call").hasSize(5);
            assertThat(java.util.Set.copyOf(putBack)).as("put back together, as the node heard, in one transaction, not by each call's "
                    + "thread once it woke: " + putBack).hasSize(1);
            assertThat(sql.sql("select count(*) from sandbox_statuses").query(Integer.class).single()).as("published during the halt").isZero();

            liftAndExpectEachPostOnce(operator, sql, halt, 5);
        }
    }

    @Test
    void a_halt_does_not_wait_for_a_claim_that_is_stuck_in_the_database() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        try (Node node = startWithOperator(db)) {
            Api operator = operatorOn(node.api());
            JdbcClient sql = node.bean(JdbcClient.class);
            List<String> profiles = NetworkSide.connectSandboxProfiles(node.api(), "Stuck", 1);
            try (java.sql.Connection blocker = node.bean(javax.sql.DataSource.class).getConnection()) {
                blocker.setAutoCommit(false);
                blocker.createStatement().execute("lock table post_attempts in exclusive mode");
                NetworkSide.insertPostsDue(sql, profiles, 1, Instant.now());
                // The dispatcher's claim now waits for that table lock while it holds the claim lock, which a halt
                // must take exclusively: a claim stuck like this is what a slow claim on a busy database looks like.
                Instant deadline = Instant.now().plusSeconds(20);
                while (sql.sql("select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like 'with heads%'")
                        .query(Integer.class).single() == 0) {
                    assertThat(Instant.now()).as("a claim waiting for the table lock").isBefore(deadline);
                    Thread.sleep(20);
                }

                java.util.concurrent.CompletableFuture<Api.Answer> placing = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> operator.post("/api/v1/halts", "{\"scope\":\"global\",\"reason\":\"stuck claim drill\"}"));
                // Returns while the claim is still stuck (it is cancelled), instead of waiting for the table lock to go.
                Api.Answer halt = Api.expect(201, placing.get(30, java.util.concurrent.TimeUnit.SECONDS));
                assertThat(halt.json().get("inFlightAtHalt")).isEmpty();
                assertThat(sql.sql("select count(*) from post_attempts").query(Integer.class).single())
                        .as("ledger lines left by the cancelled claim").isZero();
                blocker.rollback();
                Thread.sleep(500);
                assertThat(sql.sql("select count(*) from sandbox_statuses").query(Integer.class).single()).as("published during the halt").isZero();
                Api.expect(200, operator.delete("/api/v1/halts/" + halt.text("id") + "?reason=drill+over"));
            }
            NetworkSide.awaitAllPublished(sql, 1, Duration.ofSeconds(30));
            NetworkSide.assertExactlyOnceAndInOrder(sql, 1);
        }
    }

    @Test
    void incident_channels_keep_posting_through_a_global_halt_unless_named() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        try (Node node = startWithOperator(db)) {
            Api operator = operatorOn(node.api());
            Api customer = node.api().newCustomer("Cora");
            String workspace = customer.createWorkspace("Customer");
            String customerProfile = customer.connectSandbox(workspace, "cora_" + System.nanoTime() % 100000);
            String ownWorkspace = operator.createWorkspace("Signalbox status");
            String channel = operator.connectSandbox(ownWorkspace, "status_" + System.nanoTime() % 100000);
            Api.expect(201, operator.post("/api/v1/incident-channels", "{\"profileId\":\"" + channel + "\"}"));

            String halt = Api.expect(201, operator.post("/api/v1/halts", "{\"scope\":\"global\",\"reason\":\"suspected token theft\"}")).text("id");
            String update = Api.expect(201, operator.post("/api/v1/profiles/" + channel + "/posts", "{\"text\":\"We paused posting\",\"when\":\"now\"}")).text("id");
            String held = Api.expect(201, customer.post("/api/v1/profiles/" + customerProfile + "/posts", "{\"text\":\"Our sale\",\"when\":\"now\"}")).text("id");

            awaitStatus(operator, update, "published");
            JsonNode heldPost = customer.get("/api/v1/posts/" + held).json();
            assertThat(heldPost.get("status").asString()).isEqualTo("held");
            assertThat(heldPost.get("failure").get("kind").asString()).isEqualTo("halted");
            assertThat(heldPost.get("failure").get("message").asString()).contains("paused by Signalbox").doesNotContain("token theft");

            String named = Api.expect(201, operator.post("/api/v1/halts", "{\"scope\":\"profile\",\"target\":\"" + channel + "\",\"reason\":\"channel itself compromised\"}")).text("id");
            String second = Api.expect(201, operator.post("/api/v1/profiles/" + channel + "/posts", "{\"text\":\"second update\",\"when\":\"now\"}")).text("id");
            Thread.sleep(800);
            assertThat(operator.get("/api/v1/posts/" + second).text("status")).isEqualTo("held");

            Api.expect(200, operator.delete("/api/v1/halts/" + halt + "?reason=contained"));
            awaitStatus(customer, held, "published");
            assertThat(operator.get("/api/v1/posts/" + second).text("status")).isEqualTo("held");
            Api.expect(200, operator.delete("/api/v1/halts/" + named + "?reason=channel+secured"));
            awaitStatus(operator, second, "published");
        }
    }

    @Test
    void bad_halt_orders_are_refused_and_change_nothing() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        try (Node node = Node.start(db, Map.of("signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD))) {
            Api operator = operatorOn(node.api());
            field(operator.post("/api/v1/halts", "{\"scope\":\"everything\",\"reason\":\"r\"}"), "scope");
            field(operator.post("/api/v1/halts", "{\"scope\":\"network\",\"target\":\"myspace\",\"reason\":\"r\"}"), "target");
            field(operator.post("/api/v1/halts", "{\"scope\":\"network\",\"reason\":\"r\"}"), "target");
            field(operator.post("/api/v1/halts", "{\"scope\":\"profile\",\"target\":\"prf_nope\",\"reason\":\"r\"}"), "target");
            field(operator.post("/api/v1/halts", "{\"scope\":\"global\"}"), "reason");
            field(operator.post("/api/v1/halts", "{\"scope\":\"global\",\"target\":\"x\",\"reason\":\"r\"}"), "target");
            assertThat(operator.get("/api/v1/halts?active=true").json().get("halts")).isEmpty();

            String id = Api.expect(201, operator.post("/api/v1/halts", "{\"scope\":\"network\",\"target\":\"x\",\"reason\":\"drill\"}")).text("id");
            field(operator.delete("/api/v1/halts/" + id), "reason");
            Api.expect(200, operator.delete("/api/v1/halts/" + id + "?reason=done"));
            Api.Answer again = operator.delete("/api/v1/halts/" + id + "?reason=done");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.text("detail")).contains("already lifted");

            Api customer = node.api().newCustomer("Curious");
            assertThat(customer.post("/api/v1/halts", "{\"scope\":\"global\",\"reason\":\"ha\"}").status()).isEqualTo(404);
            assertThat(customer.get("/api/v1/halts").status()).isEqualTo(404);
            assertThat(node.api().post("/api/v1/halts", "{\"scope\":\"global\",\"reason\":\"ha\"}").status()).isEqualTo(401);
            assertThat(operator.get("/api/v1/halts?active=true").json().get("halts")).isEmpty();
            JdbcClient sql = node.bean(JdbcClient.class);
            assertThat(sql.sql("select action from audit_log where action like 'halt.%' order by seq").query(String.class).list())
                    .as("refused orders leave no audit record; the one real halt and its lift do").containsExactly("halt.place", "halt.lift");
        }
    }

    static void field(Api.Answer answer, String field) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(422);
        assertThat(answer.json().get("errors").get(0).get("field").asString()).isEqualTo(field);
    }

    static void awaitStatus(Api api, String post, String status) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (api.get("/api/v1/posts/" + post).text("status").equals(status)) return;
            Thread.sleep(100);
        }
        throw new AssertionError("post " + post + " never became " + status + ": " + api.get("/api/v1/posts/" + post).body());
    }

    /** A node whose first operator is ADMIN, polling for due posts every 50 ms. */
    /** Makes one post due on each profile (the heads of their queues) and waits until all are claimed. */
    private static void claimOnePostEach(JdbcClient sql, List<String> profiles) throws InterruptedException {
        NetworkSide.insertPostsDue(sql, profiles, 1, Instant.now());
        Instant deadline = Instant.now().plusSeconds(20);
        while (sql.sql("select count(*) from post_attempts").query(Integer.class).single() < profiles.size()) {
            assertThat(Instant.now()).as("the " + profiles.size() + " posts are claimed").isBefore(deadline);
            Thread.sleep(20);
        }
    }

    /** Lifts {@code halt}; then every one of the {@code posts} goes out once, in order. */
    private static void liftAndExpectEachPostOnce(Api operator, JdbcClient sql, Api.Answer halt, int posts) throws InterruptedException {
        Api.expect(200, operator.delete("/api/v1/halts/" + halt.text("id") + "?reason=drill+over"));
        NetworkSide.awaitAllPublished(sql, posts, Duration.ofSeconds(30));
        NetworkSide.assertExactlyOnceAndInOrder(sql, posts);
    }

    private static Node startWithOperator(String db) {
        return Node.start(db, Map.of("signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD,
                "signalbox.dispatch.poll-interval-ms", "50"));
    }

    /** The operator ADMIN, signed in with a bearer token, on the node behind {@code api}. */
    private static Api operatorOn(Api api) {
        return api.as(api.post("/api/v1/auth/token", "{\"email\":\"" + ADMIN + "\",\"password\":\"" + PASSWORD + "\"}").text("token"));
    }
}
