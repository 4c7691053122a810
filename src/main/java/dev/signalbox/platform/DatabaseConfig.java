package dev.signalbox.platform;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one PostgreSQL every node shares. With {@code signalbox.database.url} set it is that
 * server; otherwise Signalbox starts its own PostgreSQL with data under
 * {@code signalbox.data-dir}/postgres, kept across restarts.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfig {

    private static final Logger log = LoggerFactory.getLogger(DatabaseConfig.class);

    @Bean(destroyMethod = "close")
    DataSource dataSource(
            @Value("${signalbox.database.url:}") String url,
            @Value("${signalbox.database.user:}") String user,
            @Value("${signalbox.database.password:}") String password,
            @Value("${signalbox.database.pool-size:40}") int poolSize,
            DataDirectory dataDirectory) {
        HikariConfig hikari = new HikariConfig();
        hikari.setMaximumPoolSize(poolSize);
        hikari.setPoolName("signalbox");
        if (!url.isBlank()) {
            hikari.setJdbcUrl(url);
            hikari.setUsername(user);
            hikari.setPassword(password);
            return new HikariDataSource(hikari);
        }
        EmbeddedPostgres postgres = startEmbedded(dataDirectory.path().resolve("postgres"));
        hikari.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        hikari.setUsername("postgres");
        return new EmbeddedDataSource(hikari, postgres);
    }

    private static EmbeddedPostgres startEmbedded(Path dir) {
        try {
            Files.createDirectories(dir);
            log.info("Starting the embedded PostgreSQL with data in {}", dir.toAbsolutePath());
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("max_connections", "300")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dir
                    + " (is another Signalbox using this data folder? set SIGNALBOX_DATA_DIR)", e);
        }
    }

    /** A pool that also stops the embedded server it talks to. */
    static final class EmbeddedDataSource extends HikariDataSource {
        private final EmbeddedPostgres postgres;

        EmbeddedDataSource(HikariConfig config, EmbeddedPostgres postgres) {
            super(config);
            this.postgres = postgres;
        }

        @Override
        public void close() {
            super.close();
            try {
                postgres.close();
            } catch (IOException e) {
                log.warn("The embedded PostgreSQL did not stop cleanly", e);
            }
        }
    }
}
