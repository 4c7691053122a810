package dev.signalbox.networks.bluesky;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import dev.signalbox.networks.ActionOutcome;
import dev.signalbox.networks.ConnectFailure;
import dev.signalbox.networks.ConnectedAccount;
import dev.signalbox.networks.Connection;
import dev.signalbox.networks.NetworkHttp;
import dev.signalbox.networks.Publication;
import dev.signalbox.networks.PublishOutcome;
import dev.signalbox.networks.RateLimits;
import dev.signalbox.networks.SafeUrls;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Bluesky adapter against a local stub PDS on loopback, let through by the operator switch. */
class BlueskyAdapterTest {

    static final String DID = "did:plc:abc123";
    static final String SESSION = "{\"accessJwt\":\"access-1\",\"refreshJwt\":\"refresh-1\",\"did\":\"" + DID + "\"}";
    static final String POST_ID = "pst_01jf8zq3k5abcdefghjkmnpqrs";
    static final Instant NOW = Instant.parse("2026-11-02T10:00:00.123Z");

    WireMockServer pds;
    RateLimits rateLimits = new RateLimits();
    BlueskyAdapter adapter;
    List<String> stored = new ArrayList<>();
    Connection connection;

    @BeforeEach
    void stubPds() {
        pds = new WireMockServer(wireMockConfig().dynamicPort());
        pds.start();
        adapter = new BlueskyAdapter(NetworkHttp.of(Duration.ofSeconds(2), Duration.ofMillis(800)),
                new SafeUrls(true, InetAddressResolver.REAL), rateLimits, pds.baseUrl(), Clock.fixed(NOW, ZoneOffset.UTC));
        connection = new Connection("prf_b", pds.baseUrl(), DID, SESSION, stored::add);
    }

    @AfterEach
    void stopPds() {
        pds.stop();
    }

    static MappingBuilder xrpc(String method) {
        return post(urlEqualTo("/xrpc/" + method));
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(int status, String error, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"" + error + "\",\"message\":\"" + message + "\"}");
    }

    @Test
    void connect_creates_a_session_and_keeps_it_as_the_secret() {
        pds.stubFor(xrpc("com.atproto.server.createSession").willReturn(okJson(
                "{\"accessJwt\":\"a\",\"refreshJwt\":\"r\",\"handle\":\"alice.test\",\"did\":\"" + DID + "\"}")));

        ConnectedAccount account = adapter.connect(Map.of("handle", "@alice.test", "appPassword", "abcd-efgh-ijkl-mnop"));

        assertThat(account.accountId()).isEqualTo(DID);
        assertThat(account.handle()).isEqualTo("alice.test");
        assertThat(account.instanceUrl()).isEqualTo(pds.baseUrl());
        assertThat(account.secret()).isEqualTo("{\"accessJwt\":\"a\",\"refreshJwt\":\"r\",\"did\":\"" + DID + "\"}");
        pds.verify(postRequestedFor(urlEqualTo("/xrpc/com.atproto.server.createSession"))
                .withRequestBody(equalToJson("{\"identifier\":\"alice.test\",\"password\":\"abcd-efgh-ijkl-mnop\"}")));
    }

    @Test
    void a_refused_app_password_names_the_field_without_echoing_it() {
        pds.stubFor(xrpc("com.atproto.server.createSession").willReturn(error(401, "AuthenticationRequired", "Invalid identifier or password")));

        assertThatThrownBy(() -> adapter.connect(Map.of("handle", "alice.test", "appPassword", "abcd-efgh-ijkl-mnop", "pds", pds.baseUrl())))
                .isInstanceOfSatisfying(ConnectFailure.class, f -> {
                    assertThat(f.field()).isEqualTo("appPassword");
                    assertThat(f.getMessage()).contains("Bluesky refused this handle and app password").doesNotContain("abcd-efgh");
                });
    }

    @Test
    void a_pds_on_a_private_address_is_refused_before_anything_is_sent() {
        BlueskyAdapter strict = new BlueskyAdapter(NetworkHttp.of(Duration.ofSeconds(1), Duration.ofSeconds(1)),
                new SafeUrls(false, InetAddressResolver.REAL), rateLimits, "https://bsky.social", Clock.systemUTC());

        assertThatThrownBy(() -> strict.connect(Map.of("handle", "a.test", "appPassword", "x", "pds", "https://[::1]:" + pds.port())))
                .isInstanceOfSatisfying(ConnectFailure.class, f -> {
                    assertThat(f.field()).isEqualTo("pds");
                    assertThat(f.getMessage()).contains("names a private or loopback address");
                });
        assertThat(pds.getAllServeEvents()).isEmpty();
    }

    @Test
    void publish_writes_the_post_under_its_derived_record_key_with_byte_offset_link_facets() {
        String rkey = RecordKeys.forPost(POST_ID);
        pds.stubFor(xrpc("com.atproto.repo.createRecord").willReturn(okJson(
                "{\"uri\":\"at://" + DID + "/app.bsky.feed.post/" + rkey + "\",\"cid\":\"bafy\"}")
                .withHeader("RateLimit-Limit", "5000").withHeader("RateLimit-Remaining", "4997").withHeader("RateLimit-Reset", "1793613600")));

        PublishOutcome outcome = adapter.publish(connection, new Publication(POST_ID, "Grüße 👋 https://example.com", POST_ID, 1));

        assertThat(outcome).isEqualTo(new PublishOutcome.Published("at://" + DID + "/app.bsky.feed.post/" + rkey,
                "https://bsky.app/profile/" + DID + "/post/" + rkey));
        // "Grüße " is 8 bytes in UTF-8 and "👋 " 5 more: the link starts at byte 13 and its 19 bytes end at 32.
        pds.verify(postRequestedFor(urlEqualTo("/xrpc/com.atproto.repo.createRecord"))
                .withHeader("Authorization", equalTo("Bearer access-1"))
                .withRequestBody(equalToJson("""
                        {"repo":"did:plc:abc123","collection":"app.bsky.feed.post","rkey":"%s",
                         "record":{"$type":"app.bsky.feed.post","text":"Grüße 👋 https://example.com",
                                   "createdAt":"2026-11-02T10:00:00.123Z",
                                   "facets":[{"index":{"byteStart":13,"byteEnd":32},
                                              "features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://example.com"}]}]}}
                        """.formatted(rkey))));
        assertThat(rateLimits.last("prf_b", "create")).contains(new RateLimits.State(5000, 4997, Instant.ofEpochSecond(1793613600)));
        assertThat(stored).isEmpty();
    }

    @Test
    void an_expired_access_token_is_renewed_stored_and_the_call_retried_once() {
        pds.stubFor(xrpc("com.atproto.repo.createRecord").withHeader("Authorization", equalTo("Bearer access-1"))
                .willReturn(error(400, "ExpiredToken", "Token has expired")));
        pds.stubFor(xrpc("com.atproto.server.refreshSession").withHeader("Authorization", equalTo("Bearer refresh-1"))
                .willReturn(okJson("{\"accessJwt\":\"access-2\",\"refreshJwt\":\"refresh-2\",\"handle\":\"alice.test\",\"did\":\"" + DID + "\"}")));
        pds.stubFor(xrpc("com.atproto.repo.createRecord").withHeader("Authorization", equalTo("Bearer access-2"))
                .willReturn(okJson("{\"uri\":\"at://" + DID + "/app.bsky.feed.post/x\",\"cid\":\"bafy\"}")));
        List<Integer> createsSeenWhenStored = new ArrayList<>();
        Connection watched = new Connection("prf_b", pds.baseUrl(), DID, SESSION, renewed -> {
            stored.add(renewed);
            createsSeenWhenStored.add(pds.findAll(postRequestedFor(urlEqualTo("/xrpc/com.atproto.repo.createRecord"))).size());
        });

        PublishOutcome outcome = adapter.publish(watched, new Publication(POST_ID, "Hello", POST_ID, 1));

        assertThat(outcome).isInstanceOf(PublishOutcome.Published.class);
        assertThat(stored).containsExactly("{\"accessJwt\":\"access-2\",\"refreshJwt\":\"refresh-2\",\"did\":\"" + DID + "\"}");
        assertThat(createsSeenWhenStored).containsExactly(1);
        pds.verify(2, postRequestedFor(urlEqualTo("/xrpc/com.atproto.repo.createRecord")));
        pds.verify(1, postRequestedFor(urlEqualTo("/xrpc/com.atproto.server.refreshSession")));
    }

    @Test
    void a_refused_refresh_or_an_invalid_token_means_reconnect() {
        pds.stubFor(xrpc("com.atproto.repo.createRecord").willReturn(error(400, "ExpiredToken", "Token has expired")));
        pds.stubFor(xrpc("com.atproto.server.refreshSession").willReturn(error(400, "ExpiredToken", "Token has been revoked")));
        assertThat(adapter.publish(connection, new Publication(POST_ID, "Hello", POST_ID, 1)))
                .isInstanceOfSatisfying(PublishOutcome.NeedsReconnect.class, r -> assertThat(r.reason()).doesNotContain("refresh-1"));
        assertThat(stored).isEmpty();

        pds.stubFor(xrpc("com.atproto.repo.createRecord").willReturn(error(400, "InvalidToken", "Bad token")));
        assertThat(adapter.publish(connection, new Publication(POST_ID, "Hello", POST_ID, 2))).isInstanceOf(PublishOutcome.NeedsReconnect.class);

        pds.stubFor(xrpc("com.atproto.repo.createRecord").willReturn(error(401, "AuthMissing", "Authentication Required")));
        assertThat(adapter.publish(connection, new Publication(POST_ID, "Hello", POST_ID, 3))).isInstanceOf(PublishOutcome.NeedsReconnect.class);
    }

    @Test
    void a_record_key_already_taken_means_the_post_is_already_out() {
        String rkey = RecordKeys.forPost(POST_ID);
        pds.stubFor(xrpc("com.atproto.repo.createRecord").willReturn(error(400, "InvalidRequest", "Record already exists")));
        assertThat(adapter.publish(connection, new Publication(POST_ID, "Hello", POST_ID, 2)))
                .isEqualTo(new PublishOutcome.AlreadyDone("at://" + DID + "/app.bsky.feed.post/" + rkey,
                        "https://bsky.app/profile/" + DID + "/post/" + rkey));

        pds.stubFor(xrpc("com.atproto.repo.createRecord").willReturn(error(409, "RecordAlreadyExists", "")));
        assertThat(adapter.publish(connection, new Publication(POST_ID, "Hello", POST_ID, 3))).isInstanceOf(PublishOutcome.AlreadyDone.class);
    }

    @Test
    void a_429_retries_at_the_unix_reset_and_other_refusals_keep_bluesky_words() {
        pds.stubFor(xrpc("com.atproto.repo.createRecord").willReturn(error(429, "RateLimitExceeded", "Rate Limit Exceeded")
                .withHeader("RateLimit-Limit", "5000").withHeader("RateLimit-Remaining", "0").withHeader("RateLimit-Reset", "1793613600")));
        assertThat(adapter.publish(connection, new Publication(POST_ID, "Hello", POST_ID, 1)))
                .isEqualTo(new PublishOutcome.RetryLater(Instant.ofEpochSecond(1793613600), "bluesky rate limit reached", true));

        pds.stubFor(xrpc("com.atproto.repo.createRecord").willReturn(error(429, "RateLimitExceeded", "slow down").withHeader("Retry-After", "120")));
        assertThat(adapter.publish(connection, new Publication(POST_ID, "Hello", POST_ID, 2)))
                .isEqualTo(new PublishOutcome.RetryLater(NOW.plusSeconds(120), "bluesky rate limit reached", true));

        pds.stubFor(xrpc("com.atproto.repo.createRecord").willReturn(aResponse().withStatus(502)));
        assertThat(adapter.publish(connection, new Publication(POST_ID, "Hello", POST_ID, 3))).isInstanceOf(PublishOutcome.RetryLater.class);

        pds.stubFor(xrpc("com.atproto.repo.createRecord").willReturn(okJson("{}").withFixedDelay(2000)));
        assertThat(adapter.publish(connection, new Publication(POST_ID, "Hello", POST_ID, 4)))
                .isInstanceOfSatisfying(PublishOutcome.RetryLater.class, r -> assertThat(r.reason()).contains("no answer within"));

        pds.stubFor(xrpc("com.atproto.repo.createRecord").willReturn(error(400, "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes")));
        assertThat(adapter.publish(connection, new Publication(POST_ID, "Hello", POST_ID, 5)))
                .isEqualTo(new PublishOutcome.Rejected("Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"));
    }

    @Test
    void delete_removes_the_record_named_by_its_uri_and_revoke_ends_the_session_with_the_refresh_token() {
        pds.stubFor(xrpc("com.atproto.repo.deleteRecord").willReturn(okJson("{}")));
        pds.stubFor(xrpc("com.atproto.server.deleteSession").willReturn(aResponse().withStatus(200)));

        assertThat(adapter.delete(connection, "at://" + DID + "/app.bsky.feed.post/3kabc2def3gh2")).isEqualTo(new ActionOutcome.Done());
        assertThat(adapter.revoke(connection)).isEqualTo(new ActionOutcome.Done());

        pds.verify(postRequestedFor(urlEqualTo("/xrpc/com.atproto.repo.deleteRecord"))
                .withHeader("Authorization", equalTo("Bearer access-1"))
                .withRequestBody(equalToJson("{\"repo\":\"" + DID + "\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"3kabc2def3gh2\"}")));
        pds.verify(postRequestedFor(urlEqualTo("/xrpc/com.atproto.server.deleteSession"))
                .withHeader("Authorization", equalTo("Bearer refresh-1")));
    }

    /** Real resolution; the stub runs on loopback. */
    interface InetAddressResolver {
        java.util.function.Function<String, InetAddress[]> REAL = host -> {
            try {
                return InetAddress.getAllByName(host);
            } catch (java.net.UnknownHostException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }
}
