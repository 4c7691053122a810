package dev.signalbox.publishing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.signalbox.platform.PgNotifications;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.NotificationStall;
import dev.signalbox.testing.SignalboxTest;
import dev.signalbox.vault.TokenVault;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * How the dispatcher handles each kind of answer, against a local stub of the Mastodon
 * statuses API (the sandbox network speaks the same contract). Asserts what was sent and what
 * the customer then sees on the post.
 */
@TestPropertySource(properties = {"signalbox.networks.request-timeout=PT1S", "signalbox.dispatch.poll-interval-ms=50"})
class DispatchOutcomesTest extends SignalboxTest {

    static final String TOKEN = "stub-access-token-" + UUID.randomUUID();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient db;

    @Autowired
    TokenVault vault;

    @Autowired
    javax.sql.DataSource dataSource;

    @Autowired
    PgNotifications notifications;

    WireMockServer network;
    Api customer;
    String profile;

    @BeforeEach
    void profileOnTheStub() {
        network = new WireMockServer(wireMockConfig().dynamicPort());
        network.start();
        customer = Api.at(port).newCustomer("Stub");
        String workspace = customer.createWorkspace("Stubbed");
        profile = "prf_stub_" + UUID.randomUUID().toString().replace("-", "");
        db.sql("""
                insert into profiles (id, workspace_id, network, handle, instance_url, network_account_id, text_limit, status, secret, created_at)
                values (:id, :w, 'sandbox', :h, :url, '42', 500, 'connected', :secret, now())""")
                .param("id", profile).param("w", workspace).param("h", "stub" + UUID.randomUUID().toString().substring(0, 8))
                .param("url", network.baseUrl()).param("secret", vault.seal(TOKEN, "profiles:" + profile))
                .update();
    }

    @AfterEach
    void stopStub() {
        network.stop();
    }

    @Test
    void a_publish_sends_the_token_the_text_and_the_post_id_as_idempotency_key() {
        network.stubFor(post("/api/v1/statuses").willReturn(okStatus("1001")));
        String id = postNow("Hello stub & friends");

        JsonNode published = await(id, p -> p.get("status").asString().equals("published"));

        assertThat(published.get("networkPostId").asString()).isEqualTo("1001");
        assertThat(published.get("networkUrl").asString()).isEqualTo("https://stub.example/@me/1001");
        List<LoggedRequest> sent = network.findAll(postRequestedFor(urlEqualTo("/api/v1/statuses")));
        assertThat(sent).singleElement().satisfies(r -> {
            assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
            assertThat(r.getHeader("Idempotency-Key")).isEqualTo(id);
            assertThat(r.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
            assertThat(r.getBodyAsString()).isEqualTo("status=Hello+stub+%26+friends&visibility=public");
        });
    }

    @Test
    void a_rate_limited_post_waits_until_the_networks_reset_time() {
        Instant reset = Instant.now().plusSeconds(40).truncatedTo(ChronoUnit.SECONDS);
        network.stubFor(post("/api/v1/statuses").willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json")
                .withHeader("X-RateLimit-Limit", "300").withHeader("X-RateLimit-Remaining", "0")
                .withHeader("X-RateLimit-Reset", OffsetDateTime.ofInstant(reset, ZoneOffset.UTC).toString())
                .withBody("{\"error\":\"Too many requests\"}")));
        String id = postNow("patience");

        JsonNode post = await(id, p -> p.get("failure") != null && !p.get("failure").isNull());

        assertThat(post.get("status").asString()).isEqualTo("scheduled");
        assertThat(post.get("failure").get("kind").asString()).isEqualTo("rate_limited");
        Instant next = db.sql("select next_attempt_at from posts where id = :id").param("id", id)
                .query((rs, n) -> rs.getTimestamp(1).toInstant()).single();
        assertThat(next).isEqualTo(reset);
        sleep(1500);
        network.verify(1, postRequestedFor(urlEqualTo("/api/v1/statuses")));
    }

    @Test
    void a_refused_token_holds_the_profiles_posts_and_asks_for_reconnection() {
        network.stubFor(post("/api/v1/statuses").willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"The access token is invalid\"}")));
        String first = postNow("first");
        String second = customer.post("/api/v1/profiles/" + profile + "/posts",
                "{\"text\":\"second\",\"when\":\"at\",\"at\":\"" + OffsetDateTime.now().plusHours(1) + "\"}").text("id");

        JsonNode held = await(first, p -> p.get("status").asString().equals("held"));

        assertThat(held.get("failure").get("kind").asString()).isEqualTo("needs_reconnect");
        assertThat(held.get("failure").get("message").asString()).contains("The access token is invalid");
        assertThat(customer.get("/api/v1/posts/" + second).text("status")).isEqualTo("held");
        JsonNode p = customer.get("/api/v1/profiles/" + profile).json();
        assertThat(p.get("status").asString()).isEqualTo("needs_reconnect");
        assertThat(p.get("statusReason").asString()).contains("refused the access token");
        String third = postNow("third");
        assertThat(customer.get("/api/v1/posts/" + third).text("status")).isEqualTo("held");
        sleep(800);
        network.verify(1, postRequestedFor(urlEqualTo("/api/v1/statuses")));
    }

    @Test
    void rejected_content_fails_with_the_networks_own_reason() {
        network.stubFor(post("/api/v1/statuses").willReturn(aResponse().withStatus(422)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"Validation failed: Text contains a forbidden word\"}")));
        String id = postNow("forbidden");

        JsonNode failed = await(id, p -> p.get("status").asString().equals("failed"));

        assertThat(failed.get("failure").get("kind").asString()).isEqualTo("rejected");
        assertThat(failed.get("failure").get("message").asString()).isEqualTo("Validation failed: Text contains a forbidden word");
        assertThat(failed.get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void a_server_error_is_retried_after_a_back_off_and_the_ledger_shows_both_attempts() {
        network.stubFor(post("/api/v1/statuses").inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        network.stubFor(post("/api/v1/statuses").inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(okStatus("2002").withFixedDelay(300)));
        String id = postNow("try again");

        JsonNode published = await(id, p -> p.get("status").asString().equals("published"));

        assertThat(published.get("attempts").asInt()).isEqualTo(2);
        List<String> outcomes = db.sql("select outcome from post_attempts where post_id = :id order by attempt")
                .param("id", id).query(String.class).list();
        assertThat(outcomes).containsExactly("retry", "published");
        List<LoggedRequest> sent = network.findAll(postRequestedFor(urlEqualTo("/api/v1/statuses")));
        assertThat(sent).hasSize(2);
        long gapMillis = sent.get(1).getLoggedDate().getTime() - sent.get(0).getLoggedDate().getTime();
        assertThat(gapMillis).as("back-off between attempts").isGreaterThanOrEqualTo(1000);
        // each line also says when its call left and when the answer came: the second answer took the network's 300 ms
        List<Instant[]> calls = db.sql("""
                select call_started_at, call_answered_at, finished_at from post_attempts where post_id = :id order by attempt""")
                .param("id", id).query((rs, n) -> new Instant[] {rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant(),
                        rs.getTimestamp(3).toInstant()}).list();
        for (int i = 0; i < 2; i++) {
            Instant arrived = sent.get(i).getLoggedDate().toInstant();
            // the network logs whole milliseconds
            assertThat(calls.get(i)[0].truncatedTo(ChronoUnit.MILLIS)).as("call %d left before the network logged it", i + 1)
                    .isBeforeOrEqualTo(arrived);
            assertThat(calls.get(i)[1]).as("call %d was answered after the network logged it", i + 1).isAfterOrEqualTo(arrived);
            assertThat(calls.get(i)[2]).as("attempt %d settled after its answer", i + 1).isAfterOrEqualTo(calls.get(i)[1]);
        }
        assertThat(Duration.between(calls.get(1)[0], calls.get(1)[1])).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void a_timed_out_call_is_retried_with_the_same_idempotency_key() {
        network.stubFor(post("/api/v1/statuses").inScenario("slow").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okStatus("3003").withFixedDelay(3000)).willSetStateTo("fast"));
        network.stubFor(post("/api/v1/statuses").inScenario("slow").whenScenarioStateIs("fast")
                .willReturn(okStatus("3003")));
        String id = postNow("slow network");

        JsonNode published = await(id, p -> p.get("status").asString().equals("published"));

        assertThat(published.get("networkPostId").asString()).isEqualTo("3003");
        List<LoggedRequest> sent = network.findAll(postRequestedFor(urlEqualTo("/api/v1/statuses")));
        assertThat(sent).hasSize(2).allSatisfy(r -> assertThat(r.getHeader("Idempotency-Key")).isEqualTo(id));
    }

    @Test
    void a_failing_post_keeps_the_later_posts_of_its_profile_waiting() {
        network.stubFor(post("/api/v1/statuses").withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("status=first"))
                .inScenario("order").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(502)).willSetStateTo("up"));
        network.stubFor(post("/api/v1/statuses").inScenario("order").whenScenarioStateIs("up").willReturn(okStatus("4004")));
        String first = postNow("first");
        String second = postNow("second");

        await(second, p -> p.get("status").asString().equals("published"));

        List<String> texts = network.findAll(postRequestedFor(urlEqualTo("/api/v1/statuses"))).stream()
                .map(r -> r.getBodyAsString().replaceAll("^status=([^&]*).*$", "$1")).toList();
        assertThat(texts).containsExactly("first", "first", "second");
        assertThat(customer.get("/api/v1/posts/" + first).text("status")).isEqualTo("published");
        network.verify(postRequestedFor(urlEqualTo("/api/v1/statuses")).withHeader("Idempotency-Key", equalTo(second)));
    }

    @Test
    void while_a_halt_is_being_placed_no_post_is_claimed_even_by_a_node_that_has_not_heard_of_it() throws Exception {
        network.stubFor(post("/api/v1/statuses").willReturn(okStatus("5005")));
        String id;
        try (java.sql.Connection placer = dataSource.getConnection(); var statement = placer.createStatement()) {
            // What a node placing a halt holds from its announcement until the halt is committed. No announcement
            // reaches this node (none is sent), as when the node placing the halt is another one and its NOTIFY is late.
            statement.execute("select pg_advisory_lock(" + Halts.PLACING_LOCK + ")");
            id = postNow("not while a halt is being placed");
            sleep(1500); // about 30 claim rounds at this test's 50 ms poll interval

            network.verify(0, postRequestedFor(urlEqualTo("/api/v1/statuses")));
            assertThat(customer.get("/api/v1/posts/" + id).text("status")).isEqualTo("scheduled");
            assertThat(db.sql("select count(*) from post_attempts where post_id = :id").param("id", id).query(Integer.class).single())
                    .as("ledger lines of claims that took nothing").isZero();
            statement.execute("select pg_advisory_unlock(" + Halts.PLACING_LOCK + ")");
        }

        await(id, p -> p.get("status").asString().equals("published"));
        network.verify(1, postRequestedFor(urlEqualTo("/api/v1/statuses")));
    }

    @Test
    void a_node_that_has_stalled_hears_the_announcements_waiting_for_it_before_it_starts_a_call() {
        network.stubFor(post("/api/v1/statuses").willReturn(okStatus("5006")));
        String halt = "hlt_stall_" + UUID.randomUUID().toString().replace("-", "");
        String id;
        CountDownLatch resume = NotificationStall.hold(notifications, db, HaltWatch.CHANNEL);
        try {
            id = postNow("not before this node has heard what is waiting for it");
            sleep(250); // claimed meanwhile: its call waits for the node to catch up
            // Another node announces a halt. It reaches this node's connection but is not read yet.
            notifyNodes(HaltWatch.announcement(halt, "global", null));
            sleep(100);
            network.verify(0, postRequestedFor(urlEqualTo("/api/v1/statuses")));
        } finally {
            resume.countDown();
        }
        sleep(500);
        network.verify(0, postRequestedFor(urlEqualTo("/api/v1/statuses")));
        assertThat(customer.get("/api/v1/posts/" + id).text("status")).isNotEqualTo("published");

        notifyNodes(HaltWatch.WITHDRAWN + halt); // the placing node gave the halt up
        await(id, p -> p.get("status").asString().equals("published"));
        network.verify(1, postRequestedFor(urlEqualTo("/api/v1/statuses")));
    }

    @Test
    void a_node_whose_notification_thread_is_stuck_still_publishes_after_waiting_at_most_a_second() {
        network.stubFor(post("/api/v1/statuses").willReturn(okStatus("5007")));
        CountDownLatch resume = NotificationStall.hold(notifications, db, HaltWatch.CHANNEL);
        try {
            Instant posted = Instant.now();
            String id = postNow("goes out though this node's notifications are stuck");
            await(id, p -> p.get("status").asString().equals("published"));
            assertThat(Duration.between(posted, Instant.now()))
                    .as("published while the notification thread is still stuck (it is held for 10 s)")
                    .isLessThan(Duration.ofSeconds(5));
            network.verify(1, postRequestedFor(urlEqualTo("/api/v1/statuses")));
        } finally {
            resume.countDown();
        }
    }

    private void notifyNodes(String payload) {
        db.sql("select pg_notify(:channel, :payload)").param("channel", HaltWatch.CHANNEL).param("payload", payload)
                .query((rs, n) -> 1).single();
    }


    String postNow(String text) {
        return Api.expect(201, customer.post("/api/v1/profiles/" + profile + "/posts",
                "{\"text\":" + Api.quote(text) + ",\"when\":\"now\"}")).text("id");
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder okStatus(String id) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("X-RateLimit-Limit", "300").withHeader("X-RateLimit-Remaining", "299")
                .withBody("{\"id\":\"" + id + "\",\"url\":\"https://stub.example/@me/" + id + "\",\"content\":\"<p>x</p>\"}");
    }

    JsonNode await(String id, Predicate<JsonNode> condition) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        JsonNode post;
        do {
            post = customer.get("/api/v1/posts/" + id).json();
            if (condition.test(post)) return post;
            sleep(50);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("post " + id + " never reached the expected state: " + post);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
