package dev.signalbox.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.cli.CliAccess;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/** What a thief who copies the whole database gets: no token, no secret, in any table. */
class SecretsAtRestTest {

    @Test
    void a_dump_of_every_table_contains_no_token_or_secret_in_clear() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        try (Node node = Node.start(db, Map.of())) {
            Api owner = node.api().newCustomer("Owner");
            String workspace = owner.createWorkspace("Dump");
            List<String> profiles = new ArrayList<>();
            for (int i = 0; i < 3; i++) profiles.add(owner.connectSandbox(workspace, "dump_" + i + "_" + UUID.randomUUID().toString().substring(0, 6)));
            JdbcClient sql = node.bean(JdbcClient.class);
            TokenVault vault = node.bean(TokenVault.class);

            List<String> secrets = new ArrayList<>();
            for (String p : profiles) {
                String sealed = sql.sql("select secret from profiles where id = :id").param("id", p).query(String.class).single();
                secrets.add(vault.open(sealed, "profiles:" + p));
            }
            String appSealed = sql.sql("select client_secret from network_apps").query(String.class).single();
            secrets.add(vault.open(appSealed, "network_apps:sandbox"));
            String customerToken = owner.bearer();
            secrets.add(customerToken);

            String dump = dumpEveryTable(sql);
            assertThat(dump).contains(profiles.getFirst()); // the dump did read the profiles
            for (String secret : secrets) {
                assertThat(secret).hasSizeGreaterThan(16);
                assertThat(dump).as("the dump holds a secret in clear").doesNotContain(secret);
            }
            assertThat(dump).doesNotContain("correct-horse-battery");
        }
    }

    @Test
    void a_sealed_token_copied_to_another_profile_does_not_open_there() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        try (Node node = Node.start(db, Map.of("signalbox.dispatch.poll-interval-ms", "50"))) {
            Api owner = node.api().newCustomer("Owner");
            String workspace = owner.createWorkspace("Swap");
            String alice = owner.connectSandbox(workspace, "alice_" + UUID.randomUUID().toString().substring(0, 6));
            String mallory = owner.connectSandbox(workspace, "mallory_" + UUID.randomUUID().toString().substring(0, 6));
            JdbcClient sql = node.bean(JdbcClient.class);
            sql.sql("update profiles set secret = (select secret from profiles where id = :a) where id = :m")
                    .param("a", alice).param("m", mallory).update();

            String post = Api.expect(201, owner.post("/api/v1/profiles/" + mallory + "/posts", "{\"text\":\"as alice?\",\"when\":\"now\"}")).text("id");
            String ok = Api.expect(201, owner.post("/api/v1/profiles/" + alice + "/posts", "{\"text\":\"as alice\",\"when\":\"now\"}")).text("id");

            awaitStatus(owner, post, "held");
            awaitStatus(owner, ok, "published");
            assertThat(owner.get("/api/v1/profiles/" + mallory).text("status")).isEqualTo("needs_reconnect");
            assertThat(sql.sql("select count(*) from sandbox_statuses where text = 'as alice?'").query(Integer.class).single()).isZero();
        }
    }

    @Test
    void rotating_the_key_while_posts_go_out_loses_nothing_and_sends_nothing_twice() throws Exception {
        String db = TestPostgres.freshDatabaseUrl();
        Path dataDir = Files.createTempDirectory("signalbox-rotation");
        Map<String, String> keyFileNode = Map.of("signalbox.data-dir", dataDir.toString(), "signalbox.dispatch.poll-interval-ms", "50",
                "signalbox.sandbox.latency-ms", "20");
        try (Node node = Node.startWithKeyFile(db, keyFileNode)) {
            Api owner = node.api().newCustomer("Owner");
            String workspace = owner.createWorkspace("Rotation");
            List<String> profiles = new ArrayList<>();
            for (int i = 0; i < 20; i++) profiles.add(owner.connectSandbox(workspace, "rot" + i + "_" + UUID.randomUUID().toString().substring(0, 6)));
            JdbcClient sql = node.bean(JdbcClient.class);
            String oldKey = node.bean(TokenVault.class).keyId();
            sql.sql("""
                    insert into posts (id, profile_id, text, status, due_at, created_at, updated_at)
                    select 'pst_rot_' || p.ord || '_' || n, p.id, 'rotation ' || n || ' of ' || p.id, 'scheduled', now(), now(), now()
                    from unnest(cast(:profiles as text[])) with ordinality as p(id, ord) cross join generate_series(1, 100) as n""")
                    .param("profiles", profiles.toArray(String[]::new)).update();
            while (sql.sql("select count(*) from sandbox_statuses").query(Integer.class).single() < 100) Thread.sleep(20);

            int exit = CompletableFuture.supplyAsync(() -> CliAccess.run("keys", "rotate",
                    "--signalbox.database.url=" + db, "--signalbox.database.user=postgres", "--signalbox.data-dir=" + dataDir)).get();

            assertThat(exit).isZero();
            int publishedAtRotationEnd = sql.sql("select count(*) from posts where status = 'published'").query(Integer.class).single();
            assertThat(publishedAtRotationEnd).as("the rotation overlapped dispatch").isLessThan(2000);
            while (sql.sql("select count(*) from posts where status = 'published'").query(Integer.class).single() < 2000) {
                assertThat(sql.sql("select id || ' ' || status || ' ' || coalesce(failure_message, '') from posts where status in ('held', 'failed')")
                        .query(String.class).list()).as("posts held or failed during the rotation").isEmpty();
                Thread.sleep(100);
            }
            String newKey = node.bean(TokenVault.class).keyId();
            assertThat(newKey).isNotEqualTo(oldKey);
            assertThat(sql.sql("select count(*) from profiles where secret not like :k").param("k", "v1." + newKey + ".%").query(Integer.class).single()).isZero();
            assertThat(sql.sql("select count(*) from network_apps where client_secret not like :k").param("k", "v1." + newKey + ".%").query(Integer.class).single()).isZero();
            assertThat(dataDir.resolve("master.key.old")).doesNotExist();
            assertThat(sql.sql("select target from audit_log where action = 'keys.rotate'").query(String.class).list())
                    .as("the rotation is in the audit log").containsExactly(newKey);
            assertThat(sql.sql("select count(*) from sandbox_statuses").query(Integer.class).single()).isEqualTo(2000);
            assertThat(sql.sql("select count(distinct idempotency_key) from sandbox_statuses").query(Integer.class).single()).isEqualTo(2000);
            assertThat(sql.sql("select count(*) from profiles where status <> 'connected'").query(Integer.class).single()).isZero();
        }
    }

    /** Every row of every table in the public schema, as text: what `pg_dump --data-only` would hold. */
    static String dumpEveryTable(JdbcClient sql) {
        List<String> tables = sql.sql("select tablename from pg_tables where schemaname = 'public'").query(String.class).list();
        StringBuilder dump = new StringBuilder();
        for (String table : tables) {
            sql.sql("select t::text from \"" + table + "\" t").query(String.class).list().forEach(row -> dump.append(table).append(' ').append(row).append('\n'));
        }
        return dump.toString();
    }

    static void awaitStatus(Api api, String post, String status) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (api.get("/api/v1/posts/" + post).text("status").equals(status)) return;
            Thread.sleep(100);
        }
        throw new AssertionError("post " + post + " never became " + status + ": " + api.get("/api/v1/posts/" + post).body());
    }
}
