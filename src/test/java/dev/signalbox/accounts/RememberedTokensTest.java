package dev.signalbox.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.platform.PgNotifications;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.NotificationStall;
import dev.signalbox.testing.SettableClock;
import dev.signalbox.testing.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Each node remembers the bearer tokens it has resolved. A token deleted, or an operator's role removed,
 * even by hand in the database, must stop working on every node, at once once the node has heard of it;
 * a node that may not have heard must ask the database again. Two nodes share one database and one clock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RememberedTokensTest {

    static final String PASSWORD = "correct-horse-battery";
    /**
     * Far above the time a node takes to read a notification (tens of ms, more on a busy test machine), far below
     * any other way the token could be refused (it is valid for 30 days).
     */
    static final Duration HEARD_WITHIN = Duration.ofSeconds(5);

    final SettableClock clock = new SettableClock();
    Node a;
    Node b;
    JdbcClient db;

    @BeforeAll
    void start() {
        String url = TestPostgres.freshDatabaseUrl();
        Map<String, String> settings = Map.of("signalbox.dispatch.enabled", "false");
        a = Node.start(url, settings, clock);
        b = Node.start(url, settings, clock);
        db = a.bean(JdbcClient.class);
    }

    @AfterAll
    void stop() {
        if (b != null) b.close();
        if (a != null) a.close();
    }

    @Test
    void a_token_deleted_by_hand_in_the_database_is_refused_on_every_node() {
        String token = customerToken();
        // both nodes have resolved it, and remember it
        for (Node node : List.of(a, b)) assertThat(node.api().as(token).get("/api/v1/workspaces").status()).isEqualTo(200);

        db.sql("delete from api_tokens where token_hash = :h").param("h", ApiTokens.hash(token)).update();

        for (Node node : List.of(a, b)) {
            awaitStatus(node.api().as(token), "/api/v1/workspaces", 401);
            assertThat(node.api().as(token).get("/api/v1/workspaces").status()).as("and stays refused").isEqualTo(401);
        }
    }

    @Test
    void an_operator_whose_role_is_removed_by_hand_can_no_longer_halt_on_any_node() {
        String email = "responder-" + UUID.randomUUID() + "@example.com";
        a.bean(Users.class).createOperator(email, PASSWORD, "Responder", List.of(Operators.RESPONDER));
        String token = token(email);
        // the audit log is for admins and responders, not support: both nodes remember this operator as a responder
        for (Node node : List.of(a, b)) assertThat(node.api().as(token).get("/api/v1/audit").status()).isEqualTo(200);

        db.sql("update users set operator_roles = '{support}' where lower(email) = lower(:e)").param("e", email).update();

        for (Node node : List.of(a, b)) {
            awaitStatus(node.api().as(token), "/api/v1/audit", 403);
            Api.Answer placed = node.api().as(token).post("/api/v1/halts", "{\"scope\":\"global\",\"reason\":\"must be refused\"}");
            assertThat(placed.status()).as("a support operator may not halt: " + placed.body()).isEqualTo(403);
            assertThat(node.api().as(token).get("/api/v1/halts").status()).as("but may look").isEqualTo(200);
        }
        assertThat(db.sql("select count(*) from halts").query(Long.class).single()).isZero();
    }

    @Test
    void a_node_that_may_not_have_heard_asks_the_database_again() {
        String token = customerToken();
        Api onB = b.api().as(token);
        CountDownLatch resume = NotificationStall.hold(b.bean(PgNotifications.class), db, ApiTokens.CHANGED);
        try {
            assertThat(onB.get("/api/v1/workspaces").status()).isEqualTo(200); // b remembers it now
            db.sql("delete from api_tokens where token_hash = :h").param("h", ApiTokens.hash(token)).update();
            // b has not read the change, and has not read anything for longer than it trusts
            assertThat(onB.get("/api/v1/workspaces").status()).as("refused at once, though b has not heard yet").isEqualTo(401);
        } finally {
            resume.countDown();
        }
        assertThat(onB.get("/api/v1/workspaces").status()).isEqualTo(401);
    }

    @Test
    void a_node_that_lost_its_listening_connection_does_not_trust_what_it_remembered_before() {
        String token = customerToken();
        Api onB = b.api().as(token);
        assertThat(onB.get("/api/v1/workspaces").status()).isEqualTo(200);
        // the nodes' listening connections end (a restarted PostgreSQL, a network blip); the token is deleted
        // meanwhile, and its notification reaches nobody
        List<Integer> listening = listeningBackends();
        assertThat(listening).as("both nodes listen").hasSizeGreaterThanOrEqualTo(2);
        for (int pid : listening) db.sql("select pg_terminate_backend(:pid)").param("pid", pid).query((rs, n) -> 1).single();
        sleep(200);
        db.sql("delete from api_tokens where token_hash = :h").param("h", ApiTokens.hash(token)).update();
        Instant deadline = Instant.now().plusSeconds(10);
        while (listeningBackends().size() < listening.size() && Instant.now().isBefore(deadline)) sleep(50);
        assertThat(listeningBackends()).as("the nodes listen again").hasSameSizeAs(listening);
        sleep(100);

        assertThat(onB.get("/api/v1/workspaces").status()).as("refused, though b never heard of the deletion").isEqualTo(401);
    }

    private List<Integer> listeningBackends() {
        return db.sql("select pid from pg_stat_activity where datname = current_database() and query like 'listen %'")
                .query(Integer.class).list();
    }

    @Test
    void a_remembered_token_expires_on_time() {
        String token = customerToken();
        Api onA = a.api().as(token);
        assertThat(onA.get("/api/v1/workspaces").status()).isEqualTo(200);
        Instant expires = db.sql("select expires_at from api_tokens where token_hash = :h").param("h", ApiTokens.hash(token))
                .query(java.time.OffsetDateTime.class).single().toInstant();
        clock.advance(Duration.between(clock.instant(), expires).plusSeconds(1));
        assertThat(onA.get("/api/v1/workspaces").status()).isEqualTo(401);
    }

    private String customerToken() {
        String email = "customer-" + UUID.randomUUID() + "@example.com";
        Api.expect(201, a.api().post("/api/v1/users",
                "{\"email\":" + Api.quote(email) + ",\"password\":\"" + PASSWORD + "\",\"name\":\"Customer\"}"));
        return token(email);
    }

    private String token(String email) {
        return Api.expect(201, a.api().post("/api/v1/auth/token",
                "{\"email\":" + Api.quote(email) + ",\"password\":\"" + PASSWORD + "\"}")).text("token");
    }

    /** Asks until the answer has {@code status}, for at most {@link #HEARD_WITHIN}; fails if it never does. */
    private static Api.Answer awaitStatus(Api api, String path, int status) {
        Instant deadline = Instant.now().plus(HEARD_WITHIN);
        Api.Answer answer = api.get(path);
        while (answer.status() != status && Instant.now().isBefore(deadline)) {
            sleep(20);
            answer = api.get(path);
        }
        assertThat(answer.status()).as(path + " within " + HEARD_WITHIN.toMillis() + " ms: " + answer.body()).isEqualTo(status);
        return answer;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
