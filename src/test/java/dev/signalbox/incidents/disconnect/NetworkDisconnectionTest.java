package dev.signalbox.incidents.disconnect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.signalbox.accounts.Users;
import dev.signalbox.mail.Mailer;
import dev.signalbox.sandbox.SandboxNetwork;
import dev.signalbox.sandbox.SandboxStatus;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.FormBrowser;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import dev.signalbox.vault.TokenVault;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Disconnecting the whole sandbox network over real HTTP, on a database of its own (a disconnection
 * takes every profile of the network, so no other test's profiles may be in it). WireMock stands in
 * for a provider that cannot revoke.
 */
class NetworkDisconnectionTest {

    static final WireMockServer provider = new WireMockServer(wireMockConfig().dynamicPort());
    static Node node;
    static JdbcClient db;
    static Api anonymous;
    static Api responder;

    @BeforeAll
    static void startNode() {
        provider.start();
        node = Node.start(TestPostgres.freshDatabaseUrl(), Map.of(
                "signalbox.dispatch.poll-interval-ms", "50",
                "signalbox.networks.allow-private-addresses", "true",
                "signalbox.disconnect.revoke-backoff", "PT0.1S",
                "signalbox.disconnect.retry-poll-ms", "50"));
        db = node.bean(JdbcClient.class);
        anonymous = node.api();
        responder = operator("responder");
    }

    @AfterAll
    static void stop() {
        node.close();
        provider.stop();
    }

    @BeforeEach
    void noProfilesYet() {
        provider.resetAll();
        db.sql("delete from profiles").update();
        db.sql("delete from reconnect_restrictions").update();
    }

    static Api operator(String role) {
        return operator(role, role + "-" + UUID.randomUUID().toString().substring(0, 8) + "@signalbox.test");
    }

    static Api operator(String role, String email) {
        node.bean(Users.class).createOperator(email, "correct-horse-battery", "Op " + role, List.of(role));
        String token = Api.expect(201, anonymous.post("/api/v1/auth/token",
                "{\"email\":\"" + email + "\",\"password\":\"correct-horse-battery\"}")).text("token");
        return anonymous.as(token);
    }

    record Customer(Api api, String email, String workspace) {}

    static Customer customer(String name) {
        Api api = anonymous.newCustomer(name);
        String workspace = api.createWorkspace(name + "'s shop");
        String email = db.sql("select u.email from users u join workspace_members m on m.user_id = u.id where m.workspace_id = :w")
                .param("w", workspace).query(String.class).single();
        return new Customer(api, email, workspace);
    }

    static String handle() {
        return "h" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static String plaintextToken(String profileId) {
        String sealed = db.sql("select secret from profiles where id = :id").param("id", profileId).query(String.class).single();
        return node.bean(TokenVault.class).open(sealed, "profiles:" + profileId);
    }

    static int verifyCredentials(String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/sandbox/api/v1/accounts/verify_credentials"))
                .header("Authorization", "Bearer " + token).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static JsonNode disconnectSandbox(String extra) {
        return Api.expect(202, responder.post("/api/v1/disconnections",
                "{\"network\":\"sandbox\",\"reason\":\"A leaked database backup held sandbox tokens\"" + extra + "}")).json();
    }

    static String postNow(Api api, String profile, String text) {
        return Api.expect(201, api.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"" + text + "\",\"when\":\"now\"}")).text("id");
    }

    static String statusOf(Api api, String post) {
        return Api.expect(200, api.get("/api/v1/posts/" + post)).text("status");
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("Timed out waiting until " + what);
            Thread.sleep(50);
        }
    }

    @Test
    void disconnecting_a_network_revokes_every_token_erases_it_holds_the_posts_and_emails_each_owner_once() throws Exception {
        Customer ann = customer("Ann");
        Customer bob = customer("Bob");
        String ann1 = ann.api().connectSandbox(ann.workspace(), handle());
        String ann2 = ann.api().connectSandbox(ann.workspace(), handle());
        String bob1 = bob.api().connectSandbox(bob.workspace(), handle());
        List<String> oldTokens = List.of(plaintextToken(ann1), plaintextToken(ann2), plaintextToken(bob1));
        for (String token : oldTokens) assertThat(verifyCredentials(token)).isEqualTo(200);
        Api.expect(200, ann.api().post("/api/v1/profiles/" + ann1 + "/pause", "{}"));
        String queued = postNow(ann.api(), ann1, "Queued before the breach");
        assertThat(statusOf(ann.api(), queued)).isEqualTo("scheduled");

        JsonNode started = disconnectSandbox("");

        assertThat(started.get("profiles").asInt()).isEqualTo(3);
        assertThat(started.get("revoked").asInt()).isEqualTo(3);
        assertThat(started.get("revokeFailures").asInt()).isZero();
        for (String token : oldTokens) assertThat(verifyCredentials(token)).as("the old token at the provider").isEqualTo(401);
        assertThat(db.sql("select count(*) from sandbox_tokens where revoked_at is not null").query(Long.class).single()).isGreaterThanOrEqualTo(3);
        assertThat(db.sql("select count(*) from profiles where secret is not null").query(Long.class).single()).isZero();
        assertThat(db.sql("select count(*) from disconnection_profiles where sealed_secret is not null").query(Long.class).single()).isZero();
        JsonNode profile = Api.expect(200, ann.api().get("/api/v1/profiles/" + ann1)).json();
        assertThat(profile.get("status").asString()).isEqualTo("needs_reconnect");
        assertThat(profile.get("statusReason").asString()).isEqualTo("A leaked database backup held sandbox tokens");
        JsonNode held = Api.expect(200, ann.api().get("/api/v1/posts/" + queued)).json();
        assertThat(held.get("status").asString()).isEqualTo("held");
        assertThat(held.get("failure").get("kind").asString()).isEqualTo("needs_reconnect");

        Mailer mailer = node.bean(Mailer.class);
        assertThat(mailer.to(ann.email())).singleElement().satisfies(m -> {
            assertThat(m.subject()).contains("disconnected").contains("sandbox");
            assertThat(m.body()).contains("for your safety").contains("held, not lost").contains("A leaked database backup held sandbox tokens")
                    .contains("/workspaces/" + ann.workspace());
        });
        assertThat(mailer.to(bob.email())).hasSize(1);

        String id = started.get("id").asString();
        JsonNode campaign = Api.expect(200, responder.get("/api/v1/disconnections/" + id)).json();
        assertThat(campaign.get("reconnected").asInt()).isZero();
        assertThat(campaign.get("stillDisconnected").asInt()).isEqualTo(3);
        assertThat(campaign.get("heldPosts").asLong()).isEqualTo(1);
        assertThat(node.bean(dev.signalbox.audit.AuditLog.class).entries(null, null, null, 1000))
                .anySatisfy(e -> {
                    assertThat(e.action()).isEqualTo("disconnect");
                    assertThat(e.target()).isEqualTo("sandbox");
                    assertThat(e.details()).contains(id);
                });
    }

    @Test
    void reconnecting_resumes_held_posts_in_order_once_and_the_campaign_counts_it() throws Exception {
        Customer ann = customer("Ann");
        String h = handle();
        String profile = ann.api().connectSandbox(ann.workspace(), h);
        ann.api().connectSandbox(ann.workspace(), handle());
        ann.api().connectSandbox(ann.workspace(), handle());
        ann.api().connectSandbox(ann.workspace(), handle());
        Api.expect(200, ann.api().post("/api/v1/profiles/" + profile + "/pause", "{}"));
        String first = postNow(ann.api(), profile, "first");
        String second = postNow(ann.api(), profile, "second");
        String third = postNow(ann.api(), profile, "third");
        String id = disconnectSandbox("").get("id").asString();
        assertThat(List.of(first, second, third)).allSatisfy(p -> assertThat(statusOf(ann.api(), p)).isEqualTo("held"));

        ann.api().connectSandbox(ann.workspace(), h);
        Api.expect(200, ann.api().post("/api/v1/profiles/" + profile + "/resume", "{}"));

        await("the three held posts are published", () -> List.of(first, second, third).stream()
                .allMatch(p -> statusOf(ann.api(), p).equals("published")));
        List<SandboxStatus> statuses = node.bean(SandboxNetwork.class).statuses(h);
        assertThat(statuses).extracting(SandboxStatus::text).containsExactly("first", "second", "third");
        JsonNode campaign = Api.expect(200, responder.get("/api/v1/disconnections/" + id)).json();
        assertThat(campaign.get("profiles").asInt()).isEqualTo(4);
        assertThat(campaign.get("reconnected").asInt()).isEqualTo(1);
        assertThat(campaign.get("stillDisconnected").asInt()).isEqualTo(3);
        assertThat(campaign.get("percentReconnected").asDouble()).isEqualTo(25.0);
        assertThat(campaign.get("heldPosts").asLong()).isZero();
        assertThat(campaign.get("reconnectionsPerHour")).singleElement()
                .satisfies(hour -> assertThat(hour.get("reconnected").asInt()).isEqualTo(1));
    }

    @Test
    void a_post_held_longer_than_the_stale_age_waits_for_its_owner_and_confirm_publishes_it() throws Exception {
        Customer ann = customer("Ann");
        String h = handle();
        String profile = ann.api().connectSandbox(ann.workspace(), h);
        Api.expect(200, ann.api().post("/api/v1/profiles/" + profile + "/pause", "{}"));
        String stale = postNow(ann.api(), profile, "yesterday's news");
        String fresh = postNow(ann.api(), profile, "still timely");
        disconnectSandbox("");
        // The customer reconnects 13 hours after the first post was due.
        db.sql("update posts set due_at = now() - interval '13 hours' where id = :id").param("id", stale).update();

        ann.api().connectSandbox(ann.workspace(), h);
        Api.expect(200, ann.api().post("/api/v1/profiles/" + profile + "/resume", "{}"));

        await("the fresh post is published", () -> statusOf(ann.api(), fresh).equals("published"));
        JsonNode waiting = Api.expect(200, ann.api().get("/api/v1/posts/" + stale)).json();
        assertThat(waiting.get("status").asString()).isEqualTo("held");
        assertThat(waiting.get("failure").get("kind").asString()).isEqualTo("needs_confirmation");
        assertThat(waiting.get("failure").get("message").asString()).contains("confirm");
        assertThat(node.bean(SandboxNetwork.class).statuses(h)).extracting(SandboxStatus::text).containsExactly("still timely");

        Api.expect(200, ann.api().post("/api/v1/posts/" + stale + "/confirm", "{}"));

        await("the confirmed post is published", () -> statusOf(ann.api(), stale).equals("published"));
        assertThat(node.bean(SandboxNetwork.class).statuses(h)).extracting(SandboxStatus::text)
                .containsExactly("still timely", "yesterday's news");
        Api.expect(409, ann.api().post("/api/v1/posts/" + fresh + "/confirm", "{}"));
    }

    @Test
    void a_provider_that_cannot_revoke_is_listed_retried_in_the_background_and_the_local_copy_is_erased_anyway() throws Exception {
        Customer ann = customer("Ann");
        String down = ann.api().connectSandbox(ann.workspace(), handle());
        String flaky = ann.api().connectSandbox(ann.workspace(), handle());
        db.sql("update profiles set instance_url = :u || '/down' where id = :id").param("u", provider.baseUrl()).param("id", down).update();
        db.sql("update profiles set instance_url = :u || '/flaky' where id = :id").param("u", provider.baseUrl()).param("id", flaky).update();
        provider.stubFor(post(urlEqualTo("/down/oauth/revoke")).willReturn(aResponse().withStatus(503)));
        provider.stubFor(post(urlEqualTo("/flaky/oauth/revoke")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        provider.stubFor(post(urlEqualTo("/flaky/oauth/revoke")).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{}")));

        JsonNode started = disconnectSandbox("");

        assertThat(started.get("revoked").asInt()).isZero();
        assertThat(started.get("revokeFailures").asInt()).isEqualTo(2);
        assertThat(db.sql("select count(*) from profiles where secret is not null").query(Long.class).single()).isZero();
        String id = started.get("id").asString();
        await("the flaky provider revoked on retry and the down one was given up", () -> {
            JsonNode c = responder.get("/api/v1/disconnections/" + id).json();
            return c.get("revoked").asInt() == 1 && c.get("revokeRetrying").asInt() == 0;
        });
        JsonNode campaign = responder.get("/api/v1/disconnections/" + id).json();
        assertThat(campaign.get("revokeFailureDetails")).singleElement().satisfies(f -> {
            assertThat(f.get("profileId").asString()).isEqualTo(down);
            assertThat(f.get("state").asString()).isEqualTo("failed");
            assertThat(f.get("attempts").asInt()).isEqualTo(4);
            assertThat(f.get("reason").asString()).contains("gave up after 4 attempts").contains("copy of the token was erased");
        });
        provider.verify(4, postRequestedFor(urlEqualTo("/down/oauth/revoke")));
        provider.verify(2, postRequestedFor(urlEqualTo("/flaky/oauth/revoke")));
        assertThat(db.sql("select count(*) from disconnection_profiles where sealed_secret is not null").query(Long.class).single()).isZero();
    }

    @Test
    void while_restricted_only_the_web_dashboard_may_reconnect_until_an_operator_lifts_it() {
        Customer ann = customer("Ann");
        String h = handle();
        String profile = ann.api().connectSandbox(ann.workspace(), h);
        String id = disconnectSandbox(",\"reconnectClients\":[\"web\"]").get("id").asString();
        String body = "{\"network\":\"sandbox\",\"handle\":\"" + h + "\"}";

        Api.Answer refused = connectFrom("mobile", ann, h);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("Reconnecting sandbox is only possible from the web dashboard for now")
                .contains("A leaked database backup").contains("/workspaces/" + ann.workspace());
        Api.expect(403, ann.api().post("/api/v1/workspaces/" + ann.workspace() + "/profiles", body));
        assertThat(db.sql("select status from profiles where id = :id").param("id", profile).query(String.class).single()).isEqualTo("needs_reconnect");
        assertThat(db.sql("select count(*) from profiles where secret is not null").query(Long.class).single()).isZero();

        Api.expect(201, connectFrom("web", ann, h));

        String other = handle();
        Api.expect(403, connectFrom("mobile", ann, other));
        Api.expect(403, operator("communicator").delete("/api/v1/disconnections/" + id + "/restriction"));
        JsonNode lifted = Api.expect(200, responder.delete("/api/v1/disconnections/" + id + "/restriction")).json();
        assertThat(lifted.get("restrictionActive").asBoolean()).isFalse();
        Api.expect(201, connectFrom("mobile", ann, other));
        Api.expect(409, responder.post("/api/v1/disconnections/" + id + "/lift-restriction", "{}"));
        assertThat(node.bean(dev.signalbox.audit.AuditLog.class).entries(null, null, null, 1000))
                .anySatisfy(e -> assertThat(e.action()).isEqualTo("lift-reconnect-restriction"));
    }

    @Test
    void bad_input_is_refused_naming_the_field_and_changes_nothing() {
        Customer ann = customer("Ann");
        String profile = ann.api().connectSandbox(ann.workspace(), handle());

        Api.Answer unknown = responder.post("/api/v1/disconnections", "{\"network\":\"myspace\",\"reason\":\"breach\"}");
        Api.Answer noReason = responder.post("/api/v1/disconnections", "{\"network\":\"sandbox\"}");
        Api.Answer badClient = responder.post("/api/v1/disconnections", "{\"network\":\"sandbox\",\"reason\":\"x\",\"reconnectClients\":[\"fax\"]}");

        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().get("errors")).anySatisfy(e -> assertThat(e.get("field").asString()).isEqualTo("network"));
        assertThat(noReason.status()).isEqualTo(422);
        assertThat(noReason.json().get("errors")).anySatisfy(e -> assertThat(e.get("field").asString()).isEqualTo("reason"));
        assertThat(badClient.status()).isEqualTo(422);
        assertThat(badClient.json().get("errors")).anySatisfy(e -> assertThat(e.get("field").asString()).isEqualTo("reconnectClients[0]"));
        assertThat(db.sql("select status from profiles where id = :id").param("id", profile).query(String.class).single()).isEqualTo("connected");
        assertThat(db.sql("select count(*) from profiles where secret is null").query(Long.class).single()).isZero();
    }

    @Test
    void only_responders_and_admins_may_disconnect_and_customers_never_learn_the_endpoint_exists() {
        Customer ann = customer("Ann");
        String profile = ann.api().connectSandbox(ann.workspace(), handle());
        String body = "{\"network\":\"sandbox\",\"reason\":\"breach\"}";

        Api.expect(404, ann.api().post("/api/v1/disconnections", body));
        Api.expect(401, anonymous.post("/api/v1/disconnections", body));
        Api.expect(403, operator("communicator").post("/api/v1/disconnections", body));
        assertThat(db.sql("select status from profiles where id = :id").param("id", profile).query(String.class).single()).isEqualTo("connected");

        String id = Api.expect(202, operator("admin").post("/api/v1/disconnections", body)).text("id");
        Api.expect(404, ann.api().get("/api/v1/disconnections/" + id));
        Api.expect(200, operator("communicator").get("/api/v1/disconnections/" + id));
    }

    @Test
    void the_cli_disconnects_a_network_and_shows_the_campaign() {
        Customer ann = customer("Ann");
        String profile = ann.api().connectSandbox(ann.workspace(), handle());
        String server = "http://127.0.0.1:" + node.port();

        int started = dev.signalbox.cli.Cli.run(new String[] {"disconnect", "--server", server, "--token", responder.bearer(),
                "--network", "sandbox", "--reason", "Rotating every sandbox token", "--only-from", "web"});
        int refused = dev.signalbox.cli.Cli.run(new String[] {"disconnect", "--server", server, "--token", responder.bearer(),
                "--network", "myspace", "--reason", "typo"});

        assertThat(started).isZero();
        assertThat(refused).isEqualTo(1);
        assertThat(db.sql("select status from profiles where id = :id").param("id", profile).query(String.class).single()).isEqualTo("needs_reconnect");
        String id = db.sql("select id from disconnections order by created_at desc limit 1").query(String.class).single();
        assertThat(dev.signalbox.cli.Cli.run(new String[] {"disconnect", "--server", server, "--token", responder.bearer(), "--lift", id})).isZero();
        assertThat(dev.signalbox.cli.Cli.run(new String[] {"disconnect", "--server", server, "--token", responder.bearer(), "--show", id})).isZero();
    }

    @Test
    void operators_disconnect_and_follow_the_campaign_on_the_dashboard() throws Exception {
        Customer ann = customer("Ann");
        ann.api().connectSandbox(ann.workspace(), handle());
        String email = "dash-" + UUID.randomUUID().toString().substring(0, 8) + "@signalbox.test";
        operator("responder", email);
        Browser browser = new Browser();
        browser.signIn(email);

        HttpResponse<String> refused = browser.submit("/disconnections", "network", "", "reason", "");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("network-error").contains("reason-error");
        HttpResponse<String> started = browser.submit("/disconnections", "network", "sandbox", "reason", "Rotating tokens", "webOnly", "true");

        assertThat(started.statusCode()).isEqualTo(200);
        assertThat(started.uri().getPath()).startsWith("/disconnections/dsc_");
        assertThat(started.body()).contains("0 of 1").contains("Lift the restriction").contains("1 revoked");
        HttpResponse<String> lifted = browser.submit(started.uri().getPath() + "/lift-restriction");
        assertThat(lifted.body()).contains("Restriction lifted").doesNotContain("Lift the restriction");
    }

    /** An operator's browser on the dashboard (see {@link FormBrowser}), signed in with two-factor. */
    static final class Browser {
        final FormBrowser page = new FormBrowser(node.port());

        HttpResponse<String> get(String path) throws Exception {
            return page.get(path);
        }

        /** Operators must use two-factor on the dashboard: enrol this one with a known secret, then sign in with its code. */
        void signIn(String email) throws Exception {
            node.bean(dev.signalbox.accounts.TwoFactor.class)
                    .provision(node.bean(Users.class).byEmail(email).orElseThrow(), dev.signalbox.accounts.TestTotp.SECRET);
            get("/login");
            submit("/login", "username", email, "password", "correct-horse-battery", "totp",
                    dev.signalbox.accounts.TestTotp.code(dev.signalbox.accounts.TestTotp.SECRET, 0));
            get("/disconnections");
        }

        HttpResponse<String> submit(String path, String... pairs) throws Exception {
            return page.post(path, pairs);
        }
    }

    /** Connects a profile as the named client would: with {@code X-Signalbox-Client}. */
    static Api.Answer connectFrom(String client, Customer customer, String handle) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/api/v1/workspaces/" + customer.workspace() + "/profiles"))
                .header("Authorization", "Bearer " + customer.api().bearer()).header("Content-Type", "application/json")
                .header("X-Signalbox-Client", client)
                .POST(HttpRequest.BodyPublishers.ofString("{\"network\":\"sandbox\",\"handle\":\"" + handle + "\"}")).build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            return new Api.Answer(response.statusCode(), Api.JSON.readTree(response.body()), response.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
