package dev.signalbox.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.SignalboxTest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** An operator's first dashboard sign-in sets up two-factor sign-in before anything else opens. */
class TotpEnrolmentDashboardTest extends SignalboxTest {

    static final String PASSWORD = "correct horse battery";

    @LocalServerPort
    int port;

    @Autowired
    Users users;

    @Test
    void an_operator_enrols_with_the_code_of_the_secret_shown_gets_recovery_codes_and_then_reaches_the_audit_log() {
        String email = "responder-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        users.createOperator(email, PASSWORD, "Rory Responder", List.of("responder"));

        Browser browser = new Browser(port);
        browser.get("/login");
        Browser.Page enrol = browser.post("/login", "username", email, "password", PASSWORD);
        assertThat(enrol.uri().getPath()).isEqualTo("/account/totp");
        assertThat(browser.get("/audit").uri().getPath()).as("nothing else opens before enrolment").isEqualTo("/account/totp");

        String secret = enrol.find("<code id=\"totp-secret\">([A-Z2-7]+)</code>");
        String svg = new String(Base64.getDecoder().decode(enrol.find("src=\"data:image/svg\\+xml;base64,([^\"]+)\"")));
        assertThat(svg).startsWith("<svg").contains("<path");

        Browser.Page refused = browser.post("/account/totp", "code", "12345");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.find("id=\"code-error\">([^<]*)<")).contains("does not match");
        assertThat(refused.find("<code id=\"totp-secret\">([A-Z2-7]+)</code>")).as("the same secret again").isEqualTo(secret);

        Browser.Page recovery = browser.post("/account/totp", "code", Totp.code(secret, Totp.stepAt(Instant.now())));
        assertThat(recovery.status()).isEqualTo(200);
        Matcher codes = Pattern.compile("<li><code>([A-Z2-9]{5}-[A-Z2-9]{5})</code></li>").matcher(recovery.body());
        List<String> shown = codes.results().map(m -> m.group(1)).toList();
        assertThat(shown).hasSize(10);

        Browser.Page audit = browser.get("/audit?verify=1");
        assertThat(audit.status()).isEqualTo(200);
        assertThat(audit.body()).contains("Audit log").contains("id=\"verify-result\"").contains(email);

        // signing in again needs a code: the password alone is refused, a recovery code lets them in
        Browser again = new Browser(port);
        again.get("/login");
        Browser.Page noCode = again.post("/login", "username", email, "password", PASSWORD);
        assertThat(noCode.uri().getQuery()).isEqualTo("error");
        assertThat(noCode.body()).contains("needs the 6-digit code");
        Browser.Page in = again.post("/login", "username", email, "password", PASSWORD, "totp", shown.getFirst());
        assertThat(in.uri().getPath()).isEqualTo("/");
        assertThat(again.get("/audit").status()).isEqualTo(200);
    }

    @Test
    void a_customer_has_no_enrolment_page_and_no_audit_page() {
        String email = "cust-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        users.signUp(email, PASSWORD, "Casey");
        Browser browser = new Browser(port);
        browser.get("/login");
        assertThat(browser.post("/login", "username", email, "password", PASSWORD).uri().getPath()).isEqualTo("/");
        assertThat(browser.get("/account/totp").status()).isEqualTo(404);
        assertThat(browser.get("/audit").status()).isEqualTo(404);
    }
}
