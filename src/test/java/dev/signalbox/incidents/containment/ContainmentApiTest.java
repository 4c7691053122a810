package dev.signalbox.incidents.containment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.Api;
import dev.signalbox.testing.SignalboxTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The containment endpoints on one node against its own sandbox: who may, what is refused, and what a job does. */
class ContainmentApiTest extends SignalboxTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient sql;

    Api anonymous;
    Api responder;
    ContainmentFixtures.Customer customer;

    @BeforeEach
    void setUp() {
        anonymous = Api.at(port);
        responder = ContainmentFixtures.operator(anonymous, sql, "responder");
        customer = ContainmentFixtures.customerWithSandboxProfiles(anonymous, 2);
        ContainmentFixtures.publishedPosts(sql, customer.profiles(), 5);
    }

    private String hideWorkspace(boolean dryRun) {
        return "{\"action\":\"hide\",\"workspaceIds\":[\"" + customer.workspace() + "\"],\"dryRun\":" + dryRun
                + ",\"reason\":\"Leaked posts from a compromised app key\"}";
    }

    @Test
    void customers_do_not_see_the_endpoint_communicators_are_refused_responders_start_a_job() {
        Api customerApi = customer.api();
        assertThat(customerApi.post("/api/v1/containments", hideWorkspace(false)).status()).isEqualTo(404);
        Api communicator = ContainmentFixtures.operator(anonymous, sql, "communicator");
        Api.Answer refused = communicator.post("/api/v1/containments", hideWorkspace(false));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).contains("responder");

        Api.Answer started = Api.expect(202, responder.post("/api/v1/containments", hideWorkspace(false)));
        assertThat(started.json().get("total").asInt()).isEqualTo(10);
        assertThat(started.json().has("done")).isTrue();
        assertThat(started.json().has("failed")).isTrue();
        assertThat(customerApi.get("/api/v1/containments/" + started.text("id")).status()).isEqualTo(404);
        int audited = sql.sql("select count(*) from audit_log where action = 'containment.start' and target = :id")
                .param("id", started.text("id")).query(Integer.class).single();
        assertThat(audited).as("the start is in the audit log").isEqualTo(1);
    }

    @Test
    void a_selector_without_criteria_a_missing_reason_or_matching_nothing_is_refused_naming_the_field() {
        Api.Answer noCriteria = responder.post("/api/v1/containments", "{\"action\":\"hide\",\"reason\":\"why\"}");
        assertThat(noCriteria.status()).isEqualTo(422);
        assertThat(fields(noCriteria)).containsExactly("selector");

        Api.Answer noReason = responder.post("/api/v1/containments", "{\"action\":\"hide\",\"network\":\"sandbox\"}");
        assertThat(noReason.status()).isEqualTo(422);
        assertThat(fields(noReason)).containsExactly("reason");

        Api.Answer badAction = responder.post("/api/v1/containments", "{\"action\":\"burn\",\"network\":\"sandbox\",\"reason\":\"r\"}");
        assertThat(fields(badAction)).containsExactly("action");

        Api.Answer nothing = responder.post("/api/v1/containments",
                "{\"action\":\"hide\",\"postIds\":[\"pst_does_not_exist\"],\"reason\":\"why\"}");
        assertThat(nothing.status()).isEqualTo(422);
        assertThat(fields(nothing)).containsExactly("selector");
        assertThat(nothing.body()).contains("matches no published post");

        Api.Answer flagged = responder.post("/api/v1/containments", "{\"action\":\"hide\",\"flaggedOnly\":true,\"reason\":\"why\"}");
        assertThat(flagged.status()).as("no detector flags posts yet").isEqualTo(422);
        assertThat(flagged.body()).contains("flaggedOnly matches nothing");
    }

    @Test
    void a_dry_run_counts_per_network_and_says_what_cannot_be_done_without_changing_anything() {
        // An X profile in the same workspace with two published posts: X cannot hide.
        sql.sql("""
                insert into profiles (id, workspace_id, network, handle, status, created_at)
                values (:id, :ws, 'x', :id, 'connected', now())""").param("id", "prf_x_" + customer.workspace()).param("ws", customer.workspace()).update();
        sql.sql("""
                insert into posts (id, profile_id, text, status, published_at, network_post_id, created_at, updated_at)
                select 'pst_x_' || n || :ws, :p, 'x post', 'published', now(), '99' || n, now(), now() from generate_series(1, 2) n""")
                .param("ws", customer.workspace()).param("p", "prf_x_" + customer.workspace()).update();

        JsonNode dry = Api.expect(200, responder.post("/api/v1/containments", hideWorkspace(true))).json();
        assertThat(dry.get("status").asString()).isEqualTo("dry_run");
        assertThat(dry.get("total").asInt()).isEqualTo(12);
        assertThat(dry.get("byNetwork").get("sandbox").asInt()).isEqualTo(10);
        assertThat(dry.get("byNetwork").get("x").asInt()).isEqualTo(2);
        assertThat(dry.get("unsupportedCount").asInt()).isEqualTo(2);
        assertThat(dry.get("unsupportedReasons").get("x cannot hide a post, only delete it").asInt()).isEqualTo(2);
        assertThat(dry.get("pending").asInt()).isEqualTo(10);
        assertThat(sql.sql("select count(*) from containment_jobs where selector like '%' || :ws || '%'")
                .param("ws", customer.workspace()).query(Integer.class).single()).as("a dry run stores no job").isZero();
        assertThat(hiddenOnSandbox()).isZero();

        // A restore cannot bring back a deleted post.
        sql.sql("update posts set containment_state = 'deleted' where id = :id").param("id", "pst_" + customer.profiles().get(0) + "_1").update();
        JsonNode restore = Api.expect(200, responder.post("/api/v1/containments", "{\"action\":\"restore\",\"profileIds\":[\""
                + customer.profiles().get(0) + "\"],\"dryRun\":true,\"reason\":\"all clear\"}")).json();
        assertThat(restore.get("unsupportedReasons").get("the post was deleted; it cannot be restored").asInt()).isEqualTo(1);
        assertThat(restore.get("skipped").asInt()).as("posts that are not hidden need no restore").isEqualTo(4);
    }

    @Test
    void hiding_hides_on_the_network_shows_on_the_post_rerunning_skips_and_restore_makes_them_visible_again() throws Exception {
        String id = Api.expect(202, responder.post("/api/v1/containments", hideWorkspace(false))).text("id");
        JsonNode job = ContainmentFixtures.awaitFinished(responder, id, Duration.ofSeconds(30));
        assertThat(job.get("done").asInt()).isEqualTo(10);
        assertThat(job.get("failed").asInt()).isZero();
        assertThat(job.get("finishedAt").isNull()).isFalse();
        assertThat(hiddenOnSandbox()).isEqualTo(10);

        String postId = "pst_" + customer.profiles().get(1) + "_3";
        JsonNode post = Api.expect(200, customer.api().get("/api/v1/posts/" + postId)).json();
        assertThat(post.get("containment").get("state").asString()).isEqualTo("hidden");
        assertThat(post.get("containment").get("jobId").asString()).isEqualTo(id);
        assertThat(post.get("containment").get("at").isNull()).isFalse();

        JsonNode again = Api.expect(202, responder.post("/api/v1/containments", hideWorkspace(false))).json();
        assertThat(again.get("status").asString()).as("nothing left to do: finished at once").isEqualTo("finished");
        assertThat(again.get("skipped").asInt()).isEqualTo(10);
        assertThat(again.get("done").asInt()).isEqualTo(10);

        String restoreId = Api.expect(202, responder.post("/api/v1/containments", "{\"action\":\"restore\",\"workspaceIds\":[\""
                + customer.workspace() + "\"],\"reason\":\"The key is rotated; posts are safe\"}")).text("id");
        JsonNode restored = ContainmentFixtures.awaitFinished(responder, restoreId, Duration.ofSeconds(30));
        assertThat(restored.get("done").asInt()).isEqualTo(10);
        assertThat(hiddenOnSandbox()).isZero();
        assertThat(Api.expect(200, customer.api().get("/api/v1/posts/" + postId)).json().get("containment").get("state").asString())
                .isEqualTo("restored");
    }

    @Test
    void the_cli_prints_a_dry_run_and_follows_a_job_until_it_is_finished() {
        String server = "http://127.0.0.1:" + port;
        int dry = dev.signalbox.cli.CliAccess.run("contain", "--server", server, "--token", responder.bearer(), "--action", "hide",
                "--workspace", customer.workspace(), "--reason", "leak", "--dry-run");
        assertThat(dry).isZero();
        assertThat(hiddenOnSandbox()).isZero();
        int waited = dev.signalbox.cli.CliAccess.run("contain", "--server", server, "--token", responder.bearer(), "--action", "hide",
                "--workspace", customer.workspace(), "--reason", "leak", "--wait");
        assertThat(waited).isZero();
        assertThat(hiddenOnSandbox()).isEqualTo(10);
        int refused = dev.signalbox.cli.CliAccess.run("contain", "--server", server, "--token", responder.bearer(), "--action", "hide",
                "--reason", "no selector");
        assertThat(refused).isEqualTo(2);
    }

    private int hiddenOnSandbox() {
        return sql.sql("""
                select count(*) from sandbox_statuses s join posts p on p.network_post_id = cast(s.id as text)
                join profiles pr on pr.id = p.profile_id where pr.workspace_id = :ws and s.hidden""")
                .param("ws", customer.workspace()).query(Integer.class).single();
    }

    private static List<String> fields(Api.Answer answer) {
        return answer.json().get("errors").valueStream().map(e -> e.get("field").asString()).toList();
    }
}
