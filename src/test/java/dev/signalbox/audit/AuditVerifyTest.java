package dev.signalbox.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.cli.CliAccess;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The audit chain checked through the API and the CLI, on a database of its own (the chain is
 * global): intact, then after a record is edited, then after one is deleted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditVerifyTest {

    Node node;
    Api admin;
    JdbcClient db;
    Path tokenFile;

    @BeforeAll
    void start() throws Exception {
        node = Node.start(TestPostgres.freshDatabaseUrl(), Map.of("signalbox.admin.email", "root@example.com",
                "signalbox.admin.password", "correct-horse-battery"));
        Api.Answer token = Api.expect(201, node.api().post("/api/v1/auth/token",
                "{\"email\":\"root@example.com\",\"password\":\"correct-horse-battery\"}"));
        admin = node.api().as(token.text("token"));
        for (String who : new String[] {"ann", "bob", "cat"}) {
            Api.expect(201, admin.post("/api/v1/operators", "{\"email\":\"" + who + "@example.com\",\"password\":\"correct-horse-battery\","
                    + "\"name\":\"" + who + "\",\"roles\":[\"responder\"]}"));
        }
        db = node.bean(JdbcClient.class);
        tokenFile = Files.createTempFile("signalbox-token", ".txt");
        Files.writeString(tokenFile, token.text("token") + "\n");
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
        Files.deleteIfExists(tokenFile);
    }

    record Run(int exit, String out, String err) {}

    private Run cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int exit = CliAccess.run(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private Run verifyByCli() {
        return cli("audit", "verify", "--server", "http://127.0.0.1:" + node.port(), "--token-file", tokenFile.toString());
    }

    @Test
    void verify_passes_then_names_the_first_record_edited_and_then_the_first_record_deleted() {
        // 1 the first operator's creation (by Signalbox), 2-4 the three created through the API
        Api.Answer intact = Api.expect(200, admin.get("/api/v1/audit/verify"));
        assertThat(intact.json().get("ok").asBoolean()).isTrue();
        assertThat(intact.json().get("records").asLong()).isEqualTo(4);
        assertThat(intact.json().has("firstBadRecord")).isFalse();
        Run ok = verifyByCli();
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out().trim()).isEqualTo("Audit chain OK: 4 records");

        String reason = db.sql("select reason from audit_log where seq = 3").query(String.class).optional().orElse(null);
        db.sql("update audit_log set reason = 'nothing to see here' where seq = 3").update();
        Api.Answer edited = Api.expect(200, admin.get("/api/v1/audit/verify"));
        assertThat(edited.json().get("ok").asBoolean()).isFalse();
        assertThat(edited.json().get("firstBadRecord").asLong()).isEqualTo(3);
        assertThat(edited.json().get("records").asLong()).isEqualTo(2);
        Run broken = verifyByCli();
        assertThat(broken.exit()).isEqualTo(2);
        assertThat(broken.out()).startsWith("Audit chain BROKEN at record 3: record 3 was altered after it was written");

        db.sql("update audit_log set reason = :r where seq = 3").param("r", reason).update();
        assertThat(verifyByCli().exit()).as("restored exactly, the chain is whole again").isZero();

        db.sql("delete from audit_log where seq = 2").update();
        Api.Answer deleted = Api.expect(200, admin.get("/api/v1/audit/verify"));
        assertThat(deleted.json().get("ok").asBoolean()).isFalse();
        assertThat(deleted.json().get("firstBadRecord").asLong()).isEqualTo(2);
        Run missing = verifyByCli();
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.out()).startsWith("Audit chain BROKEN at record 2: record 2 is missing");
    }

    @Test
    void the_cli_says_clearly_when_the_server_cannot_be_reached_or_refuses_the_token() throws Exception {
        Run unreachable = cli("audit", "verify", "--server", "http://127.0.0.1:1", "--token-file", tokenFile.toString());
        assertThat(unreachable.exit()).isEqualTo(1);
        assertThat(unreachable.err()).contains("Could not connect to http://127.0.0.1:1");

        Path bad = Files.createTempFile("signalbox-token", ".txt");
        Files.writeString(bad, "sbx_not-a-token");
        Run refused = cli("audit", "verify", "--server", "http://127.0.0.1:" + node.port(), "--token-file", bad.toString());
        Files.delete(bad);
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("refused the API token");
    }
}
