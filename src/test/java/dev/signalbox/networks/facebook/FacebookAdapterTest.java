package dev.signalbox.networks.facebook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Facebook Pages adapter against a local stub of the Graph API contract in NETWORKS.md. The
 * stub answers a call only when its {@code appsecret_proof} is right; anything else gets Graph's
 * "Invalid appsecret_proof" error, so a wrong or missing proof fails the test.
 */
class FacebookAdapterTest {

    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final String APP_ID = "app-fb-1";
    static final String APP_SECRET = "app-secret-fb-1";
    static final String V = "/v21.0";
    static final String PAGE = "1010";
    static final String PAGE_TOKEN = "pt-1010";
    static final String USER = "u-9";
    static final String USER_TOKEN = "ut-long";

    static WireMockServer graph;
    static HttpClient http;

    RateLimits rateLimits;
    FacebookAdapter adapter;

    @BeforeAll
    static void startStub() {
        graph = new WireMockServer(wireMockConfig().dynamicPort());
        graph.start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stopStub() {
        http.close();
        graph.stop();
    }

    @BeforeEach
    void freshStub() {
        graph.resetAll();
        graph.stubFor(any(anyUrl()).atPriority(10).willReturn(graphError(400, 100, 0,
                "Invalid appsecret_proof provided in the API argument")));
        rateLimits = new RateLimits();
        adapter = adapter(APP_ID, APP_SECRET);
    }

    FacebookAdapter adapter(String appId, String appSecret) {
        return new FacebookAdapter(new FacebookAdapter.Settings(appId, appSecret, graph.baseUrl(), "https://fb.example", "v21.0"),
                http, Duration.ofMillis(700), rateLimits, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    static Connection page() {
        return new Connection("prf_fb", FacebookAdapter.INSTANCE, PAGE, new PageSecret(PAGE_TOKEN, USER, USER_TOKEN).toJson());
    }

    static Publication attempt(int n) {
        return new Publication("pst_1", "Hello Page & friends", "pst_1", n);
    }

    /** The proof as Facebook computes it: hex HMAC-SHA256 of the token, keyed by the app secret. */
    static String proof(String token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(APP_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(token.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static MappingBuilder signedForm(MappingBuilder mapping, String token) {
        return mapping.atPriority(1).withFormParam("access_token", equalTo(token)).withFormParam("appsecret_proof", equalTo(proof(token)));
    }

    static MappingBuilder signedQuery(MappingBuilder mapping, String token) {
        return mapping.atPriority(1).withQueryParam("access_token", equalTo(token)).withQueryParam("appsecret_proof", equalTo(proof(token)));
    }

    static MappingBuilder feed() {
        return signedForm(post(urlPathEqualTo(V + "/" + PAGE + "/feed")), PAGE_TOKEN);
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    static ResponseDefinitionBuilder graphError(int status, int code, int subcode, String message) {
        return json(status, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"OAuthException\",\"code\":" + code
                + (subcode == 0 ? "" : ",\"error_subcode\":" + subcode) + ",\"fbtrace_id\":\"AbCdEf\"}}");
    }

    // ---- publishing

    @Test
    void a_publish_posts_the_message_to_the_page_feed_with_the_proof_and_reads_the_usage() {
        graph.stubFor(feed().withFormParam("message", equalTo("Hello Page & friends"))
                .willReturn(json(200, "{\"id\":\"1010_2020\"}").withHeader("X-Business-Use-Case-Usage",
                        "{\"1010\":[{\"type\":\"pages\",\"call_count\":28,\"total_cputime\":12,\"total_time\":40,\"estimated_time_to_regain_access\":0}]}")));

        PublishOutcome outcome = adapter.publish(page(), attempt(1));

        assertThat(outcome).isEqualTo(new PublishOutcome.Published("1010_2020", "https://www.facebook.com/1010_2020"));
        assertThat(rateLimits.last("prf_fb", "create")).contains(new RateLimits.State(100, 60, null));
    }

    @Test
    void the_stub_refuses_a_wrong_proof_so_the_proof_is_really_checked() {
        graph.stubFor(feed().willReturn(json(200, "{\"id\":\"1010_2020\"}")));

        PublishOutcome outcome = adapter(APP_ID, "some-other-secret").publish(page(), attempt(1));

        assertThat(outcome).isEqualTo(new PublishOutcome.Rejected("Invalid appsecret_proof provided in the API argument"));
    }

    @Test
    void a_throttle_retries_when_the_business_use_case_header_says_access_returns() {
        graph.stubFor(feed().willReturn(graphError(400, 32, 0, "Page request limit reached").withHeader("X-Business-Use-Case-Usage",
                "{\"1010\":[{\"type\":\"pages\",\"call_count\":100,\"total_cputime\":30,\"total_time\":35,\"estimated_time_to_regain_access\":7}]}")));

        assertThat(adapter.publish(page(), attempt(1))).isInstanceOfSatisfying(PublishOutcome.RetryLater.class, r -> {
            assertThat(r.notBefore()).isEqualTo(NOW.plus(Duration.ofMinutes(7)));
            assertThat(r.rateLimited()).isTrue();
            assertThat(r.reason()).contains("Page request limit reached");
        });
        assertThat(rateLimits.last("prf_fb", "create")).contains(new RateLimits.State(100, 0, NOW.plus(Duration.ofMinutes(7))));
    }

    @Test
    void each_throttle_code_without_a_usage_header_retries_in_a_few_minutes() {
        for (int code : List.of(4, 17, 32, 613, 80001)) {
            graph.stubFor(feed().willReturn(graphError(400, code, 0, "Application request limit reached")));

            assertThat(adapter.publish(page(), attempt(1))).as("code %d", code)
                    .isEqualTo(new PublishOutcome.RetryLater(NOW.plus(FacebookAdapter.THROTTLE_DEFAULT),
                            "Facebook rate limit reached (Application request limit reached)", true));
        }
    }

    @Test
    void an_expired_or_invalid_token_asks_for_a_reconnect_with_facebooks_words() {
        graph.stubFor(feed().willReturn(graphError(400, 190, 463, "Error validating access token: Session has expired")));

        assertThat(adapter.publish(page(), attempt(1))).isInstanceOfSatisfying(PublishOutcome.NeedsReconnect.class, r ->
                assertThat(r.reason()).contains("Session has expired").doesNotContain(PAGE_TOKEN, USER_TOKEN, APP_SECRET));
    }

    @Test
    void a_lost_permission_asks_for_a_reconnect() {
        graph.stubFor(feed().willReturn(graphError(403, 200, 0, "(#200) Requires pages_manage_posts permission")));

        assertThat(adapter.publish(page(), attempt(1))).isInstanceOf(PublishOutcome.NeedsReconnect.class);
    }

    @Test
    void a_duplicate_is_rejected_on_a_first_attempt_and_already_done_on_a_retry() {
        graph.stubFor(feed().willReturn(graphError(400, 506, 0, "Duplicate status message")));

        assertThat(adapter.publish(page(), attempt(1))).isEqualTo(new PublishOutcome.Rejected("Duplicate status message"));
        assertThat(adapter.publish(page(), attempt(2))).isInstanceOf(PublishOutcome.AlreadyDone.class);
    }

    @Test
    void other_refusals_are_rejected_with_facebooks_message() {
        graph.stubFor(feed().willReturn(graphError(400, 100, 0, "(#100) The parameter message is required")));

        assertThat(adapter.publish(page(), attempt(1))).isEqualTo(new PublishOutcome.Rejected("(#100) The parameter message is required"));
    }

    @Test
    void a_server_error_retries_later_without_a_rate_limit() {
        graph.stubFor(feed().willReturn(graphError(500, 2, 0, "An unexpected error has occurred. Please retry your request later.")));

        assertThat(adapter.publish(page(), attempt(1))).isInstanceOfSatisfying(PublishOutcome.RetryLater.class, r -> {
            assertThat(r.rateLimited()).isFalse();
            assertThat(r.notBefore()).isNull();
        });
    }

    @Test
    void an_answer_slower_than_the_timeout_retries_later() {
        graph.stubFor(feed().willReturn(json(200, "{\"id\":\"1010_2020\"}").withFixedDelay(2_000)));

        assertThat(adapter.publish(page(), attempt(1))).isInstanceOfSatisfying(PublishOutcome.RetryLater.class, r ->
                assertThat(r.reason()).contains("no answer within 700 ms"));
    }

    // ---- hide, restore, delete, revoke

    @Test
    void hide_and_restore_set_is_hidden_on_the_post() {
        graph.stubFor(signedForm(post(urlPathEqualTo(V + "/1010_2020")), PAGE_TOKEN).withFormParam("is_hidden", equalTo("true"))
                .willReturn(json(200, "{\"success\":true}")));
        graph.stubFor(signedForm(post(urlPathEqualTo(V + "/1010_2020")), PAGE_TOKEN).withFormParam("is_hidden", equalTo("false"))
                .willReturn(json(200, "{\"success\":true}")));

        assertThat(adapter.setHidden(page(), "1010_2020", true)).isEqualTo(new ActionOutcome.Done());
        assertThat(adapter.setHidden(page(), "1010_2020", false)).isEqualTo(new ActionOutcome.Done());
        assertThat(graph.findAll(postRequestedFor(urlPathEqualTo(V + "/1010_2020"))).stream()
                .map(r -> form(r.getBodyAsString()).get("is_hidden")).toList()).containsExactly("true", "false");
        assertThat(adapter.capabilities().hide()).isTrue();
    }

    @Test
    void hiding_with_a_revoked_token_asks_for_a_reconnect() {
        graph.stubFor(signedForm(post(urlPathEqualTo(V + "/1010_2020")), PAGE_TOKEN)
                .willReturn(graphError(400, 190, 460, "The session has been invalidated because the user changed their password")));

        assertThat(adapter.setHidden(page(), "1010_2020", true)).isInstanceOf(ActionOutcome.NeedsReconnect.class);
    }

    @Test
    void delete_removes_the_post_and_a_post_already_gone_is_done_too() {
        graph.stubFor(signedQuery(delete(urlPathEqualTo(V + "/1010_2020")), PAGE_TOKEN).willReturn(json(200, "{\"success\":true}")));
        graph.stubFor(signedQuery(delete(urlPathEqualTo(V + "/1010_3030")), PAGE_TOKEN)
                .willReturn(graphError(400, 100, 33, "Unsupported delete request. Object with ID '1010_3030' does not exist")));

        assertThat(adapter.delete(page(), "1010_2020")).isEqualTo(new ActionOutcome.Done());
        assertThat(adapter.delete(page(), "1010_3030")).isEqualTo(new ActionOutcome.Done());
    }

    @Test
    void revoke_removes_the_app_with_the_user_token_and_a_dead_token_counts_as_revoked() {
        graph.stubFor(signedQuery(delete(urlPathEqualTo(V + "/" + USER + "/permissions")), USER_TOKEN).willReturn(json(200, "{\"success\":true}")));

        assertThat(adapter.revoke(page())).isEqualTo(new ActionOutcome.Done());

        graph.resetMappings();
        graph.stubFor(signedQuery(delete(urlPathEqualTo(V + "/" + USER + "/permissions")), USER_TOKEN)
                .willReturn(graphError(400, 190, 458, "The user has not authorized application")));
        assertThat(adapter.revoke(page())).isEqualTo(new ActionOutcome.Done());
    }

    // ---- connecting

    @Test
    void the_login_dialog_asks_for_the_page_scopes() {
        URI url = adapter.authorizationUrl("state-7", "unused-challenge", "https://signalbox.example/connect/facebook/callback");

        assertThat(url.getScheme() + "://" + url.getHost() + url.getPath()).isEqualTo("https://fb.example/v21.0/dialog/oauth");
        assertThat(form(url.getRawQuery())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "client_id", APP_ID,
                "redirect_uri", "https://signalbox.example/connect/facebook/callback",
                "state", "state-7",
                "scope", "pages_show_list,pages_read_engagement,pages_manage_posts,pages_manage_engagement"));
        assertThat(url.toString()).doesNotContain(APP_SECRET);
    }

    void stubLoginUpToPages(String pagesBody) {
        graph.stubFor(get(urlPathEqualTo(V + "/oauth/access_token")).atPriority(1)
                .withQueryParam("client_id", equalTo(APP_ID)).withQueryParam("client_secret", equalTo(APP_SECRET))
                .withQueryParam("redirect_uri", equalTo("https://signalbox.example/cb")).withQueryParam("code", equalTo("code-1"))
                .willReturn(json(200, "{\"access_token\":\"ut-short\",\"token_type\":\"bearer\",\"expires_in\":5183944}")));
        graph.stubFor(get(urlPathEqualTo(V + "/oauth/access_token")).atPriority(1)
                .withQueryParam("grant_type", equalTo("fb_exchange_token")).withQueryParam("client_id", equalTo(APP_ID))
                .withQueryParam("client_secret", equalTo(APP_SECRET)).withQueryParam("fb_exchange_token", equalTo("ut-short"))
                .willReturn(json(200, "{\"access_token\":\"" + USER_TOKEN + "\",\"token_type\":\"bearer\",\"expires_in\":5183944}")));
        graph.stubFor(signedQuery(get(urlPathEqualTo(V + "/me")), USER_TOKEN).willReturn(json(200, "{\"id\":\"" + USER + "\",\"name\":\"Ana\"}")));
        graph.stubFor(signedQuery(get(urlPathEqualTo(V + "/" + USER + "/accounts")), USER_TOKEN).willReturn(json(200, pagesBody)));
    }

    @Test
    void exchange_returns_one_account_per_page_each_with_its_own_page_token() {
        stubLoginUpToPages("""
                {"data":[{"id":"1010","name":"Bakery","access_token":"pt-1010","category":"Food"},
                         {"id":"2020","name":"Choir","access_token":"pt-2020","category":"Music"}],
                 "paging":{"cursors":{"before":"a","after":"b"}}}""");

        List<ConnectedAccount> accounts = adapter.exchange("code-1", "verifier-ignored", "https://signalbox.example/cb");

        assertThat(accounts).extracting(ConnectedAccount::accountId, ConnectedAccount::handle).containsExactly(
                org.assertj.core.groups.Tuple.tuple("1010", "Bakery"), org.assertj.core.groups.Tuple.tuple("2020", "Choir"));
        assertThat(PageSecret.parse(accounts.get(0).secret())).contains(new PageSecret("pt-1010", USER, USER_TOKEN));
        assertThat(PageSecret.parse(accounts.get(1).secret())).contains(new PageSecret("pt-2020", USER, USER_TOKEN));
        assertThat(accounts).allSatisfy(a -> {
            assertThat(a.toString()).doesNotContain("pt-1010", "pt-2020", USER_TOKEN, "ut-short");
            assertThat(PageSecret.parse(a.secret()).orElseThrow().toString()).doesNotContain("pt-1010", "pt-2020", USER_TOKEN);
            assertThat(a.limits().maxCharacters()).isEqualTo(63_206);
        });
        assertThat(graph.findAll(getRequestedFor(urlPathEqualTo(V + "/oauth/access_token")))).hasSize(2);
        assertThat(adapter.toString()).doesNotContain(APP_SECRET);
    }

    @Test
    void a_login_without_pages_asks_to_choose_one() {
        stubLoginUpToPages("{\"data\":[]}");

        assertThatThrownBy(() -> adapter.exchange("code-1", "v", "https://signalbox.example/cb"))
                .isInstanceOfSatisfying(ConnectFailure.class, f -> assertThat(f.field()).isEqualTo("network"))
                .hasMessageContaining("choose at least one Page");
    }

    @Test
    void a_refused_code_is_a_connect_failure_without_secrets() {
        graph.stubFor(get(urlPathEqualTo(V + "/oauth/access_token")).atPriority(1)
                .willReturn(graphError(400, 100, 36009, "This authorization code has been used.")));

        assertThatThrownBy(() -> adapter.exchange("code-1", "v", "https://signalbox.example/cb"))
                .isInstanceOf(ConnectFailure.class)
                .hasMessageContaining("This authorization code has been used.")
                .hasMessageNotContaining(APP_SECRET);
    }

    @Test
    void without_an_app_id_connecting_says_what_the_operator_sets_but_counting_still_works() {
        FacebookAdapter unconfigured = adapter("", "");

        assertThatThrownBy(() -> unconfigured.authorizationUrl("s", "c", "https://signalbox.example/cb"))
                .isInstanceOf(ConnectFailure.class)
                .hasMessage("Facebook is not configured on this Signalbox: the operator sets SIGNALBOX_NETWORKS_FACEBOOK_APP_ID and _APP_SECRET");
        assertThat(unconfigured.validate("hello", unconfigured.defaultLimits())).isEmpty();
    }

    @Test
    void a_page_post_holds_63206_characters() {
        assertThat(adapter.validate("a".repeat(63_206), adapter.defaultLimits())).isEmpty();
        assertThat(adapter.validate("a".repeat(63_207), adapter.defaultLimits()))
                .containsExactly("is 63207 characters; facebook allows at most 63206");
        assertThat(adapter.validate(" ", adapter.defaultLimits())).containsExactly("must not be empty");
    }

    static Map<String, String> form(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
