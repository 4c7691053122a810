package dev.signalbox.networks.x;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.signalbox.networks.ActionOutcome;
import dev.signalbox.networks.ConnectFailure;
import dev.signalbox.networks.ConnectedAccount;
import dev.signalbox.networks.Connection;
import dev.signalbox.networks.Publication;
import dev.signalbox.networks.PublishOutcome;
import dev.signalbox.networks.RateLimits;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The X adapter against a local stub of the X API v2 contract in NETWORKS.md: what it sends, and how it reads each answer. */
class XAdapterTest {

    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final String CLIENT_ID = "client-x-1";
    static final String CLIENT_SECRET = "client-secret-x-1";
    static final String BASIC = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
    static final JsonMapper JSON = JsonMapper.builder().build();

    static WireMockServer x;
    static HttpClient http;

    RateLimits rateLimits;
    XAdapter adapter;
    List<String> stored;

    @BeforeAll
    static void startStub() {
        x = new WireMockServer(wireMockConfig().dynamicPort());
        x.start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stopStub() {
        http.close();
        x.stop();
    }

    @BeforeEach
    void freshAdapter() {
        x.resetAll();
        rateLimits = new RateLimits();
        adapter = adapter(CLIENT_ID, CLIENT_SECRET);
        stored = new ArrayList<>();
    }

    XAdapter adapter(String clientId, String clientSecret) {
        return new XAdapter(new XAdapter.Settings(clientId, clientSecret, x.baseUrl(), "https://x.example/i/oauth2/authorize"),
                http, Duration.ofMillis(700), rateLimits, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** A connection whose access token has an hour left, storing renewed secrets in {@link #stored}. */
    Connection connection(String accessToken, String refreshToken, Instant expiresAt) {
        String secret = new XTokens(accessToken, refreshToken, expiresAt).toJson();
        return new Connection("prf_x", XAdapter.INSTANCE, "4242", secret, stored::add);
    }

    Connection liveConnection() {
        return connection("at-live", "rt-live", NOW.plusSeconds(3600));
    }

    static Publication firstAttempt(String text) {
        return new Publication("pst_1", text, "pst_1", 1);
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    // ---- publishing

    @Test
    void a_publish_sends_the_text_as_json_with_the_bearer_token_and_returns_the_post_url() {
        long reset = NOW.plusSeconds(900).getEpochSecond();
        x.stubFor(post("/2/tweets").withHeader("Authorization", equalTo("Bearer at-live"))
                .withRequestBody(equalToJson("{\"text\":\"Hello & 日本 👍🏽\"}"))
                .willReturn(json(201, "{\"data\":{\"id\":\"1850000000000000001\",\"text\":\"Hello\"}}")
                        .withHeader("x-rate-limit-limit", "100").withHeader("x-rate-limit-remaining", "99")
                        .withHeader("x-rate-limit-reset", Long.toString(reset))));

        PublishOutcome outcome = adapter.publish(liveConnection(), firstAttempt("Hello & 日本 👍🏽"));

        assertThat(outcome).isEqualTo(new PublishOutcome.Published("1850000000000000001", "https://x.com/i/web/status/1850000000000000001"));
        assertThat(x.findAll(postRequestedFor(urlEqualTo("/2/tweets")))).singleElement()
                .satisfies(r -> assertThat(r.getHeader("Content-Type")).startsWith("application/json"));
        assertThat(rateLimits.last("prf_x", "create")).contains(new RateLimits.State(100, 99, Instant.ofEpochSecond(reset)));
        assertThat(stored).as("nothing renewed").isEmpty();
    }

    @Test
    void a_429_retries_at_the_rate_limit_reset() {
        long reset = NOW.plusSeconds(613).getEpochSecond();
        x.stubFor(post("/2/tweets").willReturn(json(429, "{\"title\":\"Too Many Requests\",\"detail\":\"Too Many Requests\",\"status\":429}")
                .withHeader("x-rate-limit-limit", "100").withHeader("x-rate-limit-remaining", "0")
                .withHeader("x-rate-limit-reset", Long.toString(reset))));

        PublishOutcome outcome = adapter.publish(liveConnection(), firstAttempt("hi"));

        assertThat(outcome).isInstanceOfSatisfying(PublishOutcome.RetryLater.class, r -> {
            assertThat(r.notBefore()).isEqualTo(Instant.ofEpochSecond(reset));
            assertThat(r.rateLimited()).isTrue();
        });
        assertThat(rateLimits.nextAllowed("prf_x", "create", NOW)).isEqualTo(Instant.ofEpochSecond(reset));
    }

    @Test
    void a_401_renews_the_token_stores_it_before_the_retry_and_retries_once() {
        x.stubFor(post("/2/tweets").withHeader("Authorization", equalTo("Bearer at-live"))
                .willReturn(json(401, "{\"title\":\"Unauthorized\",\"detail\":\"Unauthorized\",\"status\":401}")));
        x.stubFor(post("/2/oauth2/token").withHeader("Authorization", equalTo(BASIC))
                .withFormParam("grant_type", equalTo("refresh_token")).withFormParam("refresh_token", equalTo("rt-live"))
                .willReturn(json(200, "{\"token_type\":\"bearer\",\"expires_in\":7200,\"access_token\":\"at-new\",\"refresh_token\":\"rt-new\",\"scope\":\"tweet.write\"}")));
        x.stubFor(post("/2/tweets").withHeader("Authorization", equalTo("Bearer at-new"))
                .willReturn(json(201, "{\"data\":{\"id\":\"77\",\"text\":\"hi\"}}")));
        List<Integer> tweetsSentWhenStored = new ArrayList<>();
        Connection connection = new Connection("prf_x", XAdapter.INSTANCE, "4242",
                new XTokens("at-live", "rt-live", NOW.plusSeconds(3600)).toJson(), renewed -> {
                    stored.add(renewed);
                    tweetsSentWhenStored.add(x.findAll(postRequestedFor(urlEqualTo("/2/tweets"))).size());
                });

        PublishOutcome outcome = adapter.publish(connection, firstAttempt("hi"));

        assertThat(outcome).isEqualTo(new PublishOutcome.Published("77", "https://x.com/i/web/status/77"));
        assertThat(stored).singleElement().satisfies(secret -> {
            JsonNode doc = JSON.readTree(secret);
            assertThat(doc.get("access_token").asString()).isEqualTo("at-new");
            assertThat(doc.get("refresh_token").asString()).isEqualTo("rt-new");
            assertThat(Instant.parse(doc.get("expires_at").asString())).isEqualTo(NOW.plusSeconds(7200));
        });
        assertThat(tweetsSentWhenStored).as("stored after the refused call, before the retry").containsExactly(1);
        assertThat(x.findAll(postRequestedFor(urlEqualTo("/2/tweets")))).hasSize(2);
    }

    @Test
    void a_token_about_to_expire_is_renewed_before_the_call_and_the_old_refresh_token_kept_when_none_comes_back() {
        x.stubFor(post("/2/oauth2/token").withHeader("Authorization", equalTo(BASIC))
                .withFormParam("grant_type", equalTo("refresh_token")).withFormParam("refresh_token", equalTo("rt-live"))
                .willReturn(json(200, "{\"token_type\":\"bearer\",\"expires_in\":7200,\"access_token\":\"at-new\"}")));
        x.stubFor(post("/2/tweets").withHeader("Authorization", equalTo("Bearer at-new"))
                .willReturn(json(201, "{\"data\":{\"id\":\"78\"}}")));

        PublishOutcome outcome = adapter.publish(connection("at-old", "rt-live", NOW.plusSeconds(240)), firstAttempt("hi"));

        assertThat(outcome).isInstanceOf(PublishOutcome.Published.class);
        assertThat(stored).singleElement().satisfies(secret -> {
            assertThat(JSON.readTree(secret).get("access_token").asString()).isEqualTo("at-new");
            assertThat(JSON.readTree(secret).get("refresh_token").asString()).isEqualTo("rt-live");
        });
        assertThat(x.findAll(postRequestedFor(urlEqualTo("/2/tweets")))).singleElement()
                .satisfies(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer at-new"));
    }

    @Test
    void a_refused_renewal_asks_for_a_reconnect_and_stores_nothing() {
        x.stubFor(post("/2/tweets").willReturn(json(401, "{\"title\":\"Unauthorized\",\"detail\":\"Unauthorized\",\"status\":401}")));
        x.stubFor(post("/2/oauth2/token").willReturn(json(400,
                "{\"error\":\"invalid_request\",\"error_description\":\"Value passed for the token was invalid.\"}")));

        PublishOutcome outcome = adapter.publish(liveConnection(), firstAttempt("hi"));

        assertThat(outcome).isInstanceOfSatisfying(PublishOutcome.NeedsReconnect.class, r ->
                assertThat(r.reason()).contains("Value passed for the token was invalid.").doesNotContain("rt-live", "at-live"));
        assertThat(stored).isEmpty();
        assertThat(x.findAll(postRequestedFor(urlEqualTo("/2/tweets")))).hasSize(1);
    }

    @Test
    void a_second_401_after_renewing_asks_for_a_reconnect_without_a_third_try() {
        x.stubFor(post("/2/tweets").willReturn(json(401, "{\"title\":\"Unauthorized\",\"detail\":\"Unauthorized\",\"status\":401}")));
        x.stubFor(post("/2/oauth2/token").willReturn(json(200, "{\"expires_in\":7200,\"access_token\":\"at-new\",\"refresh_token\":\"rt-new\"}")));

        PublishOutcome outcome = adapter.publish(liveConnection(), firstAttempt("hi"));

        assertThat(outcome).isInstanceOf(PublishOutcome.NeedsReconnect.class);
        assertThat(x.findAll(postRequestedFor(urlEqualTo("/2/tweets")))).hasSize(2);
        assertThat(x.findAll(postRequestedFor(urlEqualTo("/2/oauth2/token")))).hasSize(1);
        assertThat(stored).as("the renewed refresh token is kept even though the call failed").hasSize(1);
    }

    @Test
    void duplicate_content_is_rejected_on_a_first_attempt_and_already_done_on_a_retry() {
        x.stubFor(post("/2/tweets").willReturn(json(403,
                "{\"detail\":\"You are not allowed to create a Tweet with duplicate content.\",\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403}")));

        PublishOutcome first = adapter.publish(liveConnection(), firstAttempt("same"));
        PublishOutcome retry = adapter.publish(liveConnection(), new Publication("pst_1", "same", "pst_1", 2));

        assertThat(first).isEqualTo(new PublishOutcome.Rejected("You are not allowed to create a Tweet with duplicate content."));
        assertThat(retry).isInstanceOf(PublishOutcome.AlreadyDone.class);
    }

    @Test
    void other_refusals_are_rejected_with_the_problem_detail() {
        x.stubFor(post("/2/tweets").willReturn(json(400,
                "{\"errors\":[{\"message\":\"text too long\"}],\"title\":\"Invalid Request\",\"detail\":\"One or more parameters to your request was invalid.\",\"type\":\"https://api.twitter.com/2/problems/invalid-request\"}")));

        assertThat(adapter.publish(liveConnection(), firstAttempt("x".repeat(300))))
                .isEqualTo(new PublishOutcome.Rejected("One or more parameters to your request was invalid."));
    }

    @Test
    void a_server_error_retries_later_without_a_rate_limit() {
        x.stubFor(post("/2/tweets").willReturn(json(503, "{\"title\":\"Service Unavailable\",\"status\":503}")));

        assertThat(adapter.publish(liveConnection(), firstAttempt("hi"))).isInstanceOfSatisfying(PublishOutcome.RetryLater.class, r -> {
            assertThat(r.rateLimited()).isFalse();
            assertThat(r.notBefore()).isNull();
            assertThat(r.reason()).contains("503");
        });
    }

    @Test
    void an_answer_slower_than_the_timeout_retries_later() {
        x.stubFor(post("/2/tweets").willReturn(json(201, "{\"data\":{\"id\":\"79\"}}").withFixedDelay(2_000)));

        assertThat(adapter.publish(liveConnection(), firstAttempt("hi"))).isInstanceOfSatisfying(PublishOutcome.RetryLater.class, r -> {
            assertThat(r.rateLimited()).isFalse();
            assertThat(r.reason()).contains("no answer within 700 ms");
        });
    }

    @Test
    void an_unreadable_credential_asks_for_a_reconnect_without_calling_x() {
        Connection broken = new Connection("prf_x", XAdapter.INSTANCE, "4242", "not json at all", stored::add);

        assertThat(adapter.publish(broken, firstAttempt("hi"))).isInstanceOf(PublishOutcome.NeedsReconnect.class);
        assertThat(x.getAllServeEvents()).isEmpty();
    }

    // ---- delete, hide, revoke

    @Test
    void delete_sends_the_bearer_token_and_a_post_already_gone_is_done_too() {
        x.stubFor(delete("/2/tweets/77").withHeader("Authorization", equalTo("Bearer at-live"))
                .willReturn(json(200, "{\"data\":{\"deleted\":true}}")
                        .withHeader("x-rate-limit-limit", "50").withHeader("x-rate-limit-remaining", "49")
                        .withHeader("x-rate-limit-reset", Long.toString(NOW.plusSeconds(900).getEpochSecond()))));
        x.stubFor(delete("/2/tweets/78").willReturn(json(404, "{\"title\":\"Not Found Error\",\"status\":404}")));

        assertThat(adapter.delete(liveConnection(), "77")).isEqualTo(new ActionOutcome.Done());
        assertThat(adapter.delete(liveConnection(), "78")).isEqualTo(new ActionOutcome.Done());
        assertThat(x.findAll(deleteRequestedFor(urlEqualTo("/2/tweets/77")))).hasSize(1);
        assertThat(rateLimits.last("prf_x", "delete")).hasValueSatisfying(s -> assertThat(s.remaining()).isEqualTo(49));
    }

    @Test
    void delete_over_the_rate_limit_retries_at_the_reset() {
        long reset = NOW.plusSeconds(300).getEpochSecond();
        x.stubFor(delete("/2/tweets/77").willReturn(json(429, "{\"title\":\"Too Many Requests\"}").withHeader("x-rate-limit-reset", Long.toString(reset))));

        assertThat(adapter.delete(liveConnection(), "77")).isEqualTo(new ActionOutcome.RetryLater(Instant.ofEpochSecond(reset), "X rate limit reached", true));
    }

    @Test
    void x_cannot_hide_a_post() {
        assertThat(adapter.setHidden(liveConnection(), "77", true)).isInstanceOf(ActionOutcome.Unsupported.class);
        assertThat(adapter.capabilities().hide()).isFalse();
        assertThat(adapter.capabilities().idempotencyKey()).isFalse();
        assertThat(adapter.capabilities().refresh()).isTrue();
    }

    @Test
    void revoke_revokes_the_refresh_and_the_access_token_as_the_client() {
        x.stubFor(post("/2/oauth2/revoke").withHeader("Authorization", equalTo(BASIC)).willReturn(json(200, "{\"revoked\":true}")));

        assertThat(adapter.revoke(liveConnection())).isEqualTo(new ActionOutcome.Done());

        List<Map<String, String>> forms = x.findAll(postRequestedFor(urlEqualTo("/2/oauth2/revoke"))).stream().map(XAdapterTest::form).toList();
        assertThat(forms).containsExactly(
                Map.of("token", "rt-live", "token_type_hint", "refresh_token"),
                Map.of("token", "at-live", "token_type_hint", "access_token"));
    }

    @Test
    void revoke_retries_later_when_x_is_down() {
        x.stubFor(post("/2/oauth2/revoke").willReturn(json(502, "{}")));

        assertThat(adapter.revoke(liveConnection())).isInstanceOf(ActionOutcome.RetryLater.class);
    }

    // ---- connecting

    @Test
    void the_authorization_url_asks_for_the_scopes_with_an_s256_challenge() throws Exception {
        String verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));

        URI url = adapter.authorizationUrl("state-123", challenge, "https://signalbox.example/connect/x/callback");

        assertThat(url.getScheme() + "://" + url.getHost() + url.getPath()).isEqualTo("https://x.example/i/oauth2/authorize");
        assertThat(query(url.getRawQuery())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "response_type", "code",
                "client_id", CLIENT_ID,
                "redirect_uri", "https://signalbox.example/connect/x/callback",
                "scope", "tweet.read tweet.write users.read offline.access",
                "state", "state-123",
                "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                "code_challenge_method", "S256"));
        assertThat(url.getRawQuery()).contains("scope=tweet.read%20tweet.write").doesNotContain(CLIENT_SECRET);
    }

    @Test
    void exchange_trades_the_code_as_the_client_and_asks_who_the_account_is() {
        x.stubFor(post("/2/oauth2/token").withHeader("Authorization", equalTo(BASIC))
                .withFormParam("grant_type", equalTo("authorization_code")).withFormParam("code", equalTo("code-1"))
                .withFormParam("code_verifier", equalTo("verifier-1"))
                .withFormParam("redirect_uri", equalTo("https://signalbox.example/connect/x/callback"))
                .willReturn(json(200, "{\"token_type\":\"bearer\",\"expires_in\":7200,\"access_token\":\"at-first\",\"refresh_token\":\"rt-first\",\"scope\":\"tweet.read tweet.write users.read offline.access\"}")));
        x.stubFor(get("/2/users/me").withHeader("Authorization", equalTo("Bearer at-first"))
                .willReturn(json(200, "{\"data\":{\"id\":\"2244994945\",\"name\":\"Signal Box\",\"username\":\"signalbox\"}}")));

        List<ConnectedAccount> accounts = adapter.exchange("code-1", "verifier-1", "https://signalbox.example/connect/x/callback");

        assertThat(accounts).singleElement().satisfies(account -> {
            assertThat(account.accountId()).isEqualTo("2244994945");
            assertThat(account.handle()).isEqualTo("signalbox");
            assertThat(account.displayName()).isEqualTo("Signal Box");
            assertThat(account.limits()).isEqualTo(new dev.signalbox.networks.TextLimits(280, 23));
            assertThat(XTokens.parse(account.secret())).contains(new XTokens("at-first", "rt-first", NOW.plusSeconds(7200)));
            assertThat(account.toString()).doesNotContain("at-first", "rt-first");
        });
        assertThat(XTokens.parse(accounts.getFirst().secret()).orElseThrow().toString()).doesNotContain("at-first", "rt-first");
        assertThat(adapter.toString()).doesNotContain(CLIENT_SECRET);
    }

    @Test
    void a_refused_code_is_a_connect_failure_without_secrets() {
        x.stubFor(post("/2/oauth2/token").willReturn(json(400,
                "{\"error\":\"invalid_request\",\"error_description\":\"Value passed for the authorization code was invalid.\"}")));

        assertThatThrownBy(() -> adapter.exchange("code-1", "verifier-1", "https://signalbox.example/cb"))
                .isInstanceOf(ConnectFailure.class)
                .hasMessageContaining("Value passed for the authorization code was invalid.")
                .hasMessageNotContaining(CLIENT_SECRET).hasMessageNotContaining("verifier-1");
    }

    @Test
    void without_a_client_id_connecting_says_what_the_operator_sets_but_counting_still_works() {
        XAdapter unconfigured = adapter("", "");

        assertThatThrownBy(() -> unconfigured.authorizationUrl("s", "c", "https://signalbox.example/cb"))
                .isInstanceOfSatisfying(ConnectFailure.class, f -> assertThat(f.field()).isEqualTo("network"))
                .hasMessage("X is not configured on this Signalbox: the operator sets SIGNALBOX_NETWORKS_X_CLIENT_ID and _CLIENT_SECRET");
        assertThat(unconfigured.validate("hello", unconfigured.defaultLimits())).isEmpty();
    }

    static Map<String, String> form(LoggedRequest request) {
        return query(request.getBodyAsString());
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
