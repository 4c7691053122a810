package dev.signalbox.comms;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Outgoing webhooks against a real HTTP receiver (the JDK's server) that checks signatures the way
 * a chat tool would, with the secret it was given once. Private addresses are allowed on this node,
 * as in a test or a private deployment.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhookChannelTest {

    static final String ADMIN = "hooks-admin@example.com";
    static final String PASSWORD = "correct horse battery staple";
    static final String BODY = """
            Hi there,

            I'm sorry: spam was posted from some X profiles about an hour ago. Not everyone is affected.

            What you should do now:

            - Delete any post you did not write

            Your password is not affected. We will post updates on our status page.

            Reply to this email with any question; we will answer every email.

            – Ana and the Signalbox team
            """;
    static final Map<String, String> SETTINGS = Map.of("signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD,
            "signalbox.networks.allow-private-addresses", "true", "signalbox.webhooks.retry-base-ms", "100",
            "signalbox.webhooks.max-attempts", "4", "signalbox.webhooks.poll-interval-ms", "100");

    /** One request as the receiver saw it. */
    record Received(String path, String delivery, String signature, String timestamp, String body, int answered) {}

    static String database;
    static Node node;
    static Api communicator;
    static HttpServer receiver;
    static final Queue<Received> received = new ConcurrentLinkedQueue<>();
    /** Per path: the statuses to answer, in order; when empty, 200. */
    static final Map<String, Queue<Integer>> script = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/slow")) sleep(40);
            Integer scripted = script.getOrDefault(path, new ConcurrentLinkedQueue<>()).poll();
            int status = scripted == null ? 200 : scripted;
            received.add(new Received(path, exchange.getRequestHeaders().getFirst("X-Signalbox-Delivery"),
                    exchange.getRequestHeaders().getFirst("X-Signalbox-Signature"), exchange.getRequestHeaders().getFirst("X-Signalbox-Timestamp"),
                    new String(body, StandardCharsets.UTF_8), status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        receiver.start();
        database = TestPostgres.freshDatabaseUrl();
        node = Node.start(database, SETTINGS);
        Api admin = node.api().as(node.api().post("/api/v1/auth/token", "{\"email\":\"" + ADMIN + "\",\"password\":\"" + PASSWORD + "\"}").text("token"));
        String email = "communicator-hooks@example.com";
        Api.expect(201, admin.post("/api/v1/operators", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD
                + "\",\"name\":\"Ana Communicator\",\"roles\":[\"communicator\"]}"));
        communicator = node.api().as(node.api().post("/api/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}").text("token"));
    }

    @AfterAll
    static void stop() {
        node.close();
        receiver.stop(0);
    }

    static String url(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    static Api.Answer register(String path) {
        return communicator.post("/api/v1/webhooks", "{\"url\":" + Api.quote(url(path)) + ",\"description\":\"#incidents in chat\"}");
    }

    static String incident(String title) {
        return Api.expect(201, communicator.post("/api/v1/incidents", "{\"title\":" + Api.quote(title)
                + ",\"severity\":\"major\",\"status\":\"investigating\",\"networks\":[\"x\"]}")).text("id");
    }

    static Api.Answer publish(String incident, String channels) {
        return communicator.post("/api/v1/incidents/" + incident + "/updates", "{\"status\":\"identified\",\"body\":" + Api.quote(BODY)
                + ",\"audience\":\"all\",\"channels\":" + channels + "}");
    }

    static String channelState(String incident, String updateId, String channel) {
        for (JsonNode u : Api.expect(200, communicator.get("/api/v1/incidents/" + incident)).json().get("updates")) {
            if (!u.get("id").asString().equals(updateId)) continue;
            for (JsonNode c : u.get("channels")) if (c.get("channel").asString().equals(channel)) return c.get("state").asString();
        }
        return null;
    }

    static void await(String what, Duration limit, BooleanSupplier done) {
        Instant end = Instant.now().plus(limit);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(end)) throw new AssertionError("Timed out waiting for " + what);
            sleep(50);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    static List<Received> at(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Test
    @Order(1)
    void with_no_endpoint_registered_the_webhook_channel_is_refused_naming_channels() {
        String id = incident("Nowhere to send");
        Api.Answer refused = publish(id, "[\"statuspage\",\"webhook\"]");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("errors").toString()).contains("\"field\":\"channels\"", "POST /api/v1/webhooks");
        assertThat(Api.expect(200, communicator.get("/api/v1/incidents/" + id)).json().get("updates")).isEmpty();
    }

    @Test
    @Order(2)
    void a_delivery_is_signed_with_the_secret_shown_once_and_carries_the_update() throws Exception {
        Api.Answer registered = Api.expect(201, register("/chat"));
        String secret = registered.text("secret");
        String endpoint = registered.text("id");
        assertThat(secret).startsWith("whsec_").hasSizeGreaterThan(40);
        String listed = Api.expect(200, communicator.get("/api/v1/webhooks")).body();
        assertThat(listed).contains(endpoint, url("/chat"), "#incidents in chat").doesNotContain(secret);
        String stored = node.bean(JdbcClient.class).sql("select secret from webhook_endpoints where id = :id").param("id", endpoint)
                .query(String.class).single();
        assertThat(stored).startsWith("v1.").doesNotContain(secret.substring(6));

        String incident = incident("Spam through X <b>now</b>");
        String update = Api.expect(201, publish(incident, "[\"statuspage\",\"webhook\"]")).text("id");
        await("the delivery", Duration.ofSeconds(10), () -> !at("/chat").isEmpty());
        Received r = at("/chat").getFirst();
        assertThat(r.signature()).isEqualTo(hmac(secret, r.body()));
        assertThat(r.signature()).isNotEqualTo(hmac(secret + "x", r.body()));
        assertThat(Long.parseLong(r.timestamp())).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
        JsonNode payload = Api.JSON.readTree(r.body());
        assertThat(payload.get("event").asString()).isEqualTo("incident.update");
        assertThat(payload.get("incident").get("id").asString()).isEqualTo(incident);
        assertThat(payload.get("incident").get("title").asString()).isEqualTo("Spam through X <b>now</b>");
        assertThat(payload.get("update").get("id").asString()).isEqualTo(update);
        assertThat(payload.get("update").get("status").asString()).isEqualTo("identified");
        assertThat(payload.get("update").get("html").asString()).contains("<li>Delete any post you did not write</li>");
        assertThat(payload.get("update").get("text").asString()).contains("- Delete any post you did not write").doesNotContain("<");
        assertThat(payload.get("update").get("statusPageUrl").asString()).isEqualTo("http://localhost:" + node.port() + "/status#" + incident);
        assertThat(payload.get("update").get("publishedAt").asString()).endsWith("Z");

        await("the channel state", Duration.ofSeconds(5), () -> "delivered".equals(channelState(incident, update, "webhook")));
        JsonNode deliveries = Api.expect(200, communicator.get("/api/v1/webhooks/" + endpoint + "/deliveries")).json().get("deliveries");
        assertThat(deliveries).hasSize(1);
        assertThat(deliveries.get(0).get("id").asString()).isEqualTo(r.delivery());
        assertThat(deliveries.get(0).get("state").asString()).isEqualTo("delivered");
        assertThat(deliveries.get(0).get("attempts").asInt()).isEqualTo(1);
        assertThat(deliveries.get(0).get("lastStatus").asInt()).isEqualTo(200);
        Api.expect(200, communicator.delete("/api/v1/webhooks/" + endpoint));
        assertThat(Api.expect(200, communicator.get("/api/v1/webhooks")).body()).doesNotContain(endpoint);
        assertThat(Api.expect(200, communicator.get("/api/v1/webhooks/" + endpoint + "/deliveries")).json().get("deliveries")).hasSize(1);
    }

    @Test
    @Order(3)
    void a_receiver_that_fails_twice_with_503_gets_the_same_delivery_a_third_time_and_accepts_it_once() {
        script.put("/flaky", new ConcurrentLinkedQueue<>(List.of(503, 503)));
        String endpoint = Api.expect(201, register("/flaky")).text("id");
        String incident = incident("Flaky receiver");
        String update = Api.expect(201, publish(incident, "[\"webhook\"]")).text("id");
        await("three attempts", Duration.ofSeconds(10), () -> at("/flaky").size() >= 3);
        await("the channel state", Duration.ofSeconds(5), () -> "delivered".equals(channelState(incident, update, "webhook")));
        sleep(500); // nothing more arrives after the accepted one
        List<Received> got = at("/flaky");
        assertThat(got).extracting(Received::answered).containsExactly(503, 503, 200);
        assertThat(got).extracting(Received::delivery).containsOnly(got.getFirst().delivery());
        assertThat(got).extracting(Received::body).containsOnly(got.getFirst().body());
        JsonNode delivery = Api.expect(200, communicator.get("/api/v1/webhooks/" + endpoint + "/deliveries")).json().get("deliveries").get(0);
        assertThat(delivery.get("state").asString()).isEqualTo("delivered");
        assertThat(delivery.get("attempts").asInt()).isEqualTo(3);
        Api.expect(200, communicator.delete("/api/v1/webhooks/" + endpoint));
    }

    @Test
    @Order(4)
    void a_receiver_that_keeps_failing_is_given_up_on_with_the_reason_visible_on_the_update() {
        script.put("/down", new ConcurrentLinkedQueue<>(List.of(503, 503, 503, 503, 503, 503)));
        script.put("/gone", new ConcurrentLinkedQueue<>(List.of(410)));
        String down = Api.expect(201, register("/down")).text("id");
        String gone = Api.expect(201, register("/gone")).text("id");
        String incident = incident("Receiver down");
        String update = Api.expect(201, publish(incident, "[\"webhook\"]")).text("id");
        await("the channel state", Duration.ofSeconds(10), () -> "failed".equals(channelState(incident, update, "webhook")));
        JsonNode d = Api.expect(200, communicator.get("/api/v1/webhooks/" + down + "/deliveries")).json().get("deliveries").get(0);
        assertThat(d.get("state").asString()).isEqualTo("failed");
        assertThat(d.get("attempts").asInt()).isEqualTo(4);
        assertThat(d.get("lastError").asString()).contains("HTTP 503", "gave up after 4 attempts");
        JsonNode g = Api.expect(200, communicator.get("/api/v1/webhooks/" + gone + "/deliveries")).json().get("deliveries").get(0);
        assertThat(g.get("attempts").asInt()).isEqualTo(1);
        assertThat(g.get("lastError").asString()).contains("refused", "HTTP 410");
        assertThat(at("/down")).hasSize(4);
        Api.expect(200, communicator.delete("/api/v1/webhooks/" + down));
        Api.expect(200, communicator.delete("/api/v1/webhooks/" + gone));
    }

    @Test
    @Order(5)
    void bad_registrations_name_the_field_and_the_rule() {
        Api.Answer ftp = communicator.post("/api/v1/webhooks", "{\"url\":\"ftp://example.com/hook\"}");
        assertThat(ftp.status()).isEqualTo(422);
        assertThat(ftp.json().get("errors").toString()).contains("\"field\":\"url\"", "https://");
        Api.Answer none = communicator.post("/api/v1/webhooks", "{}");
        assertThat(none.status()).isEqualTo(422);
        assertThat(none.json().get("errors").toString()).contains("\"field\":\"url\"");
        Api.Answer creds = communicator.post("/api/v1/webhooks", "{\"url\":\"https://user:pw@example.com/hook\"}");
        assertThat(creds.json().get("errors").toString()).contains("\"field\":\"url\"", "user name or password");
        assertThat(communicator.delete("/api/v1/webhooks/whk_nope").status()).isEqualTo(404);
    }

    @Test
    @Order(6)
    void two_nodes_deliver_each_update_to_each_endpoint_exactly_once() {
        List<String> paths = List.of("/slow-a", "/slow-b", "/slow-c");
        List<String> endpoints = paths.stream().map(p -> Api.expect(201, register(p)).text("id")).toList();
        try (Node second = Node.start(database, SETTINGS)) {
            Api secondCommunicator = second.api().as(communicator.bearer());
            List<String> updates = new ArrayList<>();
            String incident = incident("Cluster delivery");
            for (int i = 0; i < 12; i++) {
                Api via = i % 2 == 0 ? communicator : secondCommunicator;
                String body = "{\"status\":\"identified\",\"body\":" + Api.quote(BODY) + ",\"audience\":\"all\",\"channels\":[\"webhook\"]}";
                updates.add(Api.expect(201, via.post("/api/v1/incidents/" + incident + "/updates", body)).text("id"));
            }
            int expected = updates.size() * paths.size();
            await("every delivery", Duration.ofSeconds(30), () -> paths.stream().mapToInt(p -> at(p).size()).sum() >= expected);
            sleep(1000); // a duplicate would arrive now
            List<Received> got = paths.stream().flatMap(p -> at(p).stream()).toList();
            assertThat(got).hasSize(expected);
            assertThat(got.stream().map(Received::delivery).distinct().count()).isEqualTo(expected);
            for (String path : paths) {
                assertThat(at(path).stream().map(r -> Api.JSON.readTree(r.body()).get("update").get("id").asString()).toList())
                        .containsExactlyInAnyOrderElementsOf(updates);
            }
        }
        endpoints.forEach(e -> Api.expect(200, communicator.delete("/api/v1/webhooks/" + e)));
    }

    /**
     * The claim itself under contention: 240 due deliveries, eight claimers on each of two nodes
     * racing each other and both nodes' own workers. No delivery may be claimed twice.
     */
    @Test
    @Order(7)
    void racing_claimers_on_two_nodes_never_take_the_same_delivery() throws Exception {
        List<String> paths = List.of("/race-a", "/race-b", "/race-c", "/race-d");
        List<String> endpoints = paths.stream().map(p -> Api.expect(201, register(p)).text("id")).toList();
        String incident = incident("Claim race");
        List<String> updates = new ArrayList<>();
        for (int i = 0; i < 60; i++) updates.add(Api.expect(201, publish(incident, "[\"statuspage\"]")).text("id"));
        try (Node second = Node.start(database, SETTINGS)) {
            JdbcClient db = node.bean(JdbcClient.class);
            db.sql("""
                    insert into webhook_deliveries (id, endpoint_id, update_id, payload, state, next_attempt_at, created_at)
                    select 'whd_race_' || e || '_' || u, e, u, '{}', 'queued', now() + interval '1 second', now()
                    from unnest(cast(:endpoints as text[])) e, unnest(cast(:updates as text[])) u""")
                    .param("endpoints", endpoints.toArray(String[]::new)).param("updates", updates.toArray(String[]::new)).update();
            Queue<String> claimed = new ConcurrentLinkedQueue<>();
            List<Thread> claimers = new ArrayList<>();
            for (Node n : List.of(node, second)) {
                WebhookDelivery worker = n.bean(WebhookDelivery.class);
                for (int t = 0; t < 8; t++) {
                    claimers.add(Thread.ofPlatform().start(() -> {
                        Instant end = Instant.now().plusSeconds(6);
                        while (Instant.now().isBefore(end)) {
                            worker.claim().stream().map(WebhookDelivery.Claimed::id).filter(id -> id.startsWith("whd_race_")).forEach(claimed::add);
                        }
                    }));
                }
            }
            for (Thread t : claimers) t.join();
            sleep(1000);
            List<String> sent = paths.stream().flatMap(p -> at(p).stream()).map(Received::delivery).toList();
            List<String> all = new ArrayList<>(claimed);
            all.addAll(sent);
            assertThat(all).doesNotHaveDuplicates().hasSize(endpoints.size() * updates.size());
            assertThat(claimed).isNotEmpty();
        }
        endpoints.forEach(e -> Api.expect(200, communicator.delete("/api/v1/webhooks/" + e)));
    }
}
