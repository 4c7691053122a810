package dev.signalbox.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/** What the sandbox network itself saw: the judge of "exactly once" and "in order" in multi-node tests. */
public final class NetworkSide {

    private NetworkSide() {}

    public static void awaitAllPublished(JdbcClient sql, int expected, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        int published = 0;
        while (Instant.now().isBefore(deadline)) {
            published = sql.sql("select count(*) from posts where status = 'published'").query(Integer.class).single();
            if (published == expected) return;
            Thread.sleep(200);
        }
        List<String> stuck = sql.sql("select status || ' ' || count(*) from posts group by status").query(String.class).list();
        throw new AssertionError("only " + published + " of " + expected + " published in " + timeout + ": " + stuck);
    }

    /** One status per post on the network, and per profile in the order of the queue. */
    public static void assertExactlyOnceAndInOrder(JdbcClient sql, int expected) {
        List<String> duplicates = sql.sql("select idempotency_key from sandbox_statuses group by idempotency_key having count(*) > 1")
                .query(String.class).list();
        assertThat(duplicates).as("posts that reached the network twice").isEmpty();
        assertThat(sql.sql("select count(*) from sandbox_statuses").query(Integer.class).single()).as("statuses on the network").isEqualTo(expected);
        assertThat(sql.sql("select count(distinct idempotency_key) from sandbox_statuses").query(Integer.class).single()).isEqualTo(expected);
        List<String> outOfOrder = sql.sql("""
                select p.profile_id from posts p join sandbox_statuses s on s.idempotency_key = p.id
                group by p.profile_id
                having array_agg(p.id order by p.due_at, p.seq) <> array_agg(p.id order by s.id)""")
                .query(String.class).list();
        assertThat(outOfOrder).as("profiles whose posts arrived out of order").isEmpty();
        List<String> mismatched = sql.sql("""
                select p.id from posts p left join sandbox_statuses s on s.idempotency_key = p.id
                where s.id is null or p.network_post_id <> cast(s.id as text)""").query(String.class).list();
        assertThat(mismatched).as("posts whose recorded network id is not the status the network holds").isEmpty();
    }

    /** Posts due at one instant, {@code perProfile} on each profile, in a known order per profile. */
    public static void insertPostsDue(JdbcClient sql, List<String> profiles, int perProfile, Instant due) {
        sql.sql("""
                insert into posts (id, profile_id, text, status, due_at, created_at, updated_at)
                select 'pst_' || p.ord || '_' || n, p.id, 'post ' || n || ' of ' || p.id, 'scheduled', :due, now(), now()
                from unnest(cast(:profiles as text[])) with ordinality as p(id, ord)
                cross join generate_series(1, :per) as n
                order by n, p.ord""")
                .param("profiles", profiles.toArray(String[]::new)).param("per", perProfile)
                .param("due", java.sql.Timestamp.from(due))
                .update();
    }

    public static List<String> connectSandboxProfiles(Api node, String workspaceName, int count) {
        Api owner = node.newCustomer("Owner");
        String workspace = owner.createWorkspace(workspaceName);
        String prefix = "n" + java.util.UUID.randomUUID().toString().substring(0, 6) + "_";
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) ids.add(owner.connectSandbox(workspace, prefix + i));
        return ids;
    }
}
