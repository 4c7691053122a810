package dev.signalbox.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.Api;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * API sign-in of operators with two-factor codes, and lock-out after failed sign-ins, on a node of
 * its own database (the failure counts and the audit log are shared by every node of a database).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorSignInTest {

    static final String ADMIN = "root@example.com";
    static final String PASSWORD = "correct-horse-battery";
    static final String ADMIN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    Node node;
    Api api;
    JdbcClient db;

    @BeforeAll
    void start() {
        node = Node.start(TestPostgres.freshDatabaseUrl(), Map.of("signalbox.admin.email", ADMIN,
                "signalbox.admin.password", PASSWORD, "signalbox.admin.totp-secret", ADMIN_SECRET));
        api = node.api();
        db = node.bean(JdbcClient.class);
    }

    @AfterAll
    void stop() {
        node.close();
    }

    private Api.Answer token(String email, String password, String totp) {
        return api.post("/api/v1/auth/token", "{\"email\":" + Api.quote(email) + ",\"password\":" + Api.quote(password)
                + (totp == null ? "" : ",\"totp\":" + Api.quote(totp)) + "}");
    }

    private static String codeNow(String secret, int stepOffset) {
        return Totp.code(secret, Totp.stepAt(Instant.now()) + stepOffset);
    }

    private CurrentUser operator(String email) {
        return node.bean(Users.class).createOperator(email, PASSWORD, "Op", List.of("responder"));
    }

    @Test
    void the_first_operator_needs_a_code_from_the_configured_secret_and_each_code_works_once() {
        Api.Answer missing = token(ADMIN, PASSWORD, null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.text("detail")).contains("needs the 6-digit code");
        assertThat(missing.json().get("errors").get(0).get("field").asString()).isEqualTo("totp");

        Api.Answer wrong = token(ADMIN, PASSWORD, "000000".equals(codeNow(ADMIN_SECRET, 0)) ? "111111" : "000000");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.text("detail")).contains("the code is wrong");

        String code = codeNow(ADMIN_SECRET, 1); // the next step's code: accepted (clock drift) and not yet used
        Api.expect(201, token(ADMIN, PASSWORD, code));
        Api.Answer replayed = token(ADMIN, PASSWORD, code);
        assertThat(replayed.status()).isEqualTo(401);
        assertThat(replayed.text("detail")).contains("already used");
        assertThat(token(ADMIN, PASSWORD, codeNow(ADMIN_SECRET, 0)).status())
                .as("a code of an earlier step than the last accepted one is refused too").isEqualTo(401);
        assertThat(db.sql("select secret from users_totp t join users u on u.id = t.user_id where u.email = :e")
                .param("e", ADMIN).query(String.class).single()).startsWith("v1.").doesNotContain(ADMIN_SECRET);
    }

    @Test
    void an_operator_not_yet_enrolled_signs_in_with_a_password_and_a_recovery_code_works_once() {
        TwoFactor twoFactor = node.bean(TwoFactor.class);
        CurrentUser op = operator("recovering@example.com");
        Api.expect(201, token(op.email(), PASSWORD, null));

        TwoFactor.Enrolment enrolment = twoFactor.beginEnrolment(op);
        List<String> recovery = twoFactor.confirm(op, codeNow(enrolment.secret(), 0), "127.0.0.1");
        assertThat(recovery).hasSize(10).doesNotHaveDuplicates();
        assertThat(db.sql("select count(*) from recovery_codes where user_id = :u and code_hash = :h")
                .param("u", op.id()).param("h", recovery.get(3)).query(Integer.class).single())
                .as("only hashes are stored").isZero();

        assertThat(token(op.email(), PASSWORD, null).status()).isEqualTo(401);
        Api.expect(201, token(op.email(), PASSWORD, recovery.get(3).toLowerCase()));
        Api.Answer again = token(op.email(), PASSWORD, recovery.get(3));
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.text("detail")).contains("the code is wrong");
        Api.expect(201, token(op.email(), PASSWORD, recovery.get(4)));
    }

    @Test
    void five_failures_lock_the_account_even_against_the_right_password_until_the_window_passes() {
        CurrentUser op = operator("locked@example.com");
        for (int i = 1; i <= 4; i++) {
            assertThat(token(op.email(), "wrong password " + i, null).status()).isEqualTo(401);
        }
        Api.Answer fifth = token(op.email(), "wrong password 5", null);
        assertThat(fifth.status()).isEqualTo(429);
        assertThat(fifth.text("detail")).matches("too many failed sign-ins; try again after \\d\\d:\\d\\d UTC");

        Api.Answer rightPassword = token(op.email(), PASSWORD, null);
        assertThat(rightPassword.status()).isEqualTo(429);
        assertThat(rightPassword.text("detail")).isEqualTo(fifth.text("detail"));
        assertThat(db.sql("select locked_until > now() + interval '14 minutes' from sign_in_failures where key = :k")
                .param("k", "account:locked@example.com").query(Boolean.class).single()).isTrue();

        assertThat(db.sql("select count(*) from audit_log where action = 'operator.lock_out' and target = :e and source = '127.0.0.1'")
                .param("e", op.email()).query(Integer.class).single()).isEqualTo(1);

        db.sql("""
                update sign_in_failures set window_start = window_start - interval '16 minutes',
                locked_until = locked_until - interval '16 minutes' where key = :k""")
                .param("k", "account:locked@example.com").update();
        Api.expect(201, token(op.email(), PASSWORD, null));
        assertThat(db.sql("select count(*) from sign_in_failures where key = :k").param("k", "account:locked@example.com")
                .query(Integer.class).single()).as("success clears the account's count").isZero();
    }

    @Test
    void an_email_without_an_account_is_locked_out_the_same_way() {
        for (int i = 1; i <= 4; i++) assertThat(token("nobody@example.com", "guess " + i, null).status()).isEqualTo(401);
        Api.Answer fifth = token("nobody@example.com", "guess 5", null);
        assertThat(fifth.status()).isEqualTo(429);
        assertThat(fifth.text("detail")).startsWith("too many failed sign-ins; try again after");
    }
}
