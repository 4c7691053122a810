package dev.signalbox.web;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.signalbox.mail.Mailer;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.SignalboxTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Connecting real networks end to end, against local stubs of their documented APIs: X in the
 * browser (authorize → callback → token → publish), Mastodon and Bluesky with credentials through
 * the API, and what the owner is told when a network refuses a token.
 */
class NetworkConnectionsTest extends SignalboxTest {

    static final WireMockServer networks = new WireMockServer(wireMockConfig().dynamicPort().globalTemplating(true));

    static {
        networks.start();
    }

    @DynamicPropertySource
    static void networksOnTheStub(DynamicPropertyRegistry registry) {
        registry.add("signalbox.networks.allow-private-addresses", () -> "true");
        registry.add("signalbox.networks.x.client-id", () -> "signalbox-client");
        registry.add("signalbox.networks.x.client-secret", () -> "x-client-secret-" + UUID.randomUUID());
        registry.add("signalbox.networks.x.api-url", networks::baseUrl);
        registry.add("signalbox.networks.x.authorize-url", () -> networks.baseUrl() + "/i/oauth2/authorize");
        registry.add("signalbox.dispatch.poll-interval-ms", () -> "50");
    }

    @AfterAll
    static void stopStub() {
        networks.stop();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient db;

    @Autowired
    Mailer mailer;

    @BeforeEach
    void resetStub() {
        networks.resetAll();
    }

    @Test
    void connecting_x_in_the_browser_stores_a_sealed_profile_that_publishes() {
        // The provider approves at once and sends the browser back with a code and the state it was given.
        networks.stubFor(get(urlPathEqualTo("/i/oauth2/authorize")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "{{request.query.redirect_uri}}?code=granted-code&state={{request.query.state}}")));
        String accessToken = "x-access-" + UUID.randomUUID();
        networks.stubFor(post("/2/oauth2/token").withRequestBody(containing("code=granted-code"))
                .willReturn(json(200, "{\"token_type\":\"bearer\",\"expires_in\":7200,\"access_token\":\"" + accessToken
                        + "\",\"refresh_token\":\"x-refresh-1\",\"scope\":\"tweet.read tweet.write users.read offline.access\"}")));
        networks.stubFor(get("/2/users/me").willReturn(json(200, "{\"data\":{\"id\":\"2244994945\",\"name\":\"Acme\",\"username\":\"acme\"}}")));
        networks.stubFor(post("/2/tweets").willReturn(json(201, "{\"data\":{\"id\":\"1800000000000000001\",\"text\":\"hi\"}}")));

        // As a person would: on the host name the callback URL uses (SIGNALBOX_BASE_URL defaults to localhost).
        DashboardSession browser = new DashboardSession("http://localhost:" + port);
        String email = DashboardSession.unique("xena") + "@example.com";
        browser.signUp("Xena", email);
        String workspace = browser.post(WorkspacePages.CREATE, "name", "X team").path().replace("/workspaces/", "");

        DashboardSession.Page landed = browser.get(ConnectPages.start("x", workspace));

        assertThat(landed.path()).isEqualTo("/workspaces/" + workspace);
        assertThat(landed.body()).contains("Connected 1 profile.", "@acme");
        var authorize = networks.getAllServeEvents().stream().filter(e -> e.getRequest().getUrl().startsWith("/i/oauth2/authorize")).findFirst().orElseThrow();
        assertThat(authorize.getRequest().queryParameter("code_challenge_method").firstValue()).isEqualTo("S256");
        assertThat(authorize.getRequest().queryParameter("client_id").firstValue()).isEqualTo("signalbox-client");
        String sealed = db.sql("select secret from profiles where workspace_id = :w and network = 'x'").param("w", workspace).query(String.class).single();
        assertThat(sealed).startsWith("v1.").doesNotContain(accessToken).doesNotContain("x-refresh-1");
        String profile = db.sql("select id from profiles where workspace_id = :w and network = 'x'").param("w", workspace).query(String.class).single();
        Api api = Api.at(port).as(Api.at(port).post("/api/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"correct horse battery\"}").text("token"));
        String post = Api.expect(201, api.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"Hello X\",\"when\":\"now\"}")).text("id");
        await(api, post, "published");
        assertThat(api.get("/api/v1/posts/" + post).text("networkUrl")).isEqualTo("https://x.com/i/web/status/1800000000000000001");
        networks.verify(postRequestedFor(urlEqualTo("/2/tweets")).withHeader("Authorization", equalTo("Bearer " + accessToken))
                .withRequestBody(matchingJsonPath("$.text", equalTo("Hello X"))));

        // The same callback again (a replayed state) stores nothing more.
        String callback = "/connect/x/callback?code=granted-code&state=" + authorize.getRequest().queryParameter("state").firstValue();
        DashboardSession.Page replay = browser.get(callback);
        assertThat(replay.status()).isEqualTo(422);
        assertThat(replay.body()).contains("unknown, expired or already used");
        assertThat(browser.get(ConnectPages.CALLBACK.replace("{network}", "x") + "?code=c&state=forged").status()).isEqualTo(422);
        assertThat(db.sql("select count(*) from profiles where workspace_id = :w").param("w", workspace).query(Integer.class).single()).isEqualTo(1);
    }

    @Test
    void a_mastodon_access_token_is_verified_before_it_is_stored_and_posts_carry_an_idempotency_key() {
        String token = "mastodon-token-" + UUID.randomUUID();
        networks.stubFor(get("/api/v1/accounts/verify_credentials").withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(json(200, "{\"id\":\"109\",\"username\":\"alice\",\"acct\":\"alice\",\"display_name\":\"Alice\"}")));
        networks.stubFor(get("/api/v1/accounts/verify_credentials").atPriority(10)
                .willReturn(json(401, "{\"error\":\"The access token is invalid\"}")));
        networks.stubFor(get("/api/v2/instance").willReturn(json(200,
                "{\"configuration\":{\"statuses\":{\"max_characters\":1000,\"characters_reserved_per_url\":23}}}")));
        networks.stubFor(post("/api/v1/statuses").willReturn(json(200, "{\"id\":\"555\",\"url\":\"" + networks.baseUrl() + "/@alice/555\"}")));
        Api owner = Api.at(port).newCustomer("Mona");
        String workspace = owner.createWorkspace("Fediverse");

        Api.Answer refused = owner.post("/api/v1/workspaces/" + workspace + "/profiles",
                "{\"network\":\"mastodon\",\"instance\":\"" + networks.baseUrl() + "\",\"accessToken\":\"wrong\"}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("accessToken");
        assertThat(refused.body()).doesNotContain("wrong\"");

        JsonNode profile = Api.expect(201, owner.post("/api/v1/workspaces/" + workspace + "/profiles",
                "{\"network\":\"mastodon\",\"instance\":\"" + networks.baseUrl() + "\",\"accessToken\":\"" + token + "\"}")).json();
        assertThat(profile.get("handle").asString()).isEqualTo("alice");
        assertThat(profile.get("maxCharacters").asInt()).isEqualTo(1000);
        assertThat(profile.toString()).doesNotContain(token);
        String post = Api.expect(201, owner.post("/api/v1/profiles/" + profile.get("id").asString() + "/posts",
                "{\"text\":\"" + "a".repeat(800) + "\",\"when\":\"now\"}")).text("id");
        await(owner, post, "published");
        networks.verify(postRequestedFor(urlEqualTo("/api/v1/statuses"))
                .withHeader("Authorization", equalTo("Bearer " + token)).withHeader("Idempotency-Key", equalTo(post)));
        assertThat(db.sql("select count(*) from profiles where workspace_id = :w").param("w", workspace).query(Integer.class).single()).isEqualTo(1);
    }

    @Test
    void a_bluesky_app_password_opens_a_session_and_posts_become_records() {
        networks.stubFor(post("/xrpc/com.atproto.server.createSession")
                .withRequestBody(matchingJsonPath("$.identifier", equalTo("acme.bsky.social")))
                .withRequestBody(matchingJsonPath("$.password", equalTo("abcd-efgh-ijkl-mnop")))
                .willReturn(json(200, "{\"accessJwt\":\"bsky-access\",\"refreshJwt\":\"bsky-refresh\",\"handle\":\"acme.bsky.social\",\"did\":\"did:plc:acme123\"}")));
        networks.stubFor(post("/xrpc/com.atproto.server.createSession").atPriority(10)
                .willReturn(json(401, "{\"error\":\"AuthenticationRequired\",\"message\":\"Invalid identifier or password\"}")));
        networks.stubFor(post("/xrpc/com.atproto.repo.createRecord").willReturn(json(200,
                "{\"uri\":\"at://did:plc:acme123/app.bsky.feed.post/3kabc\",\"cid\":\"bafy\"}")));
        Api owner = Api.at(port).newCustomer("Blue");
        String workspace = owner.createWorkspace("Sky");

        Api.Answer refused = owner.post("/api/v1/workspaces/" + workspace + "/profiles",
                "{\"network\":\"bluesky\",\"pds\":\"" + networks.baseUrl() + "\",\"handle\":\"acme.bsky.social\",\"appPassword\":\"nope-nope-nope-nope\"}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("appPassword");

        JsonNode profile = Api.expect(201, owner.post("/api/v1/workspaces/" + workspace + "/profiles",
                "{\"network\":\"bluesky\",\"pds\":\"" + networks.baseUrl() + "\",\"handle\":\"acme.bsky.social\",\"appPassword\":\"abcd-efgh-ijkl-mnop\"}")).json();
        String post = Api.expect(201, owner.post("/api/v1/profiles/" + profile.get("id").asString() + "/posts",
                "{\"text\":\"Read https://example.com\",\"when\":\"now\"}")).text("id");
        await(owner, post, "published");
        networks.verify(postRequestedFor(urlEqualTo("/xrpc/com.atproto.repo.createRecord"))
                .withHeader("Authorization", equalTo("Bearer bsky-access"))
                .withRequestBody(matchingJsonPath("$.repo", equalTo("did:plc:acme123")))
                .withRequestBody(matchingJsonPath("$.record.facets[0].index.byteStart", equalTo("5"))));
    }

    @Test
    void when_a_network_refuses_the_token_the_owner_gets_one_email_and_a_notice() throws Exception {
        String token = "soon-revoked-" + UUID.randomUUID();
        networks.stubFor(get("/api/v1/accounts/verify_credentials").willReturn(json(200, "{\"id\":\"7\",\"username\":\"bob\",\"acct\":\"bob\"}")));
        networks.stubFor(get("/api/v2/instance").willReturn(json(200, "{\"configuration\":{\"statuses\":{\"max_characters\":500}}}")));
        networks.stubFor(post("/api/v1/statuses").willReturn(json(401, "{\"error\":\"The access token was revoked\"}")));
        DashboardSession browser = new DashboardSession(port);
        String email = DashboardSession.unique("owner") + "@example.com";
        browser.signUp("Olga", email);
        String workspace = browser.post(WorkspacePages.CREATE, "name", "Revoked").path().replace("/workspaces/", "");
        browser.get("/workspaces/" + workspace);
        DashboardSession.Page profilePage = browser.post("/workspaces/" + workspace + "/profiles", "network", "mastodon",
                "instance", networks.baseUrl(), "accessToken", token);
        String profile = profilePage.path().replace("/profiles/", "");
        Api api = Api.at(port).as(Api.at(port).post("/api/v1/auth/token",
                "{\"email\":\"" + email + "\",\"password\":\"correct horse battery\"}").text("token"));
        String first = Api.expect(201, api.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"one\",\"when\":\"now\"}")).text("id");
        await(api, first, "held");
        Api.expect(201, api.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"two\",\"when\":\"now\"}"));
        Thread.sleep(500);

        List<Mailer.Message> mail = mailer.to(email);
        assertThat(mail).singleElement().satisfies(m -> {
            assertThat(m.subject()).isEqualTo("Reconnect @bob on mastodon to keep posting");
            assertThat(m.body()).contains("Hi Olga", "The access token was revoked", "/workspaces/" + workspace, "held, not lost")
                    .doesNotContain(token);
            assertThat(m.state()).isEqualTo("stored");
        });
        DashboardSession.Page notice = browser.get("/workspaces/" + workspace);
        assertThat(notice.body()).contains("Posting has stopped for 1 profile(s).", "@bob on mastodon");
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    static void await(Api api, String post, String status) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            if (api.get("/api/v1/posts/" + post).text("status").equals(status)) return;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("post " + post + " never became " + status + ": " + api.get("/api/v1/posts/" + post).body());
    }
}
