package dev.signalbox.incidents.containment;

import dev.signalbox.testing.Api;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Operators, sandbox profiles and already-published posts for the containment tests. */
final class ContainmentFixtures {

    private ContainmentFixtures() {}

    /** A signed-in user holding {@code role} (none: a customer). Roles are read per request, so they are set after sign-in. */
    static Api operator(Api anonymous, JdbcClient sql, String role) {
        String email = "op-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Api.expect(201, anonymous.post("/api/v1/users", "{\"email\":\"" + email + "\",\"password\":\"correct-horse-battery\",\"name\":\"Op\"}"));
        String token = Api.expect(201, anonymous.post("/api/v1/auth/token",
                "{\"email\":\"" + email + "\",\"password\":\"correct-horse-battery\"}")).text("token");
        if (role != null) {
            sql.sql("update users set operator_roles = cast(:roles as text[]) where lower(email) = lower(:e)")
                    .param("roles", new String[] {role}).param("e", email).update();
        }
        return anonymous.as(token);
    }

    record Customer(Api api, String workspace, List<String> profiles) {}

    static Customer customerWithSandboxProfiles(Api node, int count) {
        Api owner = node.newCustomer("Owner");
        String workspace = owner.createWorkspace("Containment");
        String prefix = "k" + UUID.randomUUID().toString().substring(0, 6) + "_";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) ids.add(owner.connectSandbox(workspace, prefix + i));
        return new Customer(owner, workspace, ids);
    }

    /**
     * {@code perProfile} posts on each profile that are already out: a live status on the sandbox
     * network, and the post row published with that status's id — what the dispatcher would
     * have left, made in two statements instead of thousands of calls.
     */
    static void publishedPosts(JdbcClient sql, List<String> profiles, int perProfile) {
        sql.sql("""
                with st as (
                    insert into sandbox_statuses (account_id, text, visibility, idempotency_key, created_at, received_at)
                    select cast(p.network_account_id as bigint), 'post ' || n || ' of ' || p.id, 'public', 'pst_' || p.id || '_' || n, now(), now()
                    from profiles p cross join generate_series(1, :per) n
                    where p.id = any (cast(:profiles as text[]))
                    returning id, account_id, idempotency_key
                )
                insert into posts (id, profile_id, text, status, due_at, published_at, network_post_id, attempts, created_at, updated_at)
                select st.idempotency_key, p.id, 'post', 'published', now() - interval '1 hour', now() - interval '1 hour',
                       cast(st.id as text), 1, now(), now()
                from st join profiles p on cast(p.network_account_id as bigint) = st.account_id and p.id = any (cast(:profiles as text[]))""")
                .param("profiles", profiles.toArray(String[]::new)).param("per", perProfile).update();
    }

    /** Counts, on the sandbox's side, every hide or unhide that reached a status (a 429 never does). */
    static void countHideCalls(JdbcClient sql) {
        sql.sql("create table if not exists test_hide_calls (status_id bigint not null, hidden boolean not null)").update();
        sql.sql("""
                create or replace function test_count_hide() returns trigger language plpgsql as $$
                begin insert into test_hide_calls values (new.id, new.hidden); return new; end $$""").update();
        sql.sql("drop trigger if exists test_count_hide on sandbox_statuses").update();
        sql.sql("create trigger test_count_hide after update of hidden on sandbox_statuses for each row execute function test_count_hide()").update();
    }

    static JsonNode awaitFinished(Api operator, String id, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        JsonNode job = null;
        while (Instant.now().isBefore(deadline)) {
            job = Api.expect(200, operator.get("/api/v1/containments/" + id)).json();
            if (job.get("status").asString().equals("finished")) return job;
            Thread.sleep(100);
        }
        throw new AssertionError("containment " + id + " did not finish in " + timeout + ": " + job);
    }
}
