package dev.signalbox.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL for the whole test JVM, like the app's own default. Its time zone is
 * forced to Pacific/Chatham (+12:45/+13:45) so that any code mixing local and UTC time shows up,
 * as db-scheduler's tests do. Tests that must not see each other's rows take a fresh database.
 */
public final class TestPostgres {

    public static final String ODD_TIME_ZONE = "Pacific/Chatham";
    private static final AtomicInteger databases = new AtomicInteger();
    private static volatile EmbeddedPostgres server;

    private TestPostgres() {}

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder()
                        .setServerConfig("timezone", ODD_TIME_ZONE)
                        .setServerConfig("max_connections", "400")
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
        }
        return server;
    }

    /** The database shared by tests that keep to their own workspaces. */
    public static String sharedUrl() {
        return server().getJdbcUrl("postgres", "postgres");
    }

    /** A new, empty database: for tests that count everything in a table. */
    public static String freshDatabaseUrl() {
        String name = "t" + databases.incrementAndGet() + "_" + ProcessHandle.current().pid();
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create test database " + name, e);
        }
        return server().getJdbcUrl("postgres", name);
    }
}
