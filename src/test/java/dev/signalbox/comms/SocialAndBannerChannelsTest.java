package dev.signalbox.comms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.accounts.TestTotp;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.FormBrowser;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The company's own social profiles and the in-app banner, end to end: posts on the sandbox
 * network (through the dispatcher, during a global halt), banners on dashboard pages as customers
 * see them in a browser (cookies, CSRF), previews, and sanitisation on every one of them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SocialAndBannerChannelsTest {

    static final String ADMIN = "social-admin@example.com";
    static final String PASSWORD = "correct horse battery staple";
    static final String CUSTOMER_PASSWORD = "correct-horse-battery";
    static final String SIGNED = """
            What you should do now:

            - Delete any post you did not write

            Your password is not affected. We will post updates on our status page and on Mastodon.

            Reply to this email with any question; we will answer every email.

            – Ana and the Signalbox team
            """;
    static Node node;
    static Api admin;
    static Api communicator;
    static Api responder;
    static JdbcClient db;

    @BeforeAll
    static void start() {
        // the admin signs in with two-factor (each 30-s code once: step 0 for the API, step 1 for the dashboard)
        node = Node.start(TestPostgres.freshDatabaseUrl(), Map.of("signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD,
                "signalbox.admin.totp-secret", TestTotp.SECRET));
        admin = node.api().as(node.api().post("/api/v1/auth/token", "{\"email\":\"" + ADMIN + "\",\"password\":\"" + PASSWORD
                + "\",\"totp\":\"" + TestTotp.code(TestTotp.SECRET, 0) + "\"}").text("token"));
        communicator = operator("communicator");
        responder = operator("responder");
        db = node.bean(JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static Api operator(String role) {
        String email = role + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Api.expect(201, admin.post("/api/v1/operators", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\",\"name\":\"Ana "
                + role + "\",\"roles\":[\"" + role + "\"]}"));
        return node.api().as(node.api().post("/api/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}").text("token"));
    }

    static String incident(String title) {
        return Api.expect(201, communicator.post("/api/v1/incidents", "{\"title\":" + Api.quote(title)
                + ",\"severity\":\"critical\",\"status\":\"investigating\",\"networks\":[\"sandbox\"]}")).text("id");
    }

    static Api.Answer publish(String incident, String status, String body, String audience, String channels) {
        return communicator.post("/api/v1/incidents/" + incident + "/updates", "{\"status\":\"" + status + "\",\"body\":" + Api.quote(body)
                + ",\"audience\":\"" + audience + "\",\"channels\":" + channels + "}");
    }

    static String channelState(String incident, String updateId, String channel) {
        for (JsonNode u : Api.expect(200, communicator.get("/api/v1/incidents/" + incident)).json().get("updates")) {
            if (!u.get("id").asString().equals(updateId)) continue;
            for (JsonNode c : u.get("channels")) if (c.get("channel").asString().equals(channel)) return c.get("state").asString();
        }
        return null;
    }

    static void await(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(end)) throw new AssertionError("Timed out waiting for " + what);
            Thread.sleep(100);
        }
    }

    /** A customer with a sandbox profile (so in audience network:sandbox), or without one; with the email to sign in. */
    record Customer(Api api, String email, String profileId) {}

    static Customer customer(String name, boolean withSandboxProfile) {
        String email = name.toLowerCase().replaceAll("[^a-z]", "") + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Api.expect(201, node.api().post("/api/v1/users", "{\"email\":\"" + email + "\",\"password\":\"" + CUSTOMER_PASSWORD + "\",\"name\":\"" + name + "\"}"));
        Api api = node.api().as(node.api().post("/api/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"" + CUSTOMER_PASSWORD + "\"}").text("token"));
        String profile = null;
        if (withSandboxProfile) {
            String workspace = api.createWorkspace(name + "'s workspace");
            profile = api.connectSandbox(workspace, name.toLowerCase().replaceAll("[^a-z]", "") + "_" + UUID.randomUUID().toString().substring(0, 6));
        }
        return new Customer(api, email, profile);
    }

    /** A browser: cookies, redirects, the CSRF token of the last page read. */
    static final class Browser extends FormBrowser {
        Browser() {
            super(node.port());
        }

        static Browser signedIn(String email, String password, String... totp) throws Exception {
            Browser b = new Browser();
            b.get("/login");
            HttpResponse<String> home = b.post("/login", "username", email, "password", password, "totp", totp.length == 0 ? "" : totp[0]);
            assertThat(home.uri().getPath()).as(home.body()).doesNotStartWith("/login");
            return b;
        }

        /** The incident banners on the page, each as its text. */
        List<String> banners(String path) throws Exception {
            String body = get(path).body();
            return Pattern.compile("<div class=\"incident-banner[^\"]*\" role=\"alert\" data-update=\"([^\"]+)\">(.*?)</form>", Pattern.DOTALL)
                    .matcher(body).results().map(r -> r.group(1) + " " + r.group(2)).toList();
        }
    }

    @Test
    @Order(1)
    void with_no_incident_channel_the_social_channel_is_refused_naming_channels() {
        String id = incident("No channel yet");
        Api.Answer refused = publish(id, "identified", "I'm sorry. " + SIGNED, "all", "[\"statuspage\",\"social\"]");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("errors").toString()).contains("\"field\":\"channels\"", "incident channel");
        JsonNode preview = Api.expect(200, communicator.post("/api/v1/incidents/" + id + "/preview", "{\"body\":\"I'm sorry.\"}")).json();
        assertThat(preview.get("social")).isEmpty();
        assertThat(preview.get("socialProblem").asString()).contains("incident channel");
    }

    @Test
    @Order(2)
    void the_company_profiles_get_one_post_each_fitted_to_the_limit_with_the_status_link_even_during_a_global_halt() throws Exception {
        Customer company = customer("Signalbox Status", true);
        Api.expect(201, communicator.post("/api/v1/incident-channels", "{\"profileId\":\"" + company.profileId() + "\"}"));
        String secondProfile = company.api().connectSandbox(
                Api.expect(200, company.api().get("/api/v1/profiles/" + company.profileId())).text("workspaceId"), "signalbox_ops_" + UUID.randomUUID().toString().substring(0, 6));
        Api.expect(201, communicator.post("/api/v1/incident-channels", "{\"profileId\":\"" + secondProfile + "\"}"));
        Customer bystander = customer("Bea Bystander", true);

        String halt = Api.expect(201, responder.post("/api/v1/halts", "{\"scope\":\"global\",\"reason\":\"spam going out\"}")).text("id");
        try {
            String held = Api.expect(201, bystander.api().post("/api/v1/profiles/" + bystander.profileId() + "/posts",
                    "{\"text\":\"An ordinary post\",\"when\":\"now\"}")).text("id");
            String id = incident("Spam posted through the sandbox network");
            String longBody = "Hi there,\n\nI'm so sorry. About an hour ago spam was posted from some profiles on the sandbox network. "
                    + "We stopped all posting at once and we are going through every post it sent. ".repeat(8) + "\n\n" + SIGNED;
            JsonNode published = Api.expect(201, publish(id, "identified", longBody, "all", "[\"statuspage\",\"social\"]")).json();
            String update = published.get("id").asString();
            assertThat(published.get("update").get("channels").toString()).contains("{\"channel\":\"social\",\"state\":\"queued\"}");
            await("both posts published", Duration.ofSeconds(20), () -> "delivered".equals(channelState(id, update, "social")));

            String statusUrl = "http://localhost:" + node.port() + "/status";
            for (String profile : List.of(company.profileId(), secondProfile)) {
                JsonNode posts = Api.expect(200, company.api().get("/api/v1/profiles/" + profile + "/posts")).json().get("posts");
                assertThat(posts).hasSize(1);
                String text = posts.get(0).get("text").asString();
                assertThat(posts.get(0).get("status").asString()).isEqualTo("published");
                assertThat(text).startsWith("Spam posted through the sandbox network (Identified): I'm so sorry.").endsWith("… " + statusUrl)
                        .doesNotContain("Hi there");
                // fitted: as long as the network allows (each link counts 23), and no longer
                int weighted = text.length() - statusUrl.length() + 23;
                assertThat(weighted).isLessThanOrEqualTo(500).isGreaterThan(450);
            }
            List<String> onNetwork = db.sql("""
                    select s.text from sandbox_statuses s join sandbox_accounts a on a.id = s.account_id
                    join profiles p on p.network = 'sandbox' and lower(p.handle) = lower(a.username)
                    where p.id in (:a, :b) order by s.id""").param("a", company.profileId()).param("b", secondProfile).query(String.class).list();
            assertThat(onNetwork).hasSize(2).allSatisfy(t -> assertThat(t).contains(statusUrl));
            // the halt is real: the bystander's post waits
            assertThat(Api.expect(200, bystander.api().get("/api/v1/posts/" + held)).text("status")).isEqualTo("held");
        } finally {
            Api.expect(200, responder.delete("/api/v1/halts/" + halt + "?reason=done"));
        }
    }

    @Test
    @Order(3)
    void the_banner_shows_to_the_audience_only_until_dismissed_is_replaced_by_a_newer_update_and_goes_on_resolve() throws Exception {
        Customer inAudience = customer("Ines Inaudience", true);
        Customer alsoInAudience = customer("Otto Other", true);
        Customer outside = customer("Nora Noprofile", false);
        Browser ines = Browser.signedIn(inAudience.email(), CUSTOMER_PASSWORD);
        Browser otto = Browser.signedIn(alsoInAudience.email(), CUSTOMER_PASSWORD);
        Browser nora = Browser.signedIn(outside.email(), CUSTOMER_PASSWORD);
        assertThat(ines.banners("/")).isEmpty();

        String id = incident("Sandbox posting stopped");
        String first = Api.expect(201, publish(id, "identified", "I'm sorry: posting to the sandbox network stopped at 10:00. " + SIGNED,
                "network:sandbox", "[\"statuspage\",\"banner\"]")).text("id");
        assertThat(channelState(id, first, "banner")).isEqualTo("delivered");

        List<String> seen = ines.banners("/");
        assertThat(seen).hasSize(1);
        assertThat(seen.getFirst()).contains(first, "critical", "Sandbox posting stopped", "I'm sorry: posting to the sandbox network stopped at 10:00.",
                "href=\"http://localhost:" + node.port() + "/status#" + id + "\"");
        assertThat(otto.banners("/")).hasSize(1);
        assertThat(nora.banners("/")).isEmpty();

        // dismissed without JavaScript: a form POST with the CSRF token, back to the page it came from
        HttpResponse<String> back = ines.post("/banners/" + first + "/dismiss", "return", "/");
        assertThat(back.uri().getPath()).isEqualTo("/");
        assertThat(ines.banners("/")).isEmpty();
        assertThat(ines.banners("/")).as("stays gone").isEmpty();
        assertThat(otto.banners("/")).as("only for who dismissed it").hasSize(1);
        // without the token nothing happens
        HttpResponse<String> forged = ines.postWithoutCsrf("/banners/" + first + "/dismiss", "return", "/");
        assertThat(forged.statusCode()).isEqualTo(403);

        String second = Api.expect(201, publish(id, "monitoring", "I'm sorry for the wait: posting is back since 11:30 and we are watching it. " + SIGNED,
                "network:sandbox", "[\"statuspage\",\"banner\"]")).text("id");
        assertThat(ines.banners("/")).as("a newer update shows again").singleElement().asString().contains(second, "posting is back since 11:30");
        assertThat(otto.banners("/")).as("and replaces the older one").singleElement().asString().contains(second).doesNotContain(first);

        Api.expect(201, publish(id, "resolved", "I'm sorry for the trouble; it is over. " + SIGNED, "network:sandbox", "[\"statuspage\"]"));
        assertThat(otto.banners("/")).as("gone once resolved").isEmpty();
        assertThat(ines.banners("/")).isEmpty();
    }

    @Test
    @Order(5)
    void the_composer_starts_from_a_template_and_previews_every_channel() throws Exception {
        String id = incident("Template day");
        List<JsonNode> templates = new java.util.ArrayList<>();
        Api.expect(200, communicator.get("/api/v1/messages/templates?incident=" + id)).json().forEach(templates::add);
        assertThat(templates).extracting(t -> t.get("id").asString()).containsExactly("first_notice", "update", "resolved", "reconnect_required");
        assertThat(templates.getFirst().get("body").asString()).contains("Template day", "Sandbox", "– Ana and the Signalbox team",
                "http://localhost:" + node.port() + "/status");
        assertThat(communicator.get("/api/v1/messages/templates?incident=inc_nope").status()).isEqualTo(422);

        Browser ana = Browser.signedIn(ADMIN, PASSWORD, TestTotp.code(TestTotp.SECRET, 1));
        String page = ana.get(IncidentPages.show(id) + "?template=reconnect_required").body();
        assertThat(page).contains("<option value=\"reconnect_required\">Reconnect required</option>", "Open each Sandbox profile and press Reconnect",
                "Template day");
        assertThat(page).doesNotContain("required item(s) missing");
        String review = ana.post(IncidentPages.check(id), "body", templates.get(1).get("body").asString(), "audience", "all", "status", "monitoring").body();
        assertThat(review).contains("id=\"preview-email\"", "Here is where things stand with Template day", "id=\"preview-social\"",
                "Template day (Monitoring): Here is where things stand", "/ 500</span>", "id=\"preview-banner\"");
        assertThat(review).doesNotContain("required item(s) missing");
    }

    @Test
    @Order(4)
    void scripts_and_event_handlers_never_reach_the_banner_the_previews_or_the_status_page() throws Exception {
        Customer reader = customer("Rita Reader", true);
        Browser rita = Browser.signedIn(reader.email(), CUSTOMER_PASSWORD);
        String id = incident("Hostile update");
        String hostile = "I'm sorry <script>alert('x')</script> <img src=x onerror=alert(1)> that <b onmouseover=alert(2)>this</b> happened.\n\n"
                + "<script>document.location='https://evil.example'</script>\n\n" + SIGNED;
        JsonNode preview = Api.expect(200, communicator.post("/api/v1/incidents/" + id + "/preview",
                "{\"status\":\"identified\",\"body\":" + Api.quote(hostile) + "}")).json();
        for (String part : List.of(preview.get("statusPageHtml").asString(), preview.get("email").asString(), preview.get("banner").toString(),
                preview.get("social").toString())) {
            assertThat(part).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("onerror").doesNotContainIgnoringCase("onmouseover")
                    .doesNotContain("alert(").doesNotContain("evil.example");
        }
        assertThat(preview.get("banner").get("summary").asString()).startsWith("I'm sorry that this happened. What you should do now:");
        assertThat(preview.get("social").get(0).get("text").asString()).contains("I'm sorry that this happened.");

        Api.expect(201, publish(id, "identified", hostile, "all", "[\"statuspage\",\"banner\"]"));
        String page = rita.get("/").body().replace("<script src=\"/htmx.min.js\" defer></script>", "");
        assertThat(page).contains("I'm sorry that this happened.");
        String status = rita.get("/status").body();
        for (String shown : List.of(page, status)) {
            assertThat(shown).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("onerror").doesNotContainIgnoringCase("onmouseover")
                    .doesNotContain("alert(").doesNotContain("evil.example");
        }
    }
}
