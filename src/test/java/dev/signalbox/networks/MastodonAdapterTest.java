package dev.signalbox.networks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Mastodon adapter against a local stub instance on loopback, let through by the operator switch. */
class MastodonAdapterTest {

    static final String TOKEN = "pasted-token-7f3a";

    WireMockServer instance;
    RateLimits rateLimits = new RateLimits();
    MastodonAdapter adapter;
    Connection connection;

    @BeforeEach
    void stubInstance() {
        instance = new WireMockServer(wireMockConfig().dynamicPort());
        instance.start();
        NetworkHttp http = NetworkHttp.of(Duration.ofSeconds(2), Duration.ofMillis(500));
        adapter = new MastodonAdapter(new MastodonApi(http.client(), http.requestTimeout()), rateLimits,
                new SafeUrls(true, SafeUrlsTest.FAKE_DNS), url -> Optional.empty());
        connection = new Connection("prf_1", instance.baseUrl(), "42", TOKEN);
    }

    @AfterEach
    void stopInstance() {
        instance.stop();
    }

    @Test
    void connect_verifies_the_token_and_reads_the_instance_limits() {
        instance.stubFor(get("/api/v1/accounts/verify_credentials").willReturn(okJson(
                "{\"id\":\"109\",\"username\":\"alice\",\"display_name\":\"Alice\"}")));
        instance.stubFor(get("/api/v2/instance").willReturn(okJson(
                "{\"configuration\":{\"statuses\":{\"max_characters\":1000,\"characters_reserved_per_url\":30}}}")));

        ConnectedAccount account = adapter.connect(Map.of("instance", instance.baseUrl() + "/", "accessToken", " " + TOKEN + " "));

        assertThat(account.accountId()).isEqualTo("109");
        assertThat(account.handle()).isEqualTo("alice");
        assertThat(account.instanceUrl()).isEqualTo(instance.baseUrl());
        assertThat(account.secret()).isEqualTo(TOKEN);
        assertThat(account.toString()).doesNotContain(TOKEN);
        assertThat(account.limits()).isEqualTo(new TextLimits(1000, 30));
        instance.verify(getRequestedFor(urlEqualTo("/api/v1/accounts/verify_credentials"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    void a_refused_token_names_the_access_token_field_without_echoing_it() {
        instance.stubFor(get("/api/v1/accounts/verify_credentials").willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"The access token is invalid\"}")));

        assertThatThrownBy(() -> adapter.connect(Map.of("instance", instance.baseUrl(), "accessToken", TOKEN)))
                .isInstanceOfSatisfying(ConnectFailure.class, f -> {
                    assertThat(f.field()).isEqualTo("accessToken");
                    assertThat(f.getMessage()).contains("the instance refused this access token").doesNotContain(TOKEN);
                });
    }

    @Test
    void a_bare_instance_name_becomes_https_and_private_instances_are_refused_without_the_switch() {
        MastodonAdapter strict = new MastodonAdapter(new MastodonApi(NetworkHttp.of(Duration.ofSeconds(1), Duration.ofSeconds(1)).client(),
                Duration.ofSeconds(1)), rateLimits, new SafeUrls(false, SafeUrlsTest.FAKE_DNS), url -> Optional.empty());

        assertThat(strict.normalise("public.example")).isEqualTo("https://public.example");
        assertThat(strict.normalise("https://Public.Example/@alice")).isEqualTo("https://public.example");
        assertThatThrownBy(() -> strict.connect(Map.of("instance", "evil.example", "accessToken", TOKEN)))
                .isInstanceOfSatisfying(ConnectFailure.class, f -> {
                    assertThat(f.field()).isEqualTo("instance");
                    assertThat(f.getMessage()).contains("(10.0.0.1, private network 10.0.0.0/8)");
                });
        assertThatThrownBy(() -> strict.connect(Map.of("instance", instance.baseUrl(), "accessToken", TOKEN)))
                .isInstanceOfSatisfying(ConnectFailure.class, f -> assertThat(f.getMessage()).contains("must start with https://"));
        assertThat(instance.getAllServeEvents()).isEmpty();
    }

    @Test
    void a_publish_sends_the_idempotency_key_and_records_the_rate_limit() {
        instance.stubFor(post("/api/v1/statuses").willReturn(okJson("{\"id\":\"555\",\"url\":\"https://x.example/@alice/555\"}")
                .withHeader("X-RateLimit-Limit", "300").withHeader("X-RateLimit-Remaining", "299")
                .withHeader("X-RateLimit-Reset", "2026-11-02T10:05:00.000Z")));

        PublishOutcome outcome = adapter.publish(connection, new Publication("pst_1", "Hello", "pst_1", 1));

        assertThat(outcome).isEqualTo(new PublishOutcome.Published("555", "https://x.example/@alice/555"));
        instance.verify(postRequestedFor(urlEqualTo("/api/v1/statuses"))
                .withHeader("Idempotency-Key", equalTo("pst_1"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withRequestBody(equalTo("status=Hello&visibility=public")));
        assertThat(rateLimits.last("prf_1", "create"))
                .contains(new RateLimits.State(300, 299, Instant.parse("2026-11-02T10:05:00Z")));
    }

    @Test
    void a_429_retries_at_the_iso_8601_reset() {
        instance.stubFor(post("/api/v1/statuses").willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"Too many requests\"}")
                .withHeader("X-RateLimit-Limit", "300").withHeader("X-RateLimit-Remaining", "0")
                .withHeader("X-RateLimit-Reset", "2026-11-02T10:05:00.000+01:00")));

        PublishOutcome outcome = adapter.publish(connection, new Publication("pst_1", "Hello", "pst_1", 1));

        assertThat(outcome).isInstanceOfSatisfying(PublishOutcome.RetryLater.class, r -> {
            assertThat(r.notBefore()).isEqualTo(Instant.parse("2026-11-02T09:05:00Z"));
            assertThat(r.rateLimited()).isTrue();
        });
        assertThat(rateLimits.nextAllowed("prf_1", "create", Instant.parse("2026-11-02T09:00:00Z")))
                .isEqualTo(Instant.parse("2026-11-02T09:05:00Z"));
    }

    @Test
    void a_401_means_reconnect_and_a_5xx_or_a_slow_answer_means_retry() {
        instance.stubFor(post("/api/v1/statuses").willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"The access token is invalid\"}")));
        assertThat(adapter.publish(connection, new Publication("pst_1", "Hi", "pst_1", 1)))
                .isInstanceOfSatisfying(PublishOutcome.NeedsReconnect.class, r -> assertThat(r.reason()).doesNotContain(TOKEN));

        instance.stubFor(post("/api/v1/statuses").willReturn(aResponse().withStatus(503)));
        assertThat(adapter.publish(connection, new Publication("pst_1", "Hi", "pst_1", 2)))
                .isInstanceOfSatisfying(PublishOutcome.RetryLater.class, r -> assertThat(r.rateLimited()).isFalse());

        instance.stubFor(post("/api/v1/statuses").willReturn(okJson("{\"id\":\"1\"}").withFixedDelay(1500)));
        long started = System.nanoTime();
        assertThat(adapter.publish(connection, new Publication("pst_1", "Hi", "pst_1", 3)))
                .isInstanceOfSatisfying(PublishOutcome.RetryLater.class, r -> assertThat(r.reason()).contains("no answer within"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1400));
    }

    @Test
    void revoking_a_pasted_token_is_left_to_its_owner() {
        assertThat(adapter.revoke(connection)).isInstanceOfSatisfying(ActionOutcome.Unsupported.class,
                u -> assertThat(u.reason()).contains("only you can revoke it").doesNotContain(TOKEN));
        assertThat(adapter.capabilities()).isEqualTo(new Capabilities(false, true, true, false));
    }

    @Test
    void revoking_with_signalboxs_own_app_registration_posts_to_oauth_revoke() {
        MastodonAdapter withApp = new MastodonAdapter(new MastodonApi(NetworkHttp.of(Duration.ofSeconds(1), Duration.ofSeconds(1)).client(),
                Duration.ofSeconds(1)), rateLimits, new SafeUrls(true, SafeUrlsTest.FAKE_DNS),
                url -> Optional.of(new NetworkApps.App("cid", "csecret", "https://signalbox.example/cb")));
        instance.stubFor(post("/oauth/revoke").willReturn(okJson("{}")));

        assertThat(withApp.revoke(connection)).isEqualTo(new ActionOutcome.Done());
        instance.verify(postRequestedFor(urlEqualTo("/oauth/revoke"))
                .withFormParam("client_id", equalTo("cid")).withFormParam("client_secret", equalTo("csecret"))
                .withFormParam("token", equalTo(TOKEN)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "500|0",
            "501|1",
            // 477 letters and one URL of any length: 477 + 23 = 500
            "477|0"})
    void counting_is_graphemes_with_each_url_at_23(int letters, int problems) {
        String text = "a".repeat(letters) + (letters == 477 ? "https://example.com/a/very/long/path/that/is/way/more/than/23" : "");
        assertThat(adapter.validate(text, MastodonFamily.MASTODON_DEFAULT)).hasSize(problems);
    }

    @Test
    void an_emoji_family_counts_as_one_character() {
        String family = "👨‍👩‍👧‍👦"; // 7 code points, 11 UTF-16 units, one grapheme
        assertThat(adapter.validate(family.repeat(500), MastodonFamily.MASTODON_DEFAULT)).isEmpty();
        assertThat(adapter.validate(family.repeat(501), MastodonFamily.MASTODON_DEFAULT))
                .containsExactly("is 501 characters; mastodon allows at most 500 (each URL counts as 23)");
    }
}
