package dev.signalbox.comms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.accounts.TestTotp;
import dev.signalbox.accounts.Users;
import dev.signalbox.platform.Ids;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.FormBrowser;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.SettableClock;
import dev.signalbox.testing.TestPostgres;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Follow-up campaigns over real HTTP on two nodes sharing one PostgreSQL and one settable clock
 * (reminders are hours and days apart). Messages are read from the mail outbox, as operators see them.
 * Each test uses its own network so that the people one test makes wait to reconnect are not
 * another test's recipients.
 */
class FollowUpCampaignTest {

    static final String ADMIN = "followups-admin@example.com";
    static final String PASSWORD = "correct horse battery staple";
    static final String SUPPORT_ADDRESS = "support@signalbox.test";
    static final String BASE = "https://signalbox.example";
    static final SettableClock clock = new SettableClock();
    static Node one;
    static Node two;
    static JdbcClient db;
    static Api anonymous;
    static Api admin;
    static Api communicator;
    static Api responder;
    static Browser adminBrowser;

    @BeforeAll
    static void start() throws Exception {
        String database = TestPostgres.freshDatabaseUrl();
        Map<String, String> settings = Map.of(
                "signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD, "signalbox.admin.totp-secret", TestTotp.SECRET,
                "signalbox.mail.support-address", SUPPORT_ADDRESS, "signalbox.base-url", BASE,
                "signalbox.follow-ups.poll-ms", "100",
                "signalbox.follow-ups.batch-size", "7",
                "signalbox.networks.allow-private-addresses", "true");
        one = Node.start(database, settings, clock);
        two = Node.start(database, settings, clock);
        db = one.bean(JdbcClient.class);
        anonymous = one.api();
        adminBrowser = new Browser(one);
        adminBrowser.get("/login");
        adminBrowser.post("/login", "username", ADMIN, "password", PASSWORD, "totp", TestTotp.code(TestTotp.SECRET, 0));
        admin = operator("admin");
        communicator = operator("communicator");
        responder = operator("responder");
    }

    @AfterAll
    static void stop() {
        two.close();
        one.close();
    }

    static Api operator(String role) {
        String email = role + "-" + UUID.randomUUID().toString().substring(0, 8) + "@signalbox.test";
        one.bean(Users.class).createOperator(email, PASSWORD, "Maya " + role, List.of(role));
        return anonymous.as(Api.expect(201, anonymous.post("/api/v1/auth/token",
                "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}")).text("token"));
    }

    record Customer(Api api, String email, String name, String workspace, List<String> handles) {}

    static Customer customer(String name, int profiles) {
        Api api = anonymous.newCustomer(name);
        String workspace = api.createWorkspace(name + "'s shop");
        String email = db.sql("select u.email from users u join workspace_members m on m.user_id = u.id where m.workspace_id = :w")
                .param("w", workspace).query(String.class).single();
        List<String> handles = new ArrayList<>();
        for (int i = 0; i < profiles; i++) {
            String handle = "h" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            api.connectSandbox(workspace, handle);
            handles.add(handle);
        }
        return new Customer(api, email, name, workspace, handles);
    }

    /** A customer who owns one workspace with one profile on {@code network} waiting to be reconnected, written straight to the tables. */
    record Seeded(String userId, String email, String workspace, String handle) {}

    static List<Seeded> seedWaiting(String network, int count) {
        List<Seeded> out = new ArrayList<>();
        OffsetDateTime now = OffsetDateTime.now();
        for (int i = 0; i < count; i++) {
            String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
            Seeded s = new Seeded(Ids.next("usr", System.currentTimeMillis()), network + "-" + tag + "@example.com",
                    Ids.next("wsp", System.currentTimeMillis()), network + tag);
            db.sql("insert into users (id, email, name, password_hash, created_at) values (:id, :e, :n, 'not-a-hash', :now)")
                    .param("id", s.userId()).param("e", s.email()).param("n", "Sam " + tag).param("now", now).update();
            db.sql("insert into workspaces (id, name, created_at) values (:id, :n, :now)")
                    .param("id", s.workspace()).param("n", "Shop " + tag).param("now", now).update();
            db.sql("insert into workspace_members (workspace_id, user_id, role) values (:w, :u, 'owner')")
                    .param("w", s.workspace()).param("u", s.userId()).update();
            db.sql("""
                    insert into profiles (id, workspace_id, network, handle, status, status_reason, created_at)
                    values (:id, :w, :n, :h, 'needs_reconnect', 'disconnected for safety', :now)""")
                    .param("id", Ids.next("prf", System.currentTimeMillis())).param("w", s.workspace()).param("n", network)
                    .param("h", s.handle()).param("now", now).update();
            out.add(s);
        }
        return out;
    }

    static String openIncident(String title, String status) {
        return Api.expect(201, communicator.post("/api/v1/incidents", "{\"title\":" + Api.quote(title)
                + ",\"severity\":\"critical\",\"status\":\"" + status + "\",\"networks\":[\"x\"]}")).text("id");
    }

    static JsonNode progress(String incident, String followUp) {
        JsonNode list = Api.expect(200, responder.get("/api/v1/incidents/" + incident + "/follow-ups")).json().get("followUps");
        for (JsonNode c : list) if (c.get("id").asString().equals(followUp)) return c;
        throw new AssertionError("follow-up " + followUp + " not listed: " + list);
    }

    static List<Integer> sentByRound(String incident, String followUp) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode n : progress(incident, followUp).get("sentByRound")) out.add(n.asInt());
        return out;
    }

    record Mail(String recipient, String subject, String body, String replyTo) {}

    static List<Mail> mailWithSubject(String subject) {
        return db.sql("select recipient, subject, body, reply_to from mail_outbox where subject = :s order by recipient")
                .param("s", subject).query((rs, n) -> new Mail(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4))).list();
    }

    static Map<String, List<Mail>> byRecipient(List<Mail> mails) {
        Map<String, List<Mail>> out = new HashMap<>();
        for (Mail m : mails) out.computeIfAbsent(m.recipient(), k -> new ArrayList<>()).add(m);
        return out;
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("Timed out waiting until " + what);
            Thread.sleep(50);
        }
    }

    @Test
    void reconnect_follow_up_reaches_only_those_who_must_reconnect_and_reminds_only_those_who_have_not() throws Exception {
        List<Customer> waiting = new ArrayList<>();
        for (int i = 0; i < 30; i++) waiting.add(customer("Wendy" + letters(i) + " Reader", i % 2 == 0 ? 2 : 1));
        Api.expect(202, responder.post("/api/v1/disconnections", "{\"network\":\"sandbox\",\"reason\":\"Sandbox tokens leaked in a backup\"}"));
        List<Customer> fine = new ArrayList<>();
        for (int i = 0; i < 10; i++) fine.add(customer("Felix" + letters(i) + " Fine", 1));
        // A viewer of a waiting workspace cannot reconnect it, so is not asked to.
        Customer viewer = fine.getFirst();
        Api.expect(201, waiting.getFirst().api().post("/api/v1/workspaces/" + waiting.getFirst().workspace() + "/members",
                "{\"email\":\"" + viewer.email() + "\",\"role\":\"viewer\"}"));
        String incident = openIncident("Sandbox tokens leaked", "identified");

        JsonNode dry = Api.expect(200, communicator.post("/api/v1/incidents/" + incident + "/follow-ups",
                "{\"action\":\"reconnect\",\"network\":\"sandbox\",\"dryRun\":true}")).json();
        assertThat(dry.get("recipients").asInt()).isEqualTo(30);
        assertThat(dry.get("id").isNull()).isTrue();
        String sampleBody = dry.get("sample").get("body").asString();
        Customer sampled = waiting.stream().filter(c -> c.email().equals(dry.get("sample").get("to").asString())).findFirst().orElseThrow();
        assertThat(sampleBody).contains("Hi " + sampled.name().split(" ")[0] + ",", "/workspaces/" + sampled.workspace());
        for (String h : sampled.handles()) assertThat(sampleBody).contains("@" + h + " on sandbox");
        assertThat(Api.expect(200, responder.get("/api/v1/incidents/" + incident + "/follow-ups")).json().get("followUps")).isEmpty();

        JsonNode created = Api.expect(201, communicator.post("/api/v1/incidents/" + incident + "/follow-ups",
                "{\"action\":\"reconnect\",\"network\":\"sandbox\",\"reminders\":[\"PT24H\",\"P3D\"]}")).json();
        String id = created.get("id").asString();
        assertThat(created.get("recipients").asInt()).isEqualTo(30);
        assertThat(created.get("checklist")).allSatisfy(c -> assertThat(!c.get("required").asBoolean() || c.get("ok").asBoolean())
                .as(c.toString()).isTrue());
        await("the first message went to all 30", () -> sentByRound(incident, id).getFirst() == 30);

        String subject = "Please reconnect your sandbox profiles in Signalbox";
        Map<String, List<Mail>> first = byRecipient(mailWithSubject(subject));
        assertThat(first).hasSize(30);
        for (Customer c : waiting) {
            assertThat(first.get(c.email())).as(c.email()).singleElement().satisfies(m -> {
                assertThat(m.replyTo()).isEqualTo(SUPPORT_ADDRESS);
                assertThat(m.body()).startsWith("Hi " + c.name().split(" ")[0] + ",").contains("sorry", "not affected", "reply")
                        .contains("reconnect at " + BASE + "/workspaces/" + c.workspace());
                for (String h : c.handles()) {
                    assertThat(m.body()).contains("- @" + h + " on sandbox (workspace \"" + c.name() + "'s shop\"): reconnect at " + BASE
                            + "/workspaces/" + c.workspace());
                }
                for (Customer other : waiting) {
                    if (other == c) continue;
                    for (String h : other.handles()) assertThat(m.body()).doesNotContain(h);
                    assertThat(m.body()).doesNotContain(other.workspace());
                }
            });
        }
        for (Customer c : fine) assertThat(first).doesNotContainKey(c.email());
        JsonNode afterFirst = progress(incident, id);
        assertThat(afterFirst.get("state").asString()).isEqualTo("active");
        assertThat(afterFirst.get("nextReminderAt").isNull()).isFalse();

        // 12 reconnect everything; one more reconnects only the first of their two profiles.
        for (Customer c : waiting.subList(0, 12)) for (String h : c.handles()) c.api().connectSandbox(c.workspace(), h);
        Customer partly = waiting.get(12);
        partly.api().connectSandbox(partly.workspace(), partly.handles().get(0));
        JsonNode twelveDone = progress(incident, id);
        assertThat(twelveDone.get("done").asInt()).isEqualTo(12);
        assertThat(twelveDone.get("waiting").asInt()).isEqualTo(18);

        clock.advance(Duration.ofHours(24).plusMinutes(1));
        await("the first reminder went to the 18", () -> sentByRound(incident, id).get(1) == 18);
        Thread.sleep(400); // a few more polls on both nodes: nothing more goes out
        assertThat(sentByRound(incident, id)).containsExactly(30, 18, 0);
        Map<String, List<Mail>> reminders = byRecipient(mailWithSubject("Reminder: " + subject));
        assertThat(reminders).hasSize(18);
        for (Customer c : waiting.subList(0, 12)) assertThat(reminders).doesNotContainKey(c.email());
        for (Customer c : waiting.subList(12, 30)) assertThat(reminders.get(c.email())).as(c.email()).hasSize(1);
        assertThat(reminders.get(partly.email()).getFirst().body()).contains("@" + partly.handles().get(1)).doesNotContain(partly.handles().get(0));

        for (Customer c : waiting.subList(12, 30)) for (String h : c.handles()) c.api().connectSandbox(c.workspace(), h);
        assertThat(progress(incident, id).get("done").asInt()).isEqualTo(30);
        await("the campaign finished", () -> progress(incident, id).get("state").asString().equals("finished"));
        clock.advance(Duration.ofDays(3));
        Thread.sleep(500);
        JsonNode finished = progress(incident, id);
        assertThat(sentByRound(incident, id)).containsExactly(30, 18, 0);
        assertThat(finished.get("nextReminderAt").isNull()).isTrue();
        assertThat(finished.get("waiting").asInt()).isZero();
        assertThat(mailWithSubject("Reminder: " + subject)).hasSize(18);
        assertThat(db.sql("select count(*) from audit_log where action = 'comms.follow-up.create' and target = :i").param("i", incident)
                .query(Integer.class).single()).isEqualTo(1);

        String page = adminBrowser.get(IncidentPages.show(incident)).body();
        assertThat(page).contains("id=\"follow-ups\"", "hx-get=\"" + FollowUpPages.section(incident) + "\"", "30 of 30", "finished",
                "<td class=\"sent-1\">18</td>");
        HttpResponse<String> fragment = adminBrowser.get(FollowUpPages.section(incident), "HX-Request", "true");
        assertThat(fragment.body()).startsWith("<section id=\"follow-ups\"").contains("30 of 30").doesNotContain("<html");
    }

    @Test
    void two_nodes_sending_at_once_give_each_recipient_each_round_exactly_once() throws Exception {
        List<Seeded> people = seedWaiting("x", 300);
        String incident = openIncident("X tokens leaked", "monitoring");
        String id = Api.expect(201, communicator.post("/api/v1/incidents/" + incident + "/follow-ups",
                "{\"action\":\"reconnect\",\"network\":\"x\",\"reminders\":[\"PT1H\"]}")).text("id");
        FollowUpRounds[] senders = {one.bean(FollowUpRounds.class), two.bean(FollowUpRounds.class)};

        race(senders);
        // A scheduled poller may still hold the last batch when the racing threads find nothing free: wait for it.
        await("round 0 complete", () -> sentByRound(incident, id).getFirst() == 300);
        assertThat(sentByRound(incident, id)).containsExactly(300, 0);
        clock.advance(Duration.ofMinutes(61));
        race(senders);
        await("round 1 complete", () -> sentByRound(incident, id).get(1) == 300);
        Thread.sleep(300); // more polls on both nodes: nothing more goes out
        assertThat(sentByRound(incident, id)).containsExactly(300, 300);
        assertThat(progress(incident, id).get("state").asString()).isEqualTo("finished");

        String subject = "Please reconnect your X profiles in Signalbox";
        Map<String, List<Mail>> first = byRecipient(mailWithSubject(subject));
        Map<String, List<Mail>> reminder = byRecipient(mailWithSubject("Reminder: " + subject));
        for (Seeded s : people) {
            assertThat(first.get(s.email())).as(s.email()).hasSize(1);
            assertThat(reminder.get(s.email())).as(s.email()).hasSize(1);
            assertThat(first.get(s.email()).getFirst().body()).contains("@" + s.handle() + " on X",
                    "/connect/x?workspace=" + s.workspace());
        }
        assertThat(first).hasSize(300);
        assertThat(reminder).hasSize(300);
    }

    /** Four threads per node call the sender at once (the scheduled pollers run too) until nothing is due; any error fails the test. */
    private static void race(FollowUpRounds[] senders) throws Exception {
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                FollowUpRounds sender = senders[i % 2];
                runs.add(threads.submit(sender::sendDue));
            }
            for (Future<Integer> run : runs) run.get();
        }
        Thread.sleep(300); // let a poller's batch in flight commit
    }

    @Test
    void a_stopped_follow_up_sends_nothing_more_and_the_stop_is_audited() throws Exception {
        List<Seeded> people = seedWaiting("bluesky", 5);
        String incident = openIncident("Bluesky sessions leaked", "identified");
        String id = Api.expect(201, communicator.post("/api/v1/incidents/" + incident + "/follow-ups",
                "{\"action\":\"reconnect\",\"network\":\"bluesky\",\"reminders\":[\"PT1H\",\"PT2H\"]}")).text("id");
        await("the first message went", () -> sentByRound(incident, id).getFirst() == 5);

        String page = adminBrowser.get(IncidentPages.show(incident)).body();
        assertThat(page).contains("0 of 5", "Stop this follow-up", "action=\"" + FollowUpPages.stop(incident, id) + "\"");
        HttpResponse<String> stopped = adminBrowser.post(FollowUpPages.stop(incident, id));
        assertThat(stopped.statusCode()).isEqualTo(200);
        assertThat(stopped.body()).contains("<strong class=\"state\">stopped</strong>").doesNotContain("Stop this follow-up");

        Api.Answer again = communicator.post("/api/v1/incidents/" + incident + "/follow-ups/" + id + "/stop", "{}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.text("detail")).contains("stopped");
        clock.advance(Duration.ofHours(3));
        Thread.sleep(500);
        assertThat(sentByRound(incident, id)).containsExactly(5, 0, 0);
        assertThat(progress(incident, id).get("nextReminderAt").isNull()).isTrue();
        assertThat(mailWithSubject("Reminder: Please reconnect your Bluesky profiles in Signalbox")).isEmpty();
        assertThat(db.sql("select count(*) from audit_log where action = 'comms.follow-up.stop' and target = :i").param("i", incident)
                .query(Integer.class).single()).isEqualTo(1);
        assertThat(people).hasSize(5);
    }

    @Test
    void bad_requests_are_refused_naming_the_field_and_the_rule() {
        String incident = openIncident("Bad follow-ups", "investigating");
        String url = "/api/v1/incidents/" + incident + "/follow-ups";
        record Case(String json, String field, String says) {}
        List<Case> cases = List.of(
                new Case("{\"action\":\"wave\"}", "action", "'wave' is not a follow-up action"),
                new Case("{}", "action", "is required"),
                new Case("{\"action\":\"reconnect\",\"network\":\"myspace\"}", "network", "'myspace' is not a network"),
                new Case("{\"action\":\"reconnect\",\"reminders\":[\"P3D\",\"PT24H\"]}", "reminders[1]", "must come after the reminder before it"),
                new Case("{\"action\":\"reconnect\",\"reminders\":[\"PT24H\",\"PT24H\"]}", "reminders[1]", "must come after"),
                new Case("{\"action\":\"reconnect\",\"reminders\":[\"-PT1H\"]}", "reminders[0]", "must be positive"),
                new Case("{\"action\":\"reconnect\",\"reminders\":[\"PT0S\"]}", "reminders[0]", "must be positive"),
                new Case("{\"action\":\"reconnect\",\"reminders\":[\"tomorrow\"]}", "reminders[0]", "not an ISO-8601 duration"),
                new Case("{\"action\":\"reconnect\",\"reminders\":[\"PT1H\",\"PT2H\",\"PT3H\",\"PT4H\",\"PT5H\",\"PT6H\"]}", "reminders", "at most 5"),
                new Case("{\"action\":\"reconnect\",\"body\":\"Sorry, please reconnect.\"}", "body", "must contain {{profiles}}"),
                new Case("{\"action\":\"reconnect\",\"body\":\"Hi {{nmae}}: {{profiles}}\"}", "body", "'{{nmae}}' is not a placeholder"));
        for (Case c : cases) {
            Api.Answer answer = communicator.post(url, c.json());
            assertThat(answer.status()).as(c.json()).isEqualTo(422);
            assertThat(answer.json().get("errors").toString()).as(c.json()).contains("\"field\":\"" + c.field() + "\"").contains(c.says());
        }
        Api.Answer both = communicator.post(url, "{\"action\":\"wave\",\"reminders\":[\"soon\"]}");
        assertThat(both.json().get("errors").toString()).contains("\"field\":\"action\"", "\"field\":\"reminders[0]\"");

        assertThat(communicator.post("/api/v1/incidents/inc_nope/follow-ups", "{\"action\":\"reconnect\"}").status()).isEqualTo(404);
        assertThat(responder.get("/api/v1/incidents/inc_nope/follow-ups").status()).isEqualTo(404);
        assertThat(communicator.post(url + "/fup_nope/stop", "{}").status()).isEqualTo(404);

        Api.Answer nobody = communicator.post(url, "{\"action\":\"reconnect\",\"network\":\"mastodon\"}");
        assertThat(nobody.status()).isEqualTo(409);
        assertThat(nobody.text("detail")).contains("Nobody has a profile waiting to be reconnected on mastodon");

        // Follow-ups after the incident is resolved are legitimate (Buffer's reconnect email came after the fix).
        List<Seeded> person = seedWaiting("facebook", 1);
        String resolved = openIncident("Facebook tokens leaked", "resolved");
        String resolvedUrl = "/api/v1/incidents/" + resolved + "/follow-ups";
        Api.Answer terse = communicator.post(resolvedUrl, "{\"action\":\"reconnect\",\"network\":\"facebook\",\"body\":\"Reconnect: {{profiles}}\"}");
        assertThat(terse.status()).isEqualTo(422);
        assertThat(terse.json().get("errors").toString()).contains("\"field\":\"body\"", "apology", "signature");
        JsonNode sent = Api.expect(201, communicator.post(resolvedUrl, "{\"action\":\"reconnect\",\"network\":\"facebook\","
                + "\"body\":\"Reconnect: {{profiles}}\",\"overrideChecklist\":true,\"reminders\":[]}")).json();
        assertThat(sent.get("recipients").asInt()).isEqualTo(1);
        assertThat(sent.get("sample").get("body").asString()).isEqualTo("Reconnect: - @" + person.getFirst().handle()
                + " on Facebook (workspace \"Shop " + person.getFirst().handle().substring("facebook".length())
                + "\"): reconnect at " + BASE + "/connect/facebook?workspace=" + person.getFirst().workspace());
        assertThat(db.sql("select count(*) from audit_log where action = 'comms.checklist.override' and target = :i").param("i", resolved)
                .query(Integer.class).single()).isEqualTo(1);
        assertThat(admin.post(resolvedUrl, "{\"action\":\"reconnect\",\"network\":\"facebook\",\"dryRun\":true}").status()).isEqualTo(200);
        assertThat(operator("support").post(resolvedUrl, "{\"action\":\"reconnect\",\"dryRun\":true}").status()).isEqualTo(403);
    }

    private static String letters(int i) {
        return String.valueOf((char) ('a' + i / 26)) + (char) ('a' + i % 26);
    }

    /** A browser session on a node: cookies, redirects, and the CSRF token of the last page read. */
    static final class Browser extends FormBrowser {
        Browser(Node node) {
            super(node.port());
        }
    }
}
