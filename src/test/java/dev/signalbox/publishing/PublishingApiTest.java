package dev.signalbox.publishing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.sandbox.SandboxNetwork;
import dev.signalbox.sandbox.SandboxStatus;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.SignalboxTest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The Publishing part of the REST contract, over real HTTP, with the sandbox network publishing. */
class PublishingApiTest extends SignalboxTest {

    @LocalServerPort
    int port;

    @Autowired
    SandboxNetwork sandbox;

    @Autowired
    JdbcClient db;

    Api ann;
    String workspace;
    String handle;
    String profile;

    @BeforeEach
    void connectProfile() {
        ann = Api.at(port).newCustomer("Ann");
        workspace = ann.createWorkspace("Acme");
        handle = "acme_" + UUID.randomUUID().toString().substring(0, 8);
        profile = ann.connectSandbox(workspace, handle);
    }

    @Test
    void a_post_shared_now_is_published_once_on_the_sandbox_with_a_link() {
        Api.Answer created = Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"Hello, world\",\"when\":\"now\"}"));
        String id = created.text("id");

        JsonNode post = awaitStatus(id, "published");

        assertThat(post.get("networkPostId").asString()).isNotBlank();
        assertThat(post.get("networkUrl").asString()).endsWith("/sandbox/@" + handle + "/" + post.get("networkPostId").asString());
        assertThat(post.get("attempts").asInt()).isEqualTo(1);
        List<SandboxStatus> statuses = sandbox.statuses(handle);
        assertThat(statuses).singleElement().satisfies(s -> {
            assertThat(s.text()).isEqualTo("Hello, world");
            assertThat(s.applicationName()).isEqualTo("Signalbox");
            assertThat(s.idempotencyKey()).isEqualTo(id);
        });
    }

    @Test
    void connecting_shows_the_profile_connected_with_the_instances_limit() {
        JsonNode p = Api.expect(200, ann.get("/api/v1/profiles/" + profile)).json();
        assertThat(p.get("network").asString()).isEqualTo("sandbox");
        assertThat(p.get("handle").asString()).isEqualTo(handle);
        assertThat(p.get("status").asString()).isEqualTo("connected");
        assertThat(p.get("maxCharacters").asInt()).isEqualTo(500);
        assertThat(p.toString()).doesNotContainIgnoringCase("token").doesNotContain("secret");
    }

    @Test
    void queued_posts_take_distinct_slots_in_order() {
        Api.expect(200, ann.put("/api/v1/profiles/" + profile + "/schedule",
                "{\"timeZone\":\"Europe/Berlin\",\"slots\":[{\"day\":\"MONDAY\",\"time\":\"09:00\"},{\"day\":\"MONDAY\",\"time\":\"17:30\"},{\"day\":\"THURSDAY\",\"time\":\"12:00\"}]}"));
        Instant first = Instant.parse(Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"one\",\"when\":\"queue\"}")).text("scheduledAt"));
        Instant second = Instant.parse(Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"two\",\"when\":\"queue\"}")).text("scheduledAt"));
        Instant third = Instant.parse(Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"three\",\"when\":\"queue\"}")).text("scheduledAt"));

        assertThat(List.of(first, second, third)).doesNotHaveDuplicates().isSorted();
        for (Instant slot : List.of(first, second, third)) {
            String local = slot.atZone(java.time.ZoneId.of("Europe/Berlin")).toLocalTime().toString();
            assertThat(local).isIn("09:00", "17:30", "12:00");
        }
    }

    @Test
    void cancelling_a_queued_post_frees_its_slot() {
        Api.expect(200, ann.put("/api/v1/profiles/" + profile + "/schedule",
                "{\"timeZone\":\"UTC\",\"slots\":[{\"day\":\"TUESDAY\",\"time\":\"10:00\"}]}"));
        Api.Answer first = Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"one\",\"when\":\"queue\"}"));
        Api.expect(200, ann.delete("/api/v1/posts/" + first.text("id")));
        Api.Answer second = Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"two\",\"when\":\"queue\"}"));
        assertThat(second.text("scheduledAt")).isEqualTo(first.text("scheduledAt"));
        assertThat(ann.get("/api/v1/posts/" + first.text("id")).text("status")).isEqualTo("cancelled");
    }

    @Test
    void a_paused_queue_holds_its_posts_until_resumed() throws Exception {
        Api.expect(200, ann.post("/api/v1/profiles/" + profile + "/pause", "{}"));
        String id = Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"wait for it\",\"when\":\"now\"}")).text("id");
        Thread.sleep(1500);
        assertThat(ann.get("/api/v1/posts/" + id).text("status")).isEqualTo("scheduled");
        assertThat(sandbox.statusCount(handle)).isZero();

        Api.expect(200, ann.post("/api/v1/profiles/" + profile + "/resume", "{}"));
        awaitStatus(id, "published");
        assertThat(sandbox.statusCount(handle)).isEqualTo(1);
    }

    @Test
    void a_pile_of_due_posts_on_a_paused_profile_does_not_hold_up_another_profiles_post() {
        Api.expect(200, ann.post("/api/v1/profiles/" + profile + "/pause", "{}"));
        // more due posts than a claim takes (a batch is at most 200), all due before the other post
        int pile = 900;
        String prefix = "pst_pile_" + UUID.randomUUID().toString().substring(0, 8) + "_";
        db.sql("""
                insert into posts (id, profile_id, text, status, due_at, created_at, updated_at)
                select :prefix || n, :profile, 'pile ' || n, 'scheduled', now() - interval '1 minute', now(), now()
                from generate_series(1, :pile) n""")
                .param("prefix", prefix).param("profile", profile).param("pile", pile).update();
        try {
            String otherHandle = "other_" + UUID.randomUUID().toString().substring(0, 8);
            String other = ann.connectSandbox(workspace, otherHandle);
            String id = Api.expect(201, ann.post("/api/v1/profiles/" + other + "/posts", "{\"text\":\"not stuck\",\"when\":\"now\"}")).text("id");

            awaitStatus(id, "published");

            assertThat(sandbox.statuses(otherHandle)).extracting(SandboxStatus::text).containsExactly("not stuck");
            assertThat(sandbox.statusCount(handle)).as("the paused profile's pile stays put").isZero();
            assertThat(db.sql("select count(*) from posts where id like :p || '%' and status = 'scheduled'").param("p", prefix)
                    .query(Integer.class).single()).isEqualTo(pile);
        } finally {
            db.sql("delete from posts where id like :p || '%'").param("p", prefix).update();
        }
    }

    @Test
    void a_post_scheduled_at_a_time_waits_for_it_and_can_be_moved() {
        String at = OffsetDateTime.now().plusDays(2).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
        Api.Answer created = Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts",
                "{\"text\":\"later\",\"when\":\"at\",\"at\":\"" + at + "\"}"));
        assertThat(created.text("status")).isEqualTo("scheduled");
        assertThat(Instant.parse(created.text("scheduledAt"))).isEqualTo(OffsetDateTime.parse(at).toInstant());

        String soon = OffsetDateTime.now().plusSeconds(1).toString();
        Api.Answer moved = Api.expect(200, ann.patch("/api/v1/posts/" + created.text("id"), "{\"text\":\"sooner\",\"at\":\"" + soon + "\"}"));
        assertThat(moved.text("text")).isEqualTo("sooner");
        awaitStatus(created.text("id"), "published");
        assertThat(sandbox.statuses(handle)).extracting(SandboxStatus::text).containsExactly("sooner");
    }

    @Test
    void a_published_post_cannot_be_edited_or_cancelled() {
        String id = Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"done\",\"when\":\"now\"}")).text("id");
        awaitStatus(id, "published");
        Api.Answer edit = ann.patch("/api/v1/posts/" + id, "{\"text\":\"changed\"}");
        assertThat(edit.status()).isEqualTo(409);
        assertThat(edit.text("detail")).contains("published");
        assertThat(ann.delete("/api/v1/posts/" + id).status()).isEqualTo(409);
    }

    @Test
    void drafts_stay_until_scheduled() throws Exception {
        String id = Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"draft\",\"when\":\"draft\"}")).text("id");
        Thread.sleep(700);
        assertThat(ann.get("/api/v1/posts/" + id).text("status")).isEqualTo("draft");
        Api.expect(200, ann.patch("/api/v1/posts/" + id, "{\"at\":\"" + OffsetDateTime.now().plusSeconds(1) + "\"}"));
        awaitStatus(id, "published");
    }

    @Test
    void the_history_pages_through_posts_newest_first_and_filters_by_status() {
        for (int i = 0; i < 5; i++) {
            Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"d" + i + "\",\"when\":\"draft\"}"));
        }
        JsonNode page1 = Api.expect(200, ann.get("/api/v1/profiles/" + profile + "/posts?status=draft&limit=3")).json();
        assertThat(page1.get("posts")).hasSize(3);
        assertThat(page1.get("posts").get(0).get("text").asString()).isEqualTo("d4");
        JsonNode page2 = Api.expect(200, ann.get("/api/v1/profiles/" + profile + "/posts?status=draft&limit=3&cursor="
                + page1.get("nextCursor").asString())).json();
        assertThat(page2.get("posts")).hasSize(2);
        assertThat(page2.get("nextCursor").isNull()).isTrue();
    }

    // --- bad input: a clear problem naming the field and the rule, nothing written ---

    @Test
    void an_overlong_text_is_refused_naming_the_rule_and_nothing_is_created() {
        String text = "x".repeat(476) + " https://example.com/" + "a".repeat(200);
        Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":" + Api.quote(text) + ",\"when\":\"draft\"}"));
        Api.Answer tooLong = ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":" + Api.quote("y".repeat(501)) + ",\"when\":\"now\"}");

        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.json().get("errors").get(0).get("field").asString()).isEqualTo("text");
        assertThat(tooLong.json().get("errors").get(0).get("message").asString())
                .isEqualTo("is 501 characters; sandbox allows at most 500 (each URL counts as 23)");
        JsonNode all = ann.get("/api/v1/profiles/" + profile + "/posts").json().get("posts");
        assertThat(all).hasSize(1);
    }

    @Test
    void bad_posts_are_refused_with_each_field_named() {
        assertField(ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"\",\"when\":\"now\"}"), 422, "text", "must not be empty");
        assertField(ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"hi\",\"when\":\"soon\"}"), 422, "when", "'soon' is not allowed; use now, queue, at or draft");
        assertField(ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"hi\",\"when\":\"at\",\"at\":\"2020-01-01T00:00:00Z\"}"), 422, "at", "2020-01-01T00:00:00Z is in the past; choose a future time or use when=now");
        assertField(ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"hi\",\"when\":\"at\",\"at\":\"tomorrow\"}"), 422, "at", "'tomorrow' is not an ISO-8601 time with offset, e.g. 2026-12-01T09:00:00+01:00");
        assertField(ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"hi\",\"when\":\"queue\"}"), 422, "when", "queue needs posting slots");
        assertField(ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\": \"hi\", \"when\": "), 400, "body", "must be a well-formed JSON object");
        assertThat(ann.get("/api/v1/profiles/" + profile + "/posts").json().get("posts")).isEmpty();
    }

    @Test
    void bad_schedules_are_refused_and_the_old_schedule_stays() {
        Api.expect(200, ann.put("/api/v1/profiles/" + profile + "/schedule", "{\"timeZone\":\"UTC\",\"slots\":[{\"day\":\"MONDAY\",\"time\":\"09:00\"}]}"));
        Api.Answer bad = ann.put("/api/v1/profiles/" + profile + "/schedule",
                "{\"timeZone\":\"Mars/Olympus\",\"slots\":[{\"day\":\"MONDAY\",\"time\":\"25:00\"},{\"day\":\"FUNDAY\",\"time\":\"10:00\"}]}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("errors").toString())
                .contains("\"field\":\"timeZone\"", "'Mars/Olympus' is not an IANA time zone")
                .contains("\"field\":\"slots[0].time\"", "'25:00' is not a time of day")
                .contains("\"field\":\"slots[1].day\"", "'FUNDAY' is not a day");
        JsonNode kept = ann.get("/api/v1/profiles/" + profile + "/schedule").json();
        assertThat(kept.get("timeZone").asString()).isEqualTo("UTC");
        assertThat(kept.get("slots")).hasSize(1);
    }

    @Test
    void another_customers_profile_and_posts_do_not_exist_for_you() {
        String id = Api.expect(201, ann.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"mine\",\"when\":\"draft\"}")).text("id");
        Api bob = Api.at(port).newCustomer("Bob");
        assertThat(bob.get("/api/v1/profiles/" + profile).status()).isEqualTo(404);
        assertThat(bob.get("/api/v1/posts/" + id).status()).isEqualTo(404);
        assertThat(bob.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"theirs\",\"when\":\"now\"}").status()).isEqualTo(404);
        assertThat(bob.delete("/api/v1/posts/" + id).status()).isEqualTo(404);
        assertThat(bob.get("/api/v1/workspaces/" + workspace).status()).isEqualTo(404);
        assertThat(ann.get("/api/v1/posts/" + id).text("status")).isEqualTo("draft");
    }

    @Test
    void a_viewer_can_read_but_not_post() {
        String email = "viewer-" + UUID.randomUUID() + "@example.com";
        Api.expect(201, Api.at(port).post("/api/v1/users", "{\"email\":\"" + email + "\",\"password\":\"correct-horse-battery\",\"name\":\"Vera\"}"));
        Api viewer = Api.at(port).as(Api.at(port).post("/api/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"correct-horse-battery\"}").text("token"));
        Api.expect(201, ann.post("/api/v1/workspaces/" + workspace + "/members", "{\"email\":\"" + email + "\",\"role\":\"viewer\"}"));

        assertThat(viewer.get("/api/v1/profiles/" + profile).status()).isEqualTo(200);
        Api.Answer refused = viewer.post("/api/v1/profiles/" + profile + "/posts", "{\"text\":\"hi\",\"when\":\"now\"}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("editor");
        assertThat(ann.get("/api/v1/profiles/" + profile + "/posts").json().get("posts")).isEmpty();
    }

    @Test
    void calls_without_a_valid_token_are_refused() {
        assertThat(Api.at(port).get("/api/v1/workspaces").status()).isEqualTo(401);
        assertThat(Api.at(port).as("sbx_not-a-token").get("/api/v1/profiles/" + profile).status()).isEqualTo(401);
        Api.Answer wrong = Api.at(port).post("/api/v1/auth/token", "{\"email\":\"nobody@example.com\",\"password\":\"whatever-it-is\"}");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).contains("Wrong email or password");
    }

    @Test
    void an_unknown_profile_is_404() {
        assertThat(ann.post("/api/v1/profiles/prf_nope/posts", "{\"text\":\"hi\",\"when\":\"now\"}").status()).isEqualTo(404);
    }

    @Test
    void connecting_with_a_bad_handle_names_the_field_and_stores_nothing() {
        assertField(ann.post("/api/v1/workspaces/" + workspace + "/profiles", "{\"network\":\"sandbox\",\"handle\":\"no spaces!\"}"), 422, "handle", "must be 1–30 letters, digits or underscores");
        assertField(ann.post("/api/v1/workspaces/" + workspace + "/profiles", "{\"network\":\"myspace\",\"handle\":\"tom\"}"), 422, "network", "'myspace' is not a network");
        assertThat(ann.get("/api/v1/workspaces/" + workspace + "/profiles").json()).hasSize(1);
    }

    static void assertField(Api.Answer answer, int status, String field, String message) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        JsonNode errors = answer.json().get("errors");
        assertThat(errors).as(answer.body()).anySatisfy(e -> {
            assertThat(e.get("field").asString()).isEqualTo(field);
            assertThat(e.get("message").asString()).contains(message);
        });
    }

    JsonNode awaitStatus(String postId, String status) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        JsonNode post;
        do {
            post = Api.expect(200, ann.get("/api/v1/posts/" + postId)).json();
            if (post.get("status").asString().equals(status)) return post;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("post " + postId + " did not become " + status + ": " + post);
    }
}
