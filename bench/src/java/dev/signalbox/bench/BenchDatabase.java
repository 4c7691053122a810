package dev.signalbox.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The one embedded PostgreSQL of a run, configured like Signalbox's own embedded default
 * (durable commits; only max_connections raised). The app and the db-scheduler reference each
 * get their own database in it.
 */
final class BenchDatabase implements AutoCloseable {

    static final String SIGNALBOX = "signalbox";
    static final String DB_SCHEDULER = "dbscheduler";

    private final EmbeddedPostgres server;

    private BenchDatabase(EmbeddedPostgres server) {
        this.server = server;
    }

    static BenchDatabase start() throws IOException {
        EmbeddedPostgres server = EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "400")
                .start();
        BenchDatabase database = new BenchDatabase(server);
        database.create(SIGNALBOX);
        database.create(DB_SCHEDULER);
        return database;
    }

    String url(String database) {
        return server.getJdbcUrl("postgres", database);
    }

    /** A small pool for the harness's own queries; callers close it. */
    HikariDataSource pool(String database, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url(database));
        config.setUsername("postgres");
        config.setMaximumPoolSize(size);
        config.setPoolName("bench-" + database);
        return new HikariDataSource(config);
    }

    static JdbcClient client(HikariDataSource pool) {
        return JdbcClient.create(pool);
    }

    private void create(String name) {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the benchmark database " + name, e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
