package dev.signalbox.comms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.Api;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import tools.jackson.databind.JsonNode;

/** Incidents, updates and the public status page over real HTTP, on a database of their own. */
class CrisisCommsTest {

    static final String ADMIN = "comms-admin@example.com";
    static final String PASSWORD = "correct horse battery staple";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static String database;
    static Node node;
    static Api admin;
    static Api communicator;

    @BeforeAll
    static void start() {
        database = TestPostgres.freshDatabaseUrl();
        node = Node.start(database, Map.of("signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD));
        admin = node.api().as(node.api().post("/api/v1/auth/token", "{\"email\":\"" + ADMIN + "\",\"password\":\"" + PASSWORD + "\"}").text("token"));
        communicator = operator("communicator");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static Api operator(String role) {
        String email = role + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Api.expect(201, admin.post("/api/v1/operators", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\",\"name\":\"Olu "
                + role + "\",\"roles\":[\"" + role + "\"]}"));
        return node.api().as(node.api().post("/api/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}").text("token"));
    }

    static String seed(String name) throws IOException {
        try (InputStream in = CrisisCommsTest.class.getResourceAsStream("/comms/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String openIncident(Api as, String title) {
        return Api.expect(201, as.post("/api/v1/incidents", "{\"title\":" + Api.quote(title)
                + ",\"severity\":\"critical\",\"status\":\"investigating\",\"networks\":[\"x\",\"facebook\"]}")).text("id");
    }

    static Api.Answer update(Api as, String incident, String status, String body, String audience, String channels, boolean override) {
        return as.post("/api/v1/incidents/" + incident + "/updates", "{\"status\":\"" + status + "\",\"body\":" + Api.quote(body)
                + ",\"audience\":\"" + audience + "\",\"channels\":" + channels + ",\"overrideChecklist\":" + override + "}");
    }

    static HttpResponse<String> raw(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).GET();
        if (headers.length > 0) b.headers(headers);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void an_incident_gets_a_timeline_of_updates_and_resolves() throws Exception {
        String id = openIncident(communicator, "Spam posted through X and Facebook");
        Api.Answer first = Api.expect(201, update(communicator, id, "identified", seed("buffer-email-1.md"), "all", "[\"statuspage\",\"email\"]", false));
        assertThat(first.text("id")).startsWith("upd_");
        assertThat(first.json().get("recipients").isInt()).isTrue();
        assertThat(first.json().get("channelsPending").toString()).isEqualTo("[]"); // email is delivered by its own channel
        assertThat(first.json().get("checklist")).allSatisfy(c -> assertThat(c.has("item") && c.has("ok") && c.has("hint")).isTrue());
        Api.expect(201, update(communicator, id, "resolved", seed("buffer-email-2.md"), "all", "[\"statuspage\"]", false));

        JsonNode incident = Api.expect(200, communicator.get("/api/v1/incidents/" + id)).json();
        assertThat(incident.get("status").asString()).isEqualTo("resolved");
        assertThat(incident.get("resolvedAt").isNull()).isFalse();
        assertThat(incident.get("startedAt").isNull()).isFalse();
        assertThat(incident.get("updates")).hasSize(2);
        JsonNode channels = incident.get("updates").get(0).get("channels");
        assertThat(channels.toString()).containsPattern("\"channel\":\"email\",\"state\":\"(queued|sending|delivered)\"")
                .contains("\"channel\":\"statuspage\",\"state\":\"delivered\"");
        assertThat(Api.expect(200, operator("support").get("/api/v1/incidents")).json().get("incidents").toString()).contains(id);

        Api.Answer late = update(communicator, id, "monitoring", seed("buffer-email-2.md"), "all", "[\"statuspage\"]", false);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.text("detail")).contains("is resolved");

        String page = raw("/status").body();
        assertThat(page).contains("Spam posted through X and Facebook", "Resolved in the last 30 days", "Your Buffer passwords are not affected",
                "<li>Remove any postings");
        assertThat(page).doesNotContain("<script");
    }

    @Test
    void an_update_missing_required_items_is_refused_until_overridden_and_the_override_is_audited() {
        String id = openIncident(communicator, "Posting delayed");
        String draft = "Posting is delayed since 10:00. We are on it.";
        Api.Answer refused = update(communicator, id, "investigating", draft, "all", "[\"statuspage\"]", false);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.json().get("checklist").toString()).contains("\"item\":\"apology\",\"label\":\"An apology\",\"required\":true,\"ok\":false");
        assertThat(refused.json().get("errors").toString()).contains("apology", "signature", "not_affected", "what_to_do", "reply_invitation");
        assertThat(Api.expect(200, communicator.get("/api/v1/incidents/" + id)).json().get("updates")).isEmpty();

        Api.Answer sent = Api.expect(201, update(communicator, id, "investigating", draft, "operators", "[\"statuspage\"]", true));
        List<Map<String, Object>> audit = node.bean(JdbcClient.class)
                .sql("select action, reason, details::text as details from audit_log where target = :id order by seq").param("id", id)
                .query().listOfRows();
        assertThat(audit).extracting(r -> r.get("action")).containsExactly("comms.incident.open", "comms.update.publish", "comms.checklist.override");
        assertThat((String) audit.get(2).get("details")).contains(sent.text("id"), "apology", "signature", "Say sorry");
        assertThat((String) audit.get(2).get("reason")).contains("apology");
        int operators = node.bean(JdbcClient.class).sql("select count(*) from users where cardinality(operator_roles) > 0").query(Integer.class).single();
        assertThat(sent.json().get("recipients").asInt()).isEqualTo(operators).isGreaterThanOrEqualTo(2);
    }

    @Test
    void bad_input_gets_field_errors_naming_the_field_and_the_value() {
        String id = openIncident(communicator, "Bad input");
        String good = "Sorry!\n\nWhat to do:\n\n- nothing\n\nPasswords are not affected. Reply; we will answer every email.\n\n– Ana";
        record Case(String json, String field, String says) {}
        List<Case> cases = List.of(
                new Case("{\"status\":\"investigating\",\"body\":\"  \",\"audience\":\"all\",\"channels\":[\"statuspage\"]}", "body", "is empty"),
                new Case("{\"status\":\"investigating\",\"body\":" + Api.quote(good) + ",\"audience\":\"everyone\",\"channels\":[\"statuspage\"]}", "audience", "'everyone'"),
                new Case("{\"status\":\"investigating\",\"body\":" + Api.quote(good) + ",\"audience\":\"network:myspace\",\"channels\":[\"statuspage\"]}", "audience", "'network:myspace'"),
                new Case("{\"status\":\"investigating\",\"body\":" + Api.quote(good) + ",\"audience\":\"all\",\"channels\":[\"statuspage\",\"pager\"]}", "channels[1]", "'pager'"),
                new Case("{\"status\":\"fixed\",\"body\":" + Api.quote(good) + ",\"audience\":\"all\",\"channels\":[\"statuspage\"]}", "status", "'fixed'"),
                new Case("{\"status\":\"investigating\",\"body\":" + Api.quote(good) + ",\"audience\":\"all\",\"channels\":[]}", "channels", "at least one"));
        for (Case c : cases) {
            Api.Answer answer = communicator.post("/api/v1/incidents/" + id + "/updates", c.json());
            assertThat(answer.status()).as(c.json()).isEqualTo(422);
            assertThat(answer.json().get("errors").toString()).as(c.json()).contains("\"field\":\"" + c.field() + "\"").contains(c.says());
        }
        Api.Answer badIncident = communicator.post("/api/v1/incidents", "{\"title\":\"\",\"severity\":\"huge\",\"status\":\"investigating\",\"networks\":[\"myspace\"]}");
        assertThat(badIncident.status()).isEqualTo(422);
        assertThat(badIncident.json().get("errors").toString()).contains("\"field\":\"title\"", "\"field\":\"severity\"", "'huge'", "\"field\":\"networks[0]\"");
        assertThat(communicator.get("/api/v1/incidents/inc_nope").status()).isEqualTo(404);
    }

    @Test
    void scripts_event_handlers_and_javascript_links_never_reach_the_stored_html_or_the_status_page() throws Exception {
        String id = openIncident(communicator, "Hostile markdown");
        String body = "Sorry.\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(2)) "
                + "<a href=\"javascript:alert(3)\" onclick=\"alert(4)\">me</a>\n\nWhat to do:\n\n- **nothing**\n\n"
                + "Passwords are not affected. Reply; we will answer every email.\n\n– Ana";
        Api.Answer sent = Api.expect(201, update(communicator, id, "investigating", body, "all", "[\"statuspage\"]", false));
        String html = Api.expect(200, communicator.get("/api/v1/incidents/" + id)).json().get("updates").get(0).get("html").asString();
        assertThat(html).contains("<strong>nothing</strong>", "<li>").doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("onerror")
                .doesNotContainIgnoringCase("javascript:").doesNotContainIgnoringCase("onclick");
        assertThat(sent.json().get("html").asString()).isEqualTo(html);
        String page = raw("/status").body();
        assertThat(page).contains("Hostile markdown").doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("onerror")
                .doesNotContainIgnoringCase("javascript:").doesNotContainIgnoringCase("onclick");
    }

    @Test
    void the_atom_feed_is_valid_xml_with_one_entry_per_update() throws Exception {
        String id = openIncident(communicator, "Feed <check> & friends");
        String upd = Api.expect(201, update(communicator, id, "identified", seed("buffer-email-1.md"), "all", "[\"statuspage\"]", false)).text("id");
        HttpResponse<String> feed = raw("/status/feed.atom");
        assertThat(feed.headers().firstValue("content-type").orElse("")).startsWith("application/atom+xml");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document xml = factory.newDocumentBuilder().parse(new ByteArrayInputStream(feed.body().getBytes(StandardCharsets.UTF_8)));
        Element root = xml.getDocumentElement();
        String atom = "http://www.w3.org/2005/Atom";
        assertThat(root.getLocalName()).isEqualTo("feed");
        assertThat(root.getNamespaceURI()).isEqualTo(atom);
        for (String required : List.of("id", "title", "updated", "link", "author")) {
            assertThat(root.getElementsByTagNameNS(atom, required).getLength()).as(required).isPositive();
        }
        NodeList entries = root.getElementsByTagNameNS(atom, "entry");
        Element mine = null;
        for (int i = 0; i < entries.getLength(); i++) {
            Element e = (Element) entries.item(i);
            if (e.getElementsByTagNameNS(atom, "id").item(0).getTextContent().endsWith("#" + upd)) mine = e;
        }
        assertThat(mine).as("entry of update " + upd).isNotNull();
        assertThat(mine.getElementsByTagNameNS(atom, "title").item(0).getTextContent()).isEqualTo("Identified: Feed <check> & friends");
        assertThat(mine.getElementsByTagNameNS(atom, "updated").item(0).getTextContent()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        Element content = (Element) mine.getElementsByTagNameNS(atom, "content").item(0);
        assertThat(content.getAttribute("type")).isEqualTo("html");
        assertThat(content.getTextContent()).contains("<li>Remove any postings");
    }

    @Test
    void status_json_reports_the_overall_state_and_the_incidents() throws Exception {
        String id = openIncident(communicator, "JSON shape");
        HttpResponse<String> answer = raw("/status.json");
        assertThat(answer.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        JsonNode json = Api.JSON.readTree(answer.body());
        assertThat(json.get("status").asString()).isEqualTo("major_outage"); // a critical incident is open
        JsonNode incident = null;
        for (JsonNode i : json.get("incidents")) if (i.get("id").asString().equals(id)) incident = i;
        assertThat(incident).isNotNull();
        assertThat(incident.get("severity").asString()).isEqualTo("critical");
        assertThat(incident.get("status").asString()).isEqualTo("investigating");
        assertThat(incident.get("networks").toString()).isEqualTo("[\"x\",\"facebook\"]");
        assertThat(incident.get("updates").isArray()).isTrue();
    }

    @Test
    void the_status_page_answers_304_to_its_etag_until_an_update_changes_it() throws Exception {
        HttpResponse<String> first = raw("/status");
        String etag = first.headers().firstValue("etag").orElseThrow();
        assertThat(etag).startsWith("\"");
        assertThat(first.headers().firstValue("cache-control").orElse("")).isEqualTo("public, max-age=10");
        assertThat(first.headers().firstValue("x-content-type-options")).contains("nosniff");
        assertThat(first.headers().firstValue("x-frame-options")).contains("DENY");
        assertThat(first.headers().firstValue("set-cookie")).as("a reader gets no session").isEmpty();
        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/status"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("etag")).contains(etag);
        assertThat(head.body()).isEmpty();
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/status"))
                .POST(HttpRequest.BodyPublishers.ofString("x=1")).header("Content-Type", "application/x-www-form-urlencoded").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).as("only GET and HEAD are served from the snapshot").isIn(403, 405);
        String lastModified = first.headers().firstValue("last-modified").orElseThrow();

        HttpResponse<String> again = raw("/status", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(raw("/status", "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);

        String id = openIncident(communicator, "ETag moves");
        Api.expect(201, update(communicator, id, "identified", seed("buffer-email-1.md"), "all", "[\"statuspage\"]", false));
        HttpResponse<String> changed = raw("/status", "If-None-Match", etag);
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.headers().firstValue("etag").orElseThrow()).isNotEqualTo(etag);
        assertThat(changed.body()).contains("ETag moves");
    }

    @Test
    void an_update_published_on_one_node_shows_on_another_nodes_status_json() throws Exception {
        try (Node second = Node.start(database, Map.of())) {
            String before = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + second.port() + "/status.json")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String id = openIncident(communicator, "Seen across nodes");
            Api.expect(201, update(communicator, id, "identified", seed("buffer-email-1.md"), "all", "[\"statuspage\"]", false));
            assertThat(before).doesNotContain(id);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            String seen = "";
            while (System.nanoTime() < deadline && !seen.contains(id + "\"")) {
                Thread.sleep(100);
                seen = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + second.port() + "/status.json")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            }
            assertThat(seen).as("second node's /status.json within 5 s").contains(id).contains("Your Buffer passwords are not affected");
        }
    }

    @Test
    void customers_get_404_support_cannot_write_and_communicators_can() {
        Api customer = node.api().newCustomer("Cleo");
        assertThat(customer.get("/api/v1/incidents").status()).isEqualTo(404);
        assertThat(customer.post("/api/v1/incidents", "{\"title\":\"x\",\"severity\":\"minor\",\"status\":\"investigating\"}").status()).isEqualTo(404);
        assertThat(customer.post("/api/v1/messages/check", "{\"body\":\"hi\"}").status()).isEqualTo(404);
        Api support = operator("support");
        assertThat(support.post("/api/v1/incidents", "{\"title\":\"x\",\"severity\":\"minor\",\"status\":\"investigating\"}").status()).isEqualTo(403);
        String id = openIncident(communicator, "Permissions");
        assertThat(customer.get("/api/v1/incidents/" + id).status()).isEqualTo(404);
        assertThat(update(support, id, "identified", "x", "all", "[\"statuspage\"]", true).status()).isEqualTo(403);
        assertThat(update(customer, id, "identified", "x", "all", "[\"statuspage\"]", true).status()).isEqualTo(404);
        assertThat(Api.expect(200, support.get("/api/v1/incidents/" + id)).text("id")).isEqualTo(id);
    }

    @Test
    void the_check_endpoint_reviews_a_draft_and_a_dry_run_stores_nothing() throws Exception {
        Api.Answer check = Api.expect(200, communicator.post("/api/v1/messages/check", "{\"body\":" + Api.quote(seed("buffer-email-2.md")) + "}"));
        assertThat(check.json().get("checklist")).allSatisfy(c -> assertThat(c.get("ok").asBoolean()).as(c.toString()).isTrue());
        String id = openIncident(communicator, "Dry run");
        Api.Answer dry = Api.expect(200, communicator.post("/api/v1/incidents/" + id + "/updates", "{\"status\":\"identified\",\"body\":\"hello\","
                + "\"audience\":\"needs_reconnect\",\"channels\":[\"statuspage\",\"webhook\"],\"dryRun\":true}"));
        assertThat(dry.json().get("dryRun").asBoolean()).isTrue();
        assertThat(dry.json().get("recipients").asInt()).isZero();
        assertThat(Api.expect(200, communicator.get("/api/v1/incidents/" + id)).json().get("updates")).isEmpty();
    }
}
