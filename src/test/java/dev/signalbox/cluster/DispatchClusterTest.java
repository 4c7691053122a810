package dev.signalbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.Api;
import dev.signalbox.testing.ChildNode;
import dev.signalbox.testing.NetworkSide;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Several Signalbox nodes on one PostgreSQL, publishing to the sandbox network. The network's
 * side is the judge: every post arrives exactly once, and each profile's posts arrive in order.
 */
class DispatchClusterTest {

    @Test
    void three_nodes_publish_ten_thousand_posts_each_exactly_once_in_order_per_profile() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        Map<String, String> dispatch = Map.of("signalbox.dispatch.concurrency", "48", "signalbox.dispatch.poll-interval-ms", "50");
        try (Node a = Node.start(db, dispatch); Node b = Node.start(db, dispatch); Node c = Node.start(db, dispatch)) {
            JdbcClient sql = a.bean(JdbcClient.class);
            List<String> profiles = connectProfiles(a.api(), 100);

            insertPostsDueSoon(sql, profiles, 100, Duration.ofSeconds(2));

            awaitAllPublished(sql, 10_000, Duration.ofMinutes(3));
            assertExactlyOnceAndInOrder(sql, 10_000);
            List<String> nodes = sql.sql("select distinct node from post_attempts").query(String.class).list();
            assertThat(nodes).as("every node took part").hasSize(3);
        }
    }

    @Test
    void posts_due_at_one_instant_go_out_in_the_order_they_were_scheduled_never_more_at_once_than_the_concurrency() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        // Fewer calls in flight than profiles: which profile goes next is the claim's choice.
        Map<String, String> dispatch = Map.of("signalbox.dispatch.concurrency", "3", "signalbox.dispatch.poll-interval-ms", "50",
                "signalbox.sandbox.latency-ms", "20");
        try (Node a = Node.start(db, dispatch)) {
            JdbcClient sql = a.bean(JdbcClient.class);
            List<String> profiles = connectProfiles(a.api(), 12);
            insertPostsDueSoon(sql, profiles, 8, Duration.ofSeconds(1)); // round by round: every profile's 1st, then every 2nd, …

            awaitAllPublished(sql, 96, Duration.ofMinutes(1));

            List<String> arrivals = sql.sql("""
                    select p.profile_id from sandbox_statuses s join posts p on p.id = s.idempotency_key
                    order by s.received_at, s.id""").query(String.class).list();
            assertThat(arrivals).hasSize(96);
            Map<String, Integer> sent = new java.util.HashMap<>();
            profiles.forEach(p -> sent.put(p, 0));
            int widestGap = 0;
            for (String profile : arrivals) {
                sent.merge(profile, 1, Integer::sum);
                widestGap = Math.max(widestGap, java.util.Collections.max(sent.values()) - java.util.Collections.min(sent.values()));
            }

            // The network never had more calls from this node at once than its concurrency, although a slot is
            // freed when the network answers, before the outcome is recorded: each call's time at the sandbox
            // (arrival → status made) lies within the time its slot was taken.
            List<long[]> calls = sql.sql("""
                    select (extract(epoch from received_at) * 1000000)::bigint, (extract(epoch from created_at) * 1000000)::bigint
                    from sandbox_statuses""").query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).list();
            int most = 0;
            for (long[] call : calls) {
                int atOnce = (int) calls.stream().filter(other -> other[0] <= call[0] && call[0] < other[1]).count();
                most = Math.max(most, atOnce);
            }
            assertThat(most).as("calls at the network at once, with signalbox.dispatch.concurrency=3").isBetween(2, 3);
            assertThat(widestGap).as("how far the most-published profile got ahead of the least-published one, in posts")
                    .isLessThanOrEqualTo(2);
        }
    }

    @Test
    void posts_claimed_by_a_node_that_dies_mid_batch_are_published_by_the_others_none_twice() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        // The sandbox lives on a node that stays up; every 'create' takes 300 ms there, so the
        // doomed node always has calls in flight when it is killed.
        try (Node sandboxHost = Node.start(db, Map.of("signalbox.dispatch.enabled", "false", "signalbox.sandbox.latency-ms", "300"))) {
            JdbcClient sql = sandboxHost.bean(JdbcClient.class);
            List<String> profiles = connectProfiles(sandboxHost.api(), 40);
            insertPostsDueSoon(sql, profiles, 15, Duration.ZERO);
            String sandboxUrl = "http://127.0.0.1:" + sandboxHost.port() + "/sandbox";

            ChildNode doomed = ChildNode.start(db, Map.of("signalbox.node-id", "doomed", "signalbox.dispatch.lease-seconds", "3",
                    "signalbox.dispatch.concurrency", "40", "signalbox.sandbox.url", sandboxUrl, "signalbox.dispatch.enabled", "true"));
            awaitCount(sql, "select count(*) from sandbox_statuses", 80, Duration.ofSeconds(90), doomed);
            // Kill it while calls it sent are inside the sandbox's 300 ms: a claim 150–280 ms old has had
            // its request sent and not yet answered, so the idempotency key is what keeps its retry single.
            awaitCount(sql, """
                    select count(*) from post_attempts where node = 'doomed' and finished_at is null
                    and started_at between now() - interval '280 milliseconds' and now() - interval '150 milliseconds'""",
                    1, Duration.ofSeconds(30), doomed);
            doomed.kill();
            Instant killedAt = Instant.now();
            int inFlightAtDeath = sql.sql("select count(*) from posts where status = 'publishing' and claimed_by = 'doomed'")
                    .query(Integer.class).single();
            assertThat(inFlightAtDeath).as("the node died with claims in flight").isPositive();

            Map<String, String> survivor = Map.of("signalbox.dispatch.lease-seconds", "3", "signalbox.sandbox.url", sandboxUrl,
                    "signalbox.dispatch.poll-interval-ms", "50");
            try (Node b = Node.start(db, survivor); Node c = Node.start(db, survivor)) {
                awaitAllPublished(sql, 600, Duration.ofMinutes(2));
            }

            assertExactlyOnceAndInOrder(sql, 600);
            int takenOver = sql.sql("""
                    select count(distinct a.post_id) from post_attempts a
                    where a.node = 'doomed' and a.finished_at is null
                      and exists (select 1 from post_attempts b where b.post_id = a.post_id and b.node <> 'doomed' and b.finished_at is not null)""")
                    .query(Integer.class).single();
            assertThat(takenOver).as("posts the dead node had claimed were finished by others").isEqualTo(inFlightAtDeath);
            int arrivedBeforeDeathButUnrecorded = sql.sql("""
                    select count(*) from post_attempts a join sandbox_statuses s on s.idempotency_key = a.post_id
                    where a.node = 'doomed' and a.finished_at is null and s.received_at < :killed""")
                    .param("killed", java.sql.Timestamp.from(killedAt)).query(Integer.class).single();
            assertThat(arrivedBeforeDeathButUnrecorded)
                    .as("some calls reached the network before the node died; the retry's idempotency key kept them single")
                    .isPositive();
        }
    }

    static List<String> connectProfiles(Api node, int count) {
        return NetworkSide.connectSandboxProfiles(node, "Cluster", count);
    }

    static void insertPostsDueSoon(JdbcClient sql, List<String> profiles, int perProfile, Duration delay) {
        NetworkSide.insertPostsDue(sql, profiles, perProfile, Instant.now().plus(delay));
    }

    static void awaitAllPublished(JdbcClient sql, int expected, Duration timeout) throws InterruptedException {
        NetworkSide.awaitAllPublished(sql, expected, timeout);
    }

    static void awaitCount(JdbcClient sql, String query, int atLeast, Duration timeout, ChildNode child) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!child.isAlive()) throw new AssertionError("the child node exited early:\n" + child.log());
            if (sql.sql(query).query(Integer.class).single() >= atLeast) return;
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + query + " >= " + atLeast + "\n" + child.log());
    }

    static void assertExactlyOnceAndInOrder(JdbcClient sql, int expected) {
        NetworkSide.assertExactlyOnceAndInOrder(sql, expected);
    }
}
