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
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "400");
        // bench.pgStats=true: record every statement's time (pg_stat_statements) to see where the database spends it.
        // bench.explainSlowerThanMs=N as well: log the plan of every statement slower than N ms (auto_explain) in the PostgreSQL log.
        String explain = System.getProperty("bench.explainSlowerThanMs", "");
        if (pgStats()) builder.setServerConfig("shared_preload_libraries", explain.isBlank() ? "pg_stat_statements" : "pg_stat_statements,auto_explain");
        if (pgStats() && !explain.isBlank()) {
            builder.setServerConfig("auto_explain.log_min_duration", explain + "ms");
            builder.setServerConfig("auto_explain.log_nested_statements", "on");
        }
        EmbeddedPostgres server = builder.start();
        BenchDatabase database = new BenchDatabase(server);
        database.create(SIGNALBOX);
        database.create(DB_SCHEDULER);
        if (pgStats()) database.execute(SIGNALBOX, "create extension if not exists pg_stat_statements");
        return database;
    }

    static boolean pgStats() {
        return Boolean.parseBoolean(System.getProperty("bench.pgStats", "false"));
    }

    /** With bench.pgStats: the statements that took the most database time since the last reset, then resets. */
    String topStatements(int n) {
        if (!pgStats()) return "";
        StringBuilder out = new StringBuilder();
        try (Connection c = server.getDatabase("postgres", SIGNALBOX).getConnection(); Statement s = c.createStatement()) {
            try (var rs = s.executeQuery("""
                    select calls, round(total_exec_time)::bigint, round(mean_exec_time::numeric, 3), rows,
                           regexp_replace(left(query, 160), '\\s+', ' ', 'g')
                    from pg_stat_statements order by total_exec_time desc
                    """ + " limit " + n)) {
                while (rs.next()) {
                    out.append(String.format("%8d calls %8d ms total %8s ms mean %9d rows  %s%n",
                            rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getString(5)));
                }
            }
            s.execute("select pg_stat_statements_reset()");
        } catch (SQLException e) {
            return "pg_stat_statements unavailable: " + e.getMessage();
        }
        return out.toString();
    }

    /** Counters of the database's own upkeep: checkpoints, and autovacuum runs of the tables a burst writes. */
    record Maintenance(long checkpointsTimed, long checkpointsRequested, java.util.Map<String, Long> autovacuums) {

        /** What happened between {@code before} and this snapshot, e.g. "1 checkpoint (0 requested); autovacuum: posts 2". */
        String since(Maintenance before) {
            StringBuilder out = new StringBuilder();
            long checkpoints = checkpointsTimed + checkpointsRequested - before.checkpointsTimed - before.checkpointsRequested;
            out.append(checkpoints).append(checkpoints == 1 ? " checkpoint" : " checkpoints")
                    .append(" (").append(checkpointsRequested - before.checkpointsRequested).append(" requested by WAL volume); autovacuum runs:");
            int listed = 0;
            for (var table : autovacuums.entrySet()) {
                long runs = table.getValue() - before.autovacuums.getOrDefault(table.getKey(), 0L);
                if (runs > 0) {
                    out.append(listed++ == 0 ? " " : ", ").append(table.getKey()).append(' ').append(runs);
                }
            }
            if (listed == 0) out.append(" none");
            return out.toString();
        }
    }

    Maintenance maintenance() {
        long timed = 0;
        long requested = 0;
        java.util.Map<String, Long> autovacuums = new java.util.TreeMap<>();
        for (String database : new String[] {SIGNALBOX, DB_SCHEDULER}) {
            try (Connection c = server.getDatabase("postgres", database).getConnection(); Statement s = c.createStatement()) {
                if (database.equals(SIGNALBOX)) {
                    try (var rs = s.executeQuery("select checkpoints_timed, checkpoints_req from pg_stat_bgwriter")) {
                        rs.next();
                        timed = rs.getLong(1);
                        requested = rs.getLong(2);
                    }
                }
                try (var rs = s.executeQuery("""
                        select relname, autovacuum_count from pg_stat_user_tables
                        where relname in ('posts', 'post_attempts', 'sandbox_statuses', 'sandbox_idempotency_keys', 'scheduled_tasks')""")) {
                    while (rs.next()) autovacuums.merge(rs.getString(1), rs.getLong(2), Long::sum);
                }
            } catch (SQLException e) {
                // a database not created yet (db-scheduler's before the reference): nothing to count there
            }
        }
        return new Maintenance(timed, requested, autovacuums);
    }

    /** PostgreSQL's main process (the parent of every backend), for {@link CpuUse}; 0 when it cannot be found. */
    long postmasterPid() {
        try (Connection c = server.getDatabase("postgres", SIGNALBOX).getConnection(); Statement s = c.createStatement();
                var rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return CpuUse.parentOf(rs.getLong(1));
        } catch (SQLException | RuntimeException e) {
            return 0;
        }
    }

    /** VACUUM (ANALYZE) of one table, so that no autovacuum of rows just inserted falls in a measured window. */
    void vacuumAnalyze(String database, String table) {
        execute(database, "vacuum (analyze) " + table);
    }

    /**
     * A checkpoint now, before a measured burst: otherwise one requested by WAL volume (the warm-up and the
     * bulk insert write a lot of it) falls at a random moment, inside one side's measured window or the other's,
     * and that side pays for the writes and for a full page image on the first change of every page after it.
     */
    void checkpoint() {
        execute(SIGNALBOX, "checkpoint");
    }

    void resetStatements() {
        if (pgStats()) execute(SIGNALBOX, "select pg_stat_statements_reset()");
    }

    private void execute(String database, String sql) {
        try (Connection c = server.getDatabase("postgres", database).getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not run " + sql, e);
        }
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
