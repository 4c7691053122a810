package dev.signalbox.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A node's listening connection can end under it (a restarted PostgreSQL, a network blip, an operator's
 * pg_terminate_backend). The node listens again on a new connection, and the dead one must not go back into
 * the pool, where the next piece of work to borrow it, a customer's request, would fail.
 */
class LostListeningConnectionTest {

    @Test
    void the_work_that_follows_a_lost_listening_connection_gets_a_live_connection() throws Exception {
        try (Node node = Node.start(TestPostgres.freshDatabaseUrl(), Map.of("signalbox.dispatch.enabled", "false"))) {
            PgNotifications notifications = node.bean(PgNotifications.class);
            HikariDataSource pool = (HikariDataSource) node.bean(javax.sql.DataSource.class);
            JdbcClient db = node.bean(JdbcClient.class);
            awaitCaughtUp(notifications);
            long session = notifications.listeningSession();

            List<Integer> listening = db.sql("select pid from pg_stat_activity where datname = current_database() and query like 'listen %'")
                    .query(Integer.class).list();
            assertThat(listening).as("the node listens on one connection").hasSize(1);
            db.sql("select pg_terminate_backend(:pid)").param("pid", listening.getFirst()).query((rs, n) -> 1).single();
            Instant deadline = Instant.now().plusSeconds(5);
            while (notifications.listening() && Instant.now().isBefore(deadline)) Thread.sleep(1);
            assertThat(notifications.listening()).as("the node noticed its listening connection is gone").isFalse();

            // at once, before the node listens again: every connection the pool hands out works
            List<Connection> borrowed = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            try {
                while (pool.getHikariPoolMXBean().getIdleConnections() > 0) {
                    Connection connection = pool.getConnection();
                    borrowed.add(connection);
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("select 1");
                    } catch (SQLException e) {
                        failures.add(e.getMessage());
                    }
                }
            } finally {
                for (Connection connection : borrowed) connection.close();
            }
            assertThat(borrowed).as("the pool had idle connections to hand out").isNotEmpty();
            assertThat(failures).as("connections that failed, of " + borrowed.size() + " borrowed").isEmpty();

            deadline = Instant.now().plusSeconds(10);
            while (notifications.listeningSession() == session && Instant.now().isBefore(deadline)) Thread.sleep(20);
            assertThat(notifications.listeningSession()).as("the node listens again").isGreaterThan(session);
        }
    }

    private static void awaitCaughtUp(PgNotifications notifications) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        while (!notifications.caughtUp() && Instant.now().isBefore(deadline)) Thread.sleep(20);
        assertThat(notifications.caughtUp()).as("the node listens").isTrue();
    }
}
