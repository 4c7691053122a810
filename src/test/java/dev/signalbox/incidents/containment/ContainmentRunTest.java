package dev.signalbox.incidents.containment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.Api;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * 5,000 published sandbox posts hidden under the sandbox's rate limit, with the working node
 * closed mid-job and another one finishing it. The sandbox's side is the judge: every status
 * hidden, each by exactly one call.
 */
class ContainmentRunTest {

    static final int PROFILES = 5;
    static final int PER_PROFILE = 1_000;
    /** Calls per window per sandbox account; measure other limits with -Dcontainment.limit=300. */
    static final int LIMIT = Integer.getInteger("containment.limit", 100);
    static final int WINDOW_SECONDS = 5;

    @Test
    void five_thousand_posts_are_hidden_within_the_rate_limit_and_a_restart_repeats_no_finished_item() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        // The sandbox lives on a node that does no containment work and stays up; workers come and go.
        try (Node sandboxHost = Node.start(db, Map.of("signalbox.dispatch.enabled", "false", "signalbox.containment.enabled", "false",
                "signalbox.sandbox.rate-limit", String.valueOf(LIMIT), "signalbox.sandbox.rate-window-seconds", String.valueOf(WINDOW_SECONDS)))) {
            JdbcClient sql = sandboxHost.bean(JdbcClient.class);
            ContainmentFixtures.Customer customer = ContainmentFixtures.customerWithSandboxProfiles(sandboxHost.api(), PROFILES);
            ContainmentFixtures.publishedPosts(sql, customer.profiles(), PER_PROFILE);
            ContainmentFixtures.countHideCalls(sql);
            Thread.sleep(WINDOW_SECONDS * 1000L); // let the windows the connects used pass

            Map<String, String> worker = Map.of("signalbox.dispatch.enabled", "false", "signalbox.containment.lease-seconds", "5",
                    "signalbox.containment.poll-interval-ms", "100");
            Map<String, String> first = new HashMap<>(worker);
            first.put("signalbox.node-id", "first");
            Node a = Node.start(db, first);
            Api responder = ContainmentFixtures.operator(a.api(), sql, "responder");
            Instant started = Instant.now();
            JsonNode job = Api.expect(202, responder.post("/api/v1/containments", "{\"action\":\"hide\",\"network\":\"sandbox\",\"workspaceIds\":[\""
                    + customer.workspace() + "\"],\"reason\":\"Posts leaked through a stolen app key\"}")).json();
            String id = job.get("id").asString();
            assertThat(job.get("total").asInt()).isEqualTo(PROFILES * PER_PROFILE);

            awaitDone(responder, id, 1_500);
            a.close();
            Instant closedAt = Instant.now();
            int doneByFirst = done(sql, id);

            Map<String, String> second = new HashMap<>(worker);
            second.put("signalbox.node-id", "second");
            try (Node b = Node.start(db, second)) {
                Instant resumedAt = Instant.now();
                JsonNode finished = ContainmentFixtures.awaitFinished(new Api("http://127.0.0.1:" + b.port(), responder.bearer()), id, Duration.ofMinutes(3));
                Instant end = Instant.now();

                assertThat(finished.get("done").asInt()).isEqualTo(PROFILES * PER_PROFILE);
                assertThat(finished.get("failed").asInt()).isZero();
                int hidden = sql.sql("""
                        select count(*) from sandbox_statuses s join posts p on p.network_post_id = cast(s.id as text)
                        join profiles pr on pr.id = p.profile_id where pr.workspace_id = :ws and s.hidden""")
                        .param("ws", customer.workspace()).query(Integer.class).single();
                assertThat(hidden).as("statuses hidden on the network").isEqualTo(PROFILES * PER_PROFILE);
                List<Long> twice = sql.sql("select status_id from test_hide_calls group by status_id having count(*) > 1")
                        .query(Long.class).list();
                assertThat(twice).as("statuses hidden by more than one call").isEmpty();
                assertThat(sql.sql("select count(*) from test_hide_calls").query(Integer.class).single()).isEqualTo(PROFILES * PER_PROFILE);

                long waits = finished.get("rateLimitWaits").asLong();
                double seconds = Duration.between(started, end).toMillis() / 1000.0;
                double allowedPerSecond = PROFILES * (double) LIMIT / WINDOW_SECONDS;
                double secondPhase = Duration.between(resumedAt, end).toMillis() / 1000.0;
                int doneBySecond = PROFILES * PER_PROFILE - doneByFirst;
                double utilisation = fullWindowUtilisation(sql, id, closedAt);
                System.out.printf("""
                        CONTAINMENT BENCHMARK: %d posts on %d profiles, sandbox limit %d per %d s per account (%.0f calls/s allowed in all)
                          first node: %d items before it was closed; second node resumed %d ms after the close
                          second node: %d items in %.1f s = %.0f /s
                          overall: %.1f s wall clock incl. restart = %.0f /s; 429s: %d of %d calls (%.2f%%)
                          calls per profile in each full window: %.1f%% of the limit
                        """,
                        PROFILES * PER_PROFILE, PROFILES, LIMIT, WINDOW_SECONDS, allowedPerSecond,
                        doneByFirst, Duration.between(closedAt, resumedAt).toMillis(),
                        doneBySecond, secondPhase, doneBySecond / secondPhase,
                        seconds, PROFILES * PER_PROFILE / seconds, waits, PROFILES * PER_PROFILE + waits,
                        100.0 * waits / (PROFILES * PER_PROFILE + waits), utilisation * 100);
                assertThat(waits).as("429s are rare: under 1% of calls").isLessThan(PROFILES * PER_PROFILE / 100);
                assertThat(utilisation).as("share of each profile's budget used in the full windows").isGreaterThanOrEqualTo(0.9);
            }
        }
    }

    /**
     * Calls per profile in each rate-limit window, as a share of the limit; per node, the first
     * and last (partial) window of each profile are left out, and so is the restart between.
     */
    private static double fullWindowUtilisation(JdbcClient sql, String id, Instant closedAt) {
        return sql.sql("""
                with per_window as (
                    select profile_id, finished_at < :closed as first_node,
                           floor(extract(epoch from finished_at) / :w) as window_no, count(*) as calls
                    from containment_items where job_id = :id and state = 'done' group by 1, 2, 3
                ), bounds as (
                    select profile_id, first_node, min(window_no) as first_no, max(window_no) as last_no from per_window group by 1, 2
                )
                select coalesce(avg(calls), 0) from per_window w join bounds b using (profile_id, first_node)
                where w.window_no > b.first_no and w.window_no < b.last_no""")
                .param("w", WINDOW_SECONDS).param("id", id).param("closed", java.sql.Timestamp.from(closedAt))
                .query(Double.class).single() / LIMIT;
    }

    private static int done(JdbcClient sql, String id) {
        return sql.sql("select count(*) from containment_items where job_id = :id and state = 'done'").param("id", id)
                .query(Integer.class).single();
    }

    private static void awaitDone(Api operator, String id, int atLeast) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            if (Api.expect(200, operator.get("/api/v1/containments/" + id)).json().get("done").asInt() >= atLeast) return;
            Thread.sleep(100);
        }
        throw new AssertionError("containment " + id + " did not reach " + atLeast + " done");
    }
}
