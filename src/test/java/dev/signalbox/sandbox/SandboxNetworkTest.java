package dev.signalbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.sandbox.SandboxClient.Answer;
import dev.signalbox.sandbox.SandboxClient.App;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class SandboxNetworkTest extends SandboxHttpTest {

    @LocalServerPort
    int port;

    @Autowired
    SandboxNetwork network;

    @Autowired
    JdbcClient db;

    SandboxClient client;
    String handle;

    @BeforeEach
    void setUp() {
        client = new SandboxClient(port);
        handle = SandboxClient.uniqueHandle("tester");
    }

    @Test
    void a_client_connects_with_pkce_posts_and_the_post_shows_in_the_list_and_on_the_public_page() {
        App app = client.registerApp("Signalbox Test " + handle);

        String verifier = "a-verifier-long-enough-for-pkce-" + UUID.randomUUID();
        HttpResponse<String> authorized = client.authorize(app, handle, "state-42", Secrets.s256Challenge(verifier));
        assertThat(authorized.statusCode()).isEqualTo(302);
        Map<String, String> redirect = SandboxClient.redirectParameters(authorized);
        assertThat(redirect).containsEntry("state", "state-42").containsKey("code");

        Answer token = client.exchange(app, redirect.get("code"), verifier);
        assertThat(token.status()).isEqualTo(200);
        assertThat(token.json().get("token_type").asString()).isEqualTo("Bearer");
        String accessToken = token.json().get("access_token").asString();

        Answer me = client.get("/sandbox/api/v1/accounts/verify_credentials", accessToken);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("username").asString()).isEqualTo(handle);
        String accountId = me.json().get("id").asString();

        Answer posted = client.post(accessToken, "Hello from the sandbox", null);
        assertThat(posted.status()).isEqualTo(200);
        assertThat(posted.json().get("id").asString()).matches("\\d+");
        assertThat(posted.json().get("content").asString()).isEqualTo("<p>Hello from the sandbox</p>");
        assertThat(posted.json().get("application").get("name").asString()).isEqualTo(app.name());
        assertThat(posted.json().get("url").asString()).endsWith("/sandbox/@" + handle + "/" + posted.json().get("id").asString());

        Answer list = client.get("/sandbox/api/v1/accounts/" + accountId + "/statuses", null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get(0).get("id").asString()).isEqualTo(posted.json().get("id").asString());

        Answer page = client.page("/sandbox/@" + handle);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Hello from the sandbox").contains("via " + app.name());
        assertThat(client.page("/sandbox/@" + handle + "/" + posted.json().get("id").asString()).body())
                .contains("Hello from the sandbox");

        List<SandboxStatus> stored = network.statuses(handle);
        assertThat(stored).singleElement().satisfies(s -> {
            assertThat(s.applicationName()).isEqualTo(app.name());
            assertThat(s.receivedAt()).isNotNull();
        });
    }

    @Test
    void the_instance_tells_the_text_limits() {
        Answer instance = client.get("/sandbox/api/v2/instance", null);
        assertThat(instance.status()).isEqualTo(200);
        JsonNode statuses = instance.json().get("configuration").get("statuses");
        assertThat(statuses.get("max_characters").asInt()).isEqualTo(500);
        assertThat(statuses.get("characters_reserved_per_url").asInt()).isEqualTo(23);
    }

    @Test
    void apps_can_register_with_a_json_body_too() {
        Answer answer = client.postJson("/sandbox/api/v1/apps", null, Map.of(
                "client_name", "JSON app", "redirect_uris", SandboxClient.REDIRECT, "scopes", "read"));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("client_secret").asString()).isNotBlank();
    }

    @Test
    void a_wrong_code_verifier_is_refused_and_a_code_works_only_once() {
        App app = client.registerApp("PKCE app");
        String verifier = "right-verifier-" + UUID.randomUUID();
        HttpResponse<String> authorized = client.authorize(app, handle, "s", Secrets.s256Challenge(verifier));
        String code = SandboxClient.redirectParameters(authorized).get("code");

        Answer wrong = client.exchange(app, code, "wrong-verifier-" + UUID.randomUUID());
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.json().get("error").asString()).isEqualTo("invalid_grant");

        assertThat(client.exchange(app, code, verifier).status()).isEqualTo(200);
        Answer reused = client.exchange(app, code, verifier);
        assertThat(reused.status()).isEqualTo(400);
        assertThat(reused.json().get("error").asString()).isEqualTo("invalid_grant");
    }

    @Test
    void authorize_refuses_an_unknown_client_a_foreign_redirect_and_a_bad_login_hint() {
        App app = client.registerApp("Careful app");
        HttpResponse<String> unknown = client.authorize(new App("no-such-client", "x", "x"), handle, "s", null);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("invalid_client");

        HttpResponse<String> foreignRedirect = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + port + "/sandbox/oauth/authorize?response_type=code&client_id=" + app.clientId()
                        + "&redirect_uri=https%3A%2F%2Fevil.example%2Fsteal&login_hint=" + handle)).GET().build());
        assertThat(foreignRedirect.statusCode()).isEqualTo(400);
        assertThat(foreignRedirect.body()).contains("invalid_client");
        assertThat(foreignRedirect.headers().firstValue("Location")).isEmpty();

        HttpResponse<String> badHint = client.authorize(app, "not a handle!", "s", null);
        assertThat(badHint.statusCode()).isEqualTo(400);
        assertThat(badHint.body()).contains("invalid_request").contains("login_hint must name a sandbox account");

        HttpResponse<String> noHint = client.authorize(app, null, "s", null);
        assertThat(noHint.statusCode()).isEqualTo(400);
        assertThat(noHint.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void the_same_idempotency_key_twice_returns_the_original_status_and_creates_one() {
        String token = client.connect(client.registerApp("Retry app"), handle);
        Answer first = client.post(token, "Posted once", "key-1");
        Answer second = client.post(token, "Posted once", "key-1");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
        assertThat(network.statusCount(handle)).isEqualTo(1);
        assertThat(network.statuses(handle).getFirst().idempotencyKey()).isEqualTo("key-1");

        Answer other = client.post(token, "Posted once", "key-2");
        assertThat(other.json().get("id").asString()).isNotEqualTo(first.json().get("id").asString());
        assertThat(network.statusCount(handle)).isEqualTo(2);
    }

    @Test
    void an_idempotency_key_older_than_an_hour_creates_a_new_status() {
        String token = client.connect(client.registerApp("Late retry app"), handle);
        String first = client.post(token, "Once upon a time", "old-key").json().get("id").asString();
        db.sql("""
                update sandbox_idempotency_keys set expires_at = expires_at - interval '61 minutes'
                where idempotency_key = 'old-key' and account_id = (select id from sandbox_accounts where username = :u)""")
                .param("u", handle).update();

        String second = client.post(token, "Once upon a time", "old-key").json().get("id").asString();
        assertThat(second).isNotEqualTo(first);
        assertThat(client.post(token, "Once upon a time", "old-key").json().get("id").asString()).isEqualTo(second);
        assertThat(network.statusCount(handle)).isEqualTo(2);
    }

    @Test
    void twenty_concurrent_creates_with_one_key_make_one_status() throws Exception {
        String token = client.connect(client.registerApp("Racing app"), handle);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Answer>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return client.post(token, "Raced", "race-key");
                }));
            }
            start.countDown();
            List<String> ids = new ArrayList<>();
            for (Future<Answer> answer : answers) {
                Answer a = answer.get();
                assertThat(a.status()).as(a.body()).isEqualTo(200);
                ids.add(a.json().get("id").asString());
            }
            assertThat(ids).hasSize(20).containsOnly(ids.getFirst());
        }
        assertThat(network.statusCount(handle)).isEqualTo(1);
    }

    @Test
    void empty_and_over_length_text_is_refused_while_urls_count_as_23() {
        String token = client.connect(client.registerApp("Length app"), handle);
        Answer empty = client.post(token, "   ", null);
        assertThat(empty.status()).isEqualTo(422);
        assertThat(empty.json().get("error").asString()).isEqualTo("Validation failed: Text can't be blank");

        Answer tooLong = client.post(token, "a".repeat(501), null);
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.json().get("error").asString()).isEqualTo("Validation failed: Text character limit of 500 exceeded");

        String longUrl = "https://example.com/" + "x".repeat(200);
        Answer withUrl = client.post(token, "a".repeat(500 - 23 - 1) + " " + longUrl, null);
        assertThat(withUrl.status()).as(withUrl.body()).isEqualTo(200);
        Answer emoji = client.post(token, "👩‍👩‍👧".repeat(500), null);
        assertThat(emoji.status()).as("a family emoji is one grapheme").isEqualTo(200);
        assertThat(network.statusCount(handle)).isEqualTo(2);
    }

    @Test
    void a_revoked_token_is_refused() {
        App app = client.registerApp("Revoking app");
        String token = client.connect(app, handle);
        assertThat(client.get("/sandbox/api/v1/accounts/verify_credentials", token).status()).isEqualTo(200);

        Map<String, String> revoke = Map.of("client_id", app.clientId(), "client_secret", app.clientSecret(), "token", token);
        assertThat(client.postForm("/sandbox/oauth/revoke", null, revoke).status()).isEqualTo(200);
        assertThat(client.postForm("/sandbox/oauth/revoke", null, revoke).status()).as("revoking twice is fine").isEqualTo(200);

        Answer refused = client.get("/sandbox/api/v1/accounts/verify_credentials", token);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("error").asString()).isEqualTo("The access token is invalid");
        assertThat(client.post(token, "Too late", null).status()).isEqualTo(401);
        assertThat(network.statusCount(handle)).isZero();
    }

    @Test
    void a_deleted_status_is_gone_from_the_list_and_the_page_and_only_its_owner_can_delete_it() {
        App app = client.registerApp("Deleting app");
        String token = client.connect(app, handle);
        String strangerToken = client.connect(app, SandboxClient.uniqueHandle("stranger"));
        Answer posted = client.post(token, "Soon gone", null);
        String id = posted.json().get("id").asString();

        Answer byStranger = client.delete("/sandbox/api/v1/statuses/" + id, strangerToken);
        assertThat(byStranger.status()).isEqualTo(404);
        assertThat(byStranger.json().get("error").asString()).isEqualTo("Record not found");

        Answer deleted = client.delete("/sandbox/api/v1/statuses/" + id, token);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("id").asString()).isEqualTo(id);
        assertThat(client.delete("/sandbox/api/v1/statuses/" + id, token).status()).isEqualTo(404);

        String accountId = client.get("/sandbox/api/v1/accounts/verify_credentials", token).json().get("id").asString();
        assertThat(client.get("/sandbox/api/v1/accounts/" + accountId + "/statuses", token).json()).isEmpty();
        assertThat(client.page("/sandbox/@" + handle).body()).doesNotContain("Soon gone");
        assertThat(client.page("/sandbox/@" + handle + "/" + id).status()).isEqualTo(404);
        assertThat(network.statuses(handle)).singleElement().satisfies(s -> assertThat(s.deleted()).isTrue());
    }

    @Test
    void a_hidden_status_is_shown_only_to_its_owner_until_unhidden() {
        String token = client.connect(client.registerApp("Hiding app"), handle);
        String id = client.post(token, "Now you see me", null).json().get("id").asString();
        String accountId = client.get("/sandbox/api/v1/accounts/verify_credentials", token).json().get("id").asString();
        String list = "/sandbox/api/v1/accounts/" + accountId + "/statuses";

        Answer hidden = client.postForm("/sandbox/api/v1/statuses/" + id + "/hide", token, Map.of());
        assertThat(hidden.status()).isEqualTo(200);
        assertThat(hidden.json().get("hidden").asBoolean()).isTrue();
        assertThat(client.get(list, null).json()).isEmpty();
        assertThat(client.get(list, token).json()).hasSize(1);
        assertThat(client.page("/sandbox/@" + handle).body()).doesNotContain("Now you see me");

        Answer shown = client.postForm("/sandbox/api/v1/statuses/" + id + "/unhide", token, Map.of());
        assertThat(shown.json().get("hidden").asBoolean()).isFalse();
        assertThat(client.get(list, null).json()).hasSize(1);
        assertThat(client.page("/sandbox/@" + handle).body()).contains("Now you see me");
    }

    @Test
    void html_in_a_status_is_escaped_on_the_public_page_and_in_content() {
        String token = client.connect(client.registerApp("<b>Sneaky</b> app"), handle);
        Answer posted = client.post(token, "<script>alert('x')</script> & more", null);
        assertThat(posted.json().get("content").asString()).startsWith("<p>&lt;script&gt;");

        String page = client.page("/sandbox/@" + handle).body();
        assertThat(page).doesNotContain("<script>").doesNotContain("<b>Sneaky</b>")
                .contains("&lt;script&gt;").contains("via &lt;b&gt;Sneaky&lt;/b&gt; app");
    }

    @Test
    void an_unknown_account_has_a_404_page() {
        Answer page = client.page("/sandbox/@" + SandboxClient.uniqueHandle("nobody"));
        assertThat(page.status()).isEqualTo(404);
        assertThat(page.body()).contains("Not found");
    }
}
