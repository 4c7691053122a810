package dev.signalbox.comms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.FormBrowser;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The incident pages as an operator and a customer use them in a browser (forms, cookies, CSRF). */
class IncidentPagesTest {

    static final String ADMIN = "pages-admin@example.com";
    static final String PASSWORD = "correct horse battery staple";
    static Node node;

    @BeforeAll
    static void start() {
        node = Node.start(TestPostgres.freshDatabaseUrl(), Map.of("signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD,
                "signalbox.admin.totp-secret", dev.signalbox.accounts.TestTotp.SECRET));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** A browser: cookies, redirects, and the CSRF token of the last page read. */
    static final class Browser extends FormBrowser {
        Browser() {
            super(node.port());
        }
    }

    @Test
    void an_operator_opens_an_incident_reviews_a_draft_live_and_sends_it_with_an_override() throws Exception {
        Browser operator = new Browser();
        operator.get("/login");
        operator.post("/login", "username", ADMIN, "password", PASSWORD, "totp",
                dev.signalbox.accounts.TestTotp.code(dev.signalbox.accounts.TestTotp.SECRET, 0));
        assertThat(operator.get(IncidentPages.LIST).body()).contains("Open an incident");

        HttpResponse<String> opened = operator.post(IncidentPages.LIST, "title", "Spam through X", "severity", "critical", "networks", "x");
        assertThat(opened.uri().getPath()).startsWith("/incidents/inc_");
        String incident = opened.uri().getPath().substring("/incidents/".length());
        assertThat(opened.body()).contains("Spam through X", "No update yet", "hx-post=\"" + IncidentPages.check(incident) + "\"");

        HttpResponse<String> review = operator.post(IncidentPages.check(incident), "body", "We are looking into it. **Soon** more.", "audience", "all");
        assertThat(review.body()).contains("required item(s) missing", "Say sorry", "<strong>Soon</strong>", "Audience 'all': 0 reader(s)");

        HttpResponse<String> refused = operator.post(IncidentPages.updates(incident), "status", "identified", "body", "We are looking into it.",
                "audience", "all", "channels", "statuspage");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("We are looking into it.", "Say sorry", "audit log");

        HttpResponse<String> sent = operator.post(IncidentPages.updates(incident), "status", "identified", "body", "We are looking into it.",
                "audience", "all", "channels", "statuspage", "channels", "email", "overrideChecklist", "true");
        assertThat(sent.statusCode()).isEqualTo(200);
        assertThat(sent.body()).contains("Update published on the status page", "sent without apology", "Email to ")
                .doesNotContain("not yet sent by email");
        assertThat(sent.body()).as("the update's email progress").contains("Email to 0: <strong>0 sent</strong>");
        assertThat(operator.get("/status").body()).contains("Spam through X", "We are looking into it.");
    }

    @Test
    void customers_do_not_see_the_incident_pages() throws Exception {
        Browser customer = new Browser();
        customer.get("/signup");
        String email = "cust-" + System.nanoTime() + "@example.com";
        customer.post("/signup", "name", "Cleo", "email", email, "password", PASSWORD);
        assertThat(customer.get(IncidentPages.LIST).statusCode()).isEqualTo(404);
    }
}
