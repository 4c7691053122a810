package dev.signalbox.networks;

import dev.signalbox.vault.TokenVault;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Signalbox's own app registration on each instance (client id and sealed secret), cached in the database. */
@Component
class NetworkApps {

    record App(String clientId, String clientSecret, String redirectUri) {
        @Override
        public String toString() {
            return "App[clientId=" + clientId + ", redirectUri=" + redirectUri + "]";
        }
    }

    private final JdbcClient db;
    private final TokenVault vault;
    private final Clock clock;

    NetworkApps(JdbcClient db, TokenVault vault, Clock clock) {
        this.db = db;
        this.vault = vault;
        this.clock = clock;
    }

    Optional<App> find(String instance) {
        return db.sql("select client_id, client_secret, redirect_uri from network_apps where instance_url = :i")
                .param("i", instance)
                .query((rs, n) -> new App(rs.getString(1), vault.open(rs.getString(2), "network_apps:" + instance), rs.getString(3)))
                .optional();
    }

    /** Keeps the first registration stored for an instance; a node that lost the race uses the winner's. */
    App save(String instance, App app) {
        db.sql("""
                insert into network_apps (instance_url, client_id, client_secret, redirect_uri, created_at)
                values (:i, :id, :secret, :redirect, :now) on conflict (instance_url) do nothing""")
                .param("i", instance).param("id", app.clientId())
                .param("secret", vault.seal(app.clientSecret(), "network_apps:" + instance))
                .param("redirect", app.redirectUri()).param("now", OffsetDateTime.now(clock))
                .update();
        return find(instance).orElseThrow(() -> new IllegalStateException("app registration for " + instance + " vanished"));
    }
}
