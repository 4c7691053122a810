package dev.signalbox.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.TestTotp;
import dev.signalbox.accounts.Users;
import dev.signalbox.mail.MailBounced;
import dev.signalbox.platform.Ids;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.FormBrowser;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.event.ApplicationEventMulticaster;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The support inbox end to end: GreenMail's IMAP mailbox read by two real nodes on one database,
 * answers sent through GreenMail's SMTP server, the webhook, bounces, status-page comments and the
 * operator pages over real HTTP.
 */
class SupportInboxTest {

    static final String ADMIN = "support-admin@example.com";
    static final String PASSWORD = "correct horse battery staple";
    static final String SUPPORT_ADDRESS = "support@signalbox.test";
    static final String MAILBOX_PASSWORD = "p@ss:w/rd%"; // URL-encoded in the IMAP URL: the node must decode it
    static final String SECRET = "inbound-" + UUID.randomUUID();
    static final Session SESSION = Session.getInstance(new Properties());

    static GreenMail mail;
    static GreenMailUser mailbox;
    static Node a;
    static Node b;
    static JdbcClient db;
    static Api admin;
    static Api support;
    static Browser operator;
    static String incidentOne;
    static String updateOne;
    static String incidentTwo;
    static String updateTwo;
    static final List<MailBounced> bounces = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        mail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP));
        mail.start();
        mailbox = mail.setUser(SUPPORT_ADDRESS, "support", MAILBOX_PASSWORD);
        String imapUrl = "imap://support:" + URLEncoder.encode(MAILBOX_PASSWORD, StandardCharsets.UTF_8) + "@127.0.0.1:"
                + mail.getImap().getPort() + "/INBOX";
        Map<String, String> settings = new HashMap<>(Map.of(
                "signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD, "signalbox.admin.totp-secret", TestTotp.SECRET,
                "spring.mail.host", "127.0.0.1", "spring.mail.port", String.valueOf(mail.getSmtp().getPort()),
                "signalbox.mail.from", "signalbox@signalbox.test", "signalbox.mail.poll-interval-ms", "200",
                "signalbox.mail.support-address", SUPPORT_ADDRESS, "signalbox.support.imap-url", imapUrl));
        settings.put("signalbox.support.imap-poll-ms", "200");
        settings.put("signalbox.support.inbound-secret", SECRET);
        String database = TestPostgres.freshDatabaseUrl();
        a = Node.start(database, settings);
        b = Node.start(database, settings);
        for (Node node : List.of(a, b)) {
            node.bean(ApplicationEventMulticaster.class).addApplicationListener((ApplicationListener<ApplicationEvent>) event -> {
                if (event instanceof PayloadApplicationEvent<?> p && p.getPayload() instanceof MailBounced bounced) bounces.add(bounced);
            });
        }
        db = a.bean(JdbcClient.class);
        admin = a.api().as(Api.expect(201, a.api().post("/api/v1/auth/token", "{\"email\":\"" + ADMIN + "\",\"password\":\"" + PASSWORD
                + "\",\"totp\":\"" + TestTotp.code(TestTotp.SECRET, 0) + "\"}")).text("token"));
        support = operator("support");
        operator = new Browser(a.port());
        operator.get("/login");
        operator.post("/login", "username", ADMIN, "password", PASSWORD, "totp", TestTotp.code(TestTotp.SECRET, 1));

        Api communicator = operator("communicator");
        incidentOne = Api.expect(201, communicator.post("/api/v1/incidents",
                "{\"title\":\"Spam posted through X\",\"severity\":\"critical\",\"status\":\"investigating\"}")).text("id");
        updateOne = publish(communicator, incidentOne);
        incidentTwo = Api.expect(201, communicator.post("/api/v1/incidents",
                "{\"title\":\"Facebook posts delayed\",\"severity\":\"minor\",\"status\":\"investigating\"}")).text("id");
        updateTwo = publish(communicator, incidentTwo);
    }

    @AfterAll
    static void stop() {
        if (b != null) b.close();
        if (a != null) a.close();
        if (mail != null) mail.stop();
    }

    // ------------------------------------------------------------------ the tests

    @Test
    void fifty_replies_become_fifty_waiting_threads_on_the_right_customers_and_incidents_once_across_two_nodes() throws Exception {
        long storedBefore = mailbox(a).stored() + mailbox(b).stored();
        long duplicatesBefore = mailbox(a).duplicates() + mailbox(b).duplicates();
        List<CurrentUser> customers = new ArrayList<>();
        List<String> deliveries = new ArrayList<>();
        List<String> messageIds = new ArrayList<>();
        List<MimeMessage> replies = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            CurrentUser customer = customer("Reader " + i);
            String delivery = delivery(i < 25 ? updateOne : updateTwo, customer);
            customers.add(customer);
            deliveries.add(delivery);
            String messageId = "<reply-" + i + "-" + UUID.randomUUID() + "@customer.example>";
            messageIds.add(messageId);
            // Half answer with In-Reply-To; the other half only reach us at the +token address, from an address we do not know.
            replies.add(i % 2 == 0
                    ? message(customer.email(), SUPPORT_ADDRESS, "Re: Spam on my account", messageId, "<" + delivery + "@signalbox.test>",
                            "Is my account safe now?\n\nOn Mon, 21 Oct 2013 at 09:00, Signalbox <signalbox@signalbox.test> wrote:\n> We are sorry.")
                    : message("other-" + i + "-" + UUID.randomUUID().toString().substring(0, 6) + "@elsewhere.example",
                            "support+" + delivery + "@signalbox.test", "Re: Spam on my account", messageId, null, "What should I do?\n-- \nSent from my phone"));
        }
        String strangerId = "<stranger-" + UUID.randomUUID() + "@unknown.example>";
        String stranger = "nobody-" + UUID.randomUUID().toString().substring(0, 8) + "@unknown.example";
        replies.add(message(stranger, SUPPORT_ADDRESS, "Hello?", strangerId, null, "Who do I talk to about my account?"));
        String brokenId = "<broken-" + UUID.randomUUID() + "@broken.example>";
        MimeMessage broken = raw("""
                From: "Broken <<@@
                To: support@signalbox.test
                Subject: my posts
                Message-ID: %s
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="never-there"

                This body never has its boundary.
                """.formatted(brokenId));
        replies.add(broken);
        messageIds.add(strangerId);
        messageIds.add(brokenId);

        for (MimeMessage reply : replies) mailbox.deliver(reply);
        await(Duration.ofSeconds(60), () -> storedCount(messageIds) == 52);
        Thread.sleep(1500); // both nodes keep polling: give a duplicate every chance to appear
        assertThat(storedCount(messageIds)).isEqualTo(52);
        assertThat(db.sql("select count(*) from support_messages where message_id = any(:ids)").param("ids", messageIds.toArray(String[]::new))
                .query(Integer.class).single()).isEqualTo(52);

        JsonNode waiting = Api.expect(200, support.get("/api/v1/support/threads?state=waiting")).json().get("threads");
        for (int i = 0; i < 50; i++) {
            CurrentUser customer = customers.get(i);
            List<JsonNode> theirs = StreamSupport.stream(waiting.spliterator(), false)
                    .filter(t -> !t.get("customer").isNull() && t.get("customer").get("id").asString().equals(customer.id())).toList();
            assertThat(theirs).as("threads of customer %d", i).hasSize(1);
            assertThat(theirs.getFirst().get("incidentId").asString()).isEqualTo(i < 25 ? incidentOne : incidentTwo);
            assertThat(theirs.getFirst().get("customer").get("email").asString()).isEqualTo(customer.email());
            assertThat(theirs.getFirst().get("messages").asInt()).isEqualTo(1);
            assertThat(theirs.getFirst().get("state").asString()).isEqualTo("waiting");
        }
        JsonNode unassigned = StreamSupport.stream(waiting.spliterator(), false)
                .filter(t -> t.get("replyAddress").isString() && t.get("replyAddress").asString().equals(stranger)).findFirst().orElseThrow();
        assertThat(unassigned.get("customer").isNull()).isTrue();
        assertThat(unassigned.get("incidentId").isNull()).isTrue();

        String brokenThread = db.sql("select thread_id from support_messages where message_id = :id").param("id", brokenId).query(String.class).single();
        JsonNode conversation = Api.expect(200, support.get("/api/v1/support/threads/" + brokenThread)).json();
        assertThat(conversation.get("thread").get("malformed").asBoolean()).isTrue();
        assertThat(conversation.get("thread").get("customer").isNull()).isTrue();
        String reason = conversation.get("messages").get(0).get("malformedReason").asString();
        assertThat(reason).contains("From:").contains("body:");
        assertThat(conversation.get("messages").get(0).get("text").asString()).contains("This body never has its boundary.");

        // Each of the two nodes read the mailbox; between them every message was stored once, and they did meet.
        assertThat(mailbox(a).stored() + mailbox(b).stored() - storedBefore).isEqualTo(52);
        System.out.printf("fifty replies: node a stored %d, node b stored %d, copies found already stored: %d%n", mailbox(a).stored(),
                mailbox(b).stored(), mailbox(a).duplicates() + mailbox(b).duplicates() - duplicatesBefore);
    }

    @Test
    void two_nodes_reading_the_same_unseen_messages_at_once_store_each_once() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "<race-" + i + "-" + UUID.randomUUID() + "@customer.example>";
            ids.add(id);
            mailbox.deliver(message("race-" + UUID.randomUUID().toString().substring(0, 8) + "@unknown.example", SUPPORT_ADDRESS, "Race " + i, id,
                    null, "Message " + i));
        }
        // Besides their own schedule, both nodes are made to read at the very same moment.
        long before = mailbox(a).duplicates() + mailbox(b).duplicates();
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
        List<Thread> readers = new ArrayList<>();
        for (Node node : List.of(a, b)) {
            Thread t = new Thread(() -> {
                try {
                    together.await();
                    mailbox(node).poll();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            readers.add(t);
        }
        for (Thread t : readers) t.join();
        await(Duration.ofSeconds(30), () -> storedCount(ids) == 20);
        Thread.sleep(1000);
        assertThat(storedCount(ids)).isEqualTo(20);
        assertThat(db.sql("select count(distinct thread_id) from support_messages where message_id = any(:ids)").param("ids", ids.toArray(String[]::new))
                .query(Integer.class).single()).isEqualTo(20);
        assertThat(mailbox(a).duplicates() + mailbox(b).duplicates() - before).as("the nodes read the same messages").isPositive();
    }

    @Test
    void an_answer_reaches_the_customer_threaded_under_their_message_and_the_panel_moves() throws Exception {
        CurrentUser customer = customer("Ana Answered");
        String delivery = delivery(updateOne, customer);
        String theirs = "<question-" + UUID.randomUUID() + "@customer.example>";
        mailbox.deliver(message(customer.email(), "support+" + delivery + "@signalbox.test", "Re: Spam posted through X", theirs,
                "<" + delivery + "@signalbox.test>", "Do I need to change my password?"));
        String thread = awaitThreadOf(theirs);
        JsonNode before = Api.expect(200, support.get("/api/v1/support/panel")).json();
        assertThat(panelOnPage("panel-waiting")).isEqualTo(before.get("waiting").asString());

        Api.Answer sent = Api.expect(201, support.post("/api/v1/support/threads/" + thread + "/replies",
                "{\"body\":\"No: passwords were not affected. We revoked every X token; reconnect X when you are ready.\\n\\n– Sam, Signalbox support\"}"));
        assertThat(sent.text("to")).isEqualTo(customer.email());

        MimeMessage answer = awaitMailTo(customer.email());
        assertThat(answer.getHeader("In-Reply-To", null)).isEqualTo(theirs);
        assertThat(answer.getHeader("References", null)).isEqualTo("<" + delivery + "@signalbox.test> " + theirs);
        assertThat(answer.getSubject()).isEqualTo("Re: Spam posted through X");
        assertThat(answer.getReplyTo()[0].toString()).isEqualTo(SUPPORT_ADDRESS);
        assertThat(answer.getMessageID()).isEqualTo(sent.text("messageId"));
        assertThat(((String) answer.getContent())).contains("passwords were not affected");

        JsonNode after = Api.expect(200, support.get("/api/v1/support/panel")).json();
        assertThat(after.get("waiting").asInt()).isEqualTo(before.get("waiting").asInt() - 1);
        assertThat(after.get("answered").asInt()).isEqualTo(before.get("answered").asInt() + 1);
        assertThat(after.get("medianFirstAnswerSeconds").isNull()).isFalse();
        assertThat(panelOnPage("panel-waiting")).isEqualTo(after.get("waiting").asString());
        JsonNode t = Api.expect(200, support.get("/api/v1/support/threads/" + thread)).json().get("thread");
        assertThat(t.get("state").asString()).isEqualTo("answered");
        assertThat(t.get("firstAnsweredAt").isNull()).isFalse();
        assertThat(db.sql("select count(*) from audit_log where action = 'support.reply' and target = :t").param("t", thread)
                .query(Integer.class).single()).isEqualTo(1);
    }

    @Test
    void a_follow_up_to_our_answer_joins_the_same_thread_and_waits_again() throws Exception {
        CurrentUser customer = customer("Finn Follow-up");
        String delivery = delivery(updateTwo, customer);
        String first = "<first-" + UUID.randomUUID() + "@customer.example>";
        mailbox.deliver(message(customer.email(), SUPPORT_ADDRESS, "Re: Facebook posts delayed", first, "<" + delivery + "@signalbox.test>",
                "When will my posts go out?"));
        String thread = awaitThreadOf(first);
        Api.expect(201, support.post("/api/v1/support/threads/" + thread + "/replies", "{\"body\":\"Within the hour, in order. – Sam\"}"));
        MimeMessage answer = awaitMailTo(customer.email());

        // The customer answers our answer from another address: the headers alone bring it home.
        String followUp = "<follow-" + UUID.randomUUID() + "@customer.example>";
        mailbox.deliver(message("finn-at-home-" + UUID.randomUUID().toString().substring(0, 6) + "@elsewhere.example", SUPPORT_ADDRESS,
                "Re: " + answer.getSubject(), followUp, answer.getMessageID(), answer.getHeader("References", null) + " " + answer.getMessageID(),
                "Thanks, they did!\n\nOn Tue, 22 Oct 2013, Signalbox <support@signalbox.test> wrote:\n> Within the hour, in order. – Sam"));
        await(Duration.ofSeconds(30), () -> storedCount(List.of(followUp)) == 1);
        assertThat(db.sql("select thread_id from support_messages where message_id = :m").param("m", followUp).query(String.class).single())
                .isEqualTo(thread);
        JsonNode conversation = Api.expect(200, support.get("/api/v1/support/threads/" + thread)).json();
        assertThat(conversation.get("thread").get("state").asString()).isEqualTo("waiting");
        assertThat(conversation.get("messages")).hasSize(3);
        JsonNode last = conversation.get("messages").get(2);
        assertThat(last.get("text").asString()).contains("> Within the hour");
        assertThat(last.get("parts").get(0).get("text").asString()).isEqualTo("Thanks, they did!");
        assertThat(last.get("parts").get(1).get("folded").asBoolean()).isTrue();
        assertThat(last.get("parts").get(1).get("text").asString()).startsWith("On Tue, 22 Oct 2013").contains("> Within the hour");
    }

    @Test
    void the_inbound_webhook_needs_the_secret_and_names_each_malformed_field() {
        Api anonymous = a.api();
        CurrentUser customer = customer("Wendy Webhook");
        String good = "{\"from\":\"" + customer.email() + "\",\"to\":\"" + SUPPORT_ADDRESS + "\",\"subject\":\"Question\",\"text\":\"Hi!\","
                + "\"messageId\":\"<hook-" + UUID.randomUUID() + "@mail.example>\"}";
        Api.Answer missing = anonymous.post(InboundWebhook.PATH, good);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.text("detail")).contains("X-Signalbox-Inbound-Secret").doesNotContain(SECRET);
        assertThat(webhook(good, "wrong-" + SECRET).status()).isEqualTo(401);
        assertThat(webhook(good, SECRET.substring(0, SECRET.length() - 1)).status()).isEqualTo(401);

        Api.Answer malformed = webhook("{\"from\":42,\"to\":[],\"subject\":\"x\",\"messageId\":\"not an id\"}", SECRET);
        assertThat(malformed.status()).isEqualTo(422);
        assertThat(fields(malformed)).containsExactlyInAnyOrder("from", "to", "text", "messageId");
        assertThat(malformed.json().get("errors").toString()).contains("must be a string", "Message-ID");
        Api.Answer noFrom = webhook("{\"to\":\"" + SUPPORT_ADDRESS + "\",\"subject\":\"x\",\"text\":\"y\",\"messageId\":\"<a@b>\"}", SECRET);
        assertThat(fields(noFrom)).containsExactly("from");

        Api.Answer stored = webhook(good, SECRET);
        assertThat(stored.status()).isEqualTo(201);
        assertThat(stored.text("outcome")).isEqualTo("stored");
        Api.Answer again = webhook(good, SECRET);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.text("outcome")).isEqualTo("duplicate");
        assertThat(again.text("threadId")).isEqualTo(stored.text("threadId"));
        JsonNode thread = Api.expect(200, support.get("/api/v1/support/threads/" + stored.text("threadId"))).json().get("thread");
        assertThat(thread.get("customer").get("id").asString()).isEqualTo(customer.id());
        assertThat(thread.get("incidentId").isNull()).isTrue();

        String delivery = delivery(updateTwo, customer);
        Api.Answer threaded = Api.expect(201, webhook("{\"from\":\"" + customer.email() + "\",\"to\":[\"" + SUPPORT_ADDRESS + "\"],\"subject\":\"Re: delayed\","
                + "\"html\":\"<p>Still <b>waiting</b></p>\",\"messageId\":\"hook-" + UUID.randomUUID() + "@mail.example\","
                + "\"inReplyTo\":\"<" + delivery + "@signalbox.test>\"}", SECRET));
        JsonNode linked = Api.expect(200, support.get("/api/v1/support/threads/" + threaded.text("threadId"))).json();
        assertThat(linked.get("thread").get("incidentId").asString()).isEqualTo(incidentTwo);
        assertThat(linked.get("messages").get(0).get("text").asString()).isEqualTo("Still waiting");
    }

    @Test
    void a_delivery_status_notification_is_announced_once_as_a_bounce_and_is_no_thread() throws Exception {
        CurrentUser customer = customer("Gone Away");
        String delivery = delivery(updateOne, customer);
        String dsnId = "<dsn-" + UUID.randomUUID() + "@mx.example.net>";
        mailbox.deliver(raw("""
                From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
                To: signalbox@signalbox.test
                Subject: Undelivered Mail Returned to Sender
                Message-ID: %s
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="BOUND"

                --BOUND
                Content-Type: text/plain

                I'm sorry to have to inform you that your message could not be delivered.

                --BOUND
                Content-Type: message/delivery-status

                Reporting-MTA: dns; mx.example.net

                Final-Recipient: rfc822; %s
                Action: failed
                Status: 5.1.1
                Diagnostic-Code: smtp; 550 5.1.1 <%s>: Recipient address rejected: User unknown

                --BOUND
                Content-Type: text/rfc822-headers

                From: signalbox@signalbox.test
                To: %s
                Subject: Spam posted through X
                Message-ID: <%s@signalbox.test>

                --BOUND--
                """.formatted(dsnId, customer.email(), customer.email(), customer.email(), delivery)));
        await(Duration.ofSeconds(30), () -> bounces.stream().anyMatch(x -> x.recipient() != null && x.recipient().equals(customer.email())));
        Thread.sleep(1000);
        List<MailBounced> theirs = bounces.stream().filter(x -> customer.email().equals(x.recipient())).toList();
        assertThat(theirs).hasSize(1);
        assertThat(theirs.getFirst().messageId()).isEqualTo("<" + delivery + "@signalbox.test>");
        assertThat(theirs.getFirst().reason()).contains("550 5.1.1").contains("User unknown");
        assertThat(db.sql("select count(*) from support_messages where message_id = :id").param("id", dsnId).query(Integer.class).single()).isZero();
        assertThat(db.sql("select count(*) from support_threads where subject like 'Undelivered%'").query(Integer.class).single()).isZero();

        String hooked = "gone-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Api.Answer viaWebhook = webhook("{\"from\":\"postmaster@mx.example.net\",\"to\":\"signalbox@signalbox.test\",\"subject\":\"Delivery failure\","
                + "\"text\":\"Final-Recipient: rfc822; " + hooked + "\\nStatus: 5.2.2\\nDiagnostic-Code: smtp; 552 mailbox full\\n\\nMessage-ID: <dlv_x@signalbox.test>\","
                + "\"messageId\":\"<dsn-" + UUID.randomUUID() + "@mx.example.net>\"}", SECRET);
        assertThat(viaWebhook.status()).isEqualTo(202);
        assertThat(bounces).anySatisfy(x -> {
            assertThat(x.recipient()).isEqualTo(hooked);
            assertThat(x.reason()).isEqualTo("552 mailbox full");
            assertThat(x.messageId()).isEqualTo("<dlv_x@signalbox.test>");
        });
    }

    @Test
    void script_and_event_handler_injection_in_a_comment_or_an_email_reaches_no_page() throws Exception {
        String attack = "<script>alert('pwned')</script><img src=x onerror=alert(1)>";
        // A customer signs in and finds the comment form under the update; an anonymous reader does not.
        Browser reader = new Browser(a.port());
        String email = "commenter-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        reader.get("/signup");
        reader.post("/signup", "name", "Cora Commenter", "email", email, "password", "correct horse battery");
        HttpResponse<String> status = reader.get("/status");
        assertThat(status.body()).contains("action=\"" + StatusComments.comments(updateOne) + "\"");
        assertThat(status.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        HttpResponse<String> anonymous = new Browser(a.port()).get("/status");
        assertThat(anonymous.body()).doesNotContain("Send comment").contains("data-update=\"" + updateOne + "\"");
        assertThat(anonymous.headers().firstValue("ETag")).isPresent();

        assertThat(reader.postWithoutCsrf(StatusComments.comments(updateOne), "body", "no token").statusCode()).isEqualTo(403);
        HttpResponse<String> empty = reader.post(StatusComments.comments(updateOne), "body", "  ");
        assertThat(empty.statusCode()).isEqualTo(422);
        assertThat(empty.body()).contains("Write your comment first");
        HttpResponse<String> commented = reader.post(StatusComments.comments(updateOne), "body", "My posts look odd " + attack);
        assertThat(commented.statusCode()).isEqualTo(200);
        assertThat(commented.uri().getQuery()).isEqualTo("sent");
        assertThat(commented.body()).contains("Thank you").contains(email);

        CurrentUser customer = a.bean(Users.class).byEmail(email).orElseThrow();
        String commentThread = db.sql("select id from support_threads where customer_id = :c").param("c", customer.id()).query(String.class).single();
        JsonNode thread = Api.expect(200, support.get("/api/v1/support/threads/" + commentThread)).json();
        assertThat(thread.get("thread").get("incidentId").asString()).isEqualTo(incidentOne);
        assertThat(thread.get("messages").get(0).get("source").asString()).isEqualTo("comment");
        assertThat(thread.get("messages").get(0).get("updateId").asString()).isEqualTo(updateOne);

        String mailId = "<attack-" + UUID.randomUUID() + "@evil.example>";
        MimeMessage evil = message("evil-" + UUID.randomUUID().toString().substring(0, 6) + "@evil.example", SUPPORT_ADDRESS,
                "<script>alert('subject')</script>", mailId, null, "Look: " + attack);
        evil.setFrom(new jakarta.mail.internet.InternetAddress(evil.getFrom()[0].toString(), "<img src=y onerror=alert(3)>"));
        evil.saveChanges();
        evil.setHeader("Message-ID", mailId);
        mailbox.deliver(evil);
        String mailThread = awaitThreadOf(mailId);

        List<String> pages = new ArrayList<>();
        pages.add(operator.get(SupportPages.INBOX + "?state=all").body());
        pages.add(operator.get(SupportPages.thread(commentThread)).body());
        pages.add(operator.get(SupportPages.thread(mailThread)).body());
        pages.add(reader.get("/status").body());
        pages.add(anonymous.body());
        pages.add(reader.get(StatusComments.comments(updateOne) + "?sent").body());
        assertThat(pages.get(1)).contains("My posts look odd &lt;script&gt;");
        assertThat(pages.get(2)).contains("&lt;script&gt;alert(");
        for (String page : pages) {
            assertThat(page).doesNotContain("<script>alert").doesNotContain("<img");
            assertThat(Pattern.compile("<[^>]*onerror", Pattern.CASE_INSENSITIVE).matcher(page).find()).as("an event handler in a tag").isFalse();
        }
    }

    @Test
    void an_operator_answers_from_the_dashboard_with_a_canned_answer_and_assigns_the_thread() throws Exception {
        CurrentUser customer = customer("Dana Dashboard");
        String delivery = delivery(updateOne, customer);
        String theirs = "<dash-" + UUID.randomUUID() + "@customer.example>";
        mailbox.deliver(message(customer.email(), "support+" + delivery + "@signalbox.test", "Re: Spam posted through X", theirs, null,
                "Was my Facebook page affected?"));
        String thread = awaitThreadOf(theirs);

        HttpResponse<String> inbox = operator.get(SupportPages.INBOX);
        assertThat(inbox.body()).contains("Every reply answered").contains("href=\"" + SupportPages.thread(thread) + "\"");
        String title = "Not affected " + UUID.randomUUID().toString().substring(0, 6);
        HttpResponse<String> refused = operator.post(SupportPages.CANNED, "title", "", "body", "");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("id=\"canned-title-error\"");
        assertThat(operator.post(SupportPages.CANNED, "title", title, "body", "Your passwords and billing were not affected.").body())
                .contains("Canned answer saved.").contains(title);
        String cannedId = Api.expect(200, support.get("/api/v1/support/canned")).json().get("canned").valueStream()
                .filter(c -> c.get("title").asString().equals(title)).findFirst().orElseThrow().get("id").asString();

        HttpResponse<String> page = operator.get(SupportPages.thread(thread));
        assertThat(page.body()).contains("Was my Facebook page affected?").contains(title);
        HttpResponse<String> composed = operator.post(SupportPages.compose(thread), "body", "Hi Dana,", "canned", cannedId);
        assertThat(composed.body()).contains("Hi Dana,\n\nYour passwords and billing were not affected.</textarea>");
        HttpResponse<String> fragment = operator.postAsHtmx(SupportPages.compose(thread), "body", "", "canned", cannedId);
        assertThat(fragment.body().strip()).startsWith("<textarea id=\"reply-body\"").doesNotContain("<html");

        HttpResponse<String> empty = operator.post(SupportPages.replies(thread), "body", " ");
        assertThat(empty.statusCode()).isEqualTo(422);
        HttpResponse<String> sent = operator.post(SupportPages.replies(thread), "body", "Hi Dana,\n\nYour passwords and billing were not affected.\n\n– Sam");
        assertThat(sent.uri().getPath()).isEqualTo(SupportPages.thread(thread));
        assertThat(sent.body()).contains("Answer sent").contains("answered");
        assertThat(((String) awaitMailTo(customer.email()).getContent())).contains("billing were not affected");

        String supportId = Api.expect(200, admin.get("/api/v1/operators")).json().get("operators").valueStream()
                .filter(o -> o.get("roles").toString().contains("support")).findFirst().orElseThrow().get("id").asString();
        HttpResponse<String> assigned = operator.post(SupportPages.assign(thread), "operatorId", supportId);
        assertThat(assigned.body()).contains("assigned to support-");
        HttpResponse<String> bad = operator.post(SupportPages.assign(thread), "operatorId", customer.id());
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(bad.body()).contains("is not an operator who answers support");
        assertThat(db.sql("select action from audit_log where target = :t order by seq").param("t", thread).query(String.class).list())
                .containsExactly("support.reply", "support.assign");
    }

    // ------------------------------------------------------------------ fixtures

    static Api operator(String role) {
        String email = role + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Api.expect(201, admin.post("/api/v1/operators", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\",\"name\":\"Sam "
                + role + "\",\"roles\":[\"" + role + "\"]}"));
        return a.api().as(a.api().post("/api/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}").text("token"));
    }

    static String publish(Api communicator, String incident) {
        String body = "We are sorry. Spam went out through some accounts.\n\nWhat to do now:\n\n- nothing yet\n\n"
                + "Passwords are not affected. Reply to this email; we answer every one.\n\n– Sam";
        return Api.expect(201, communicator.post("/api/v1/incidents/" + incident + "/updates", "{\"status\":\"identified\",\"body\":"
                + Api.quote(body) + ",\"audience\":\"all\",\"channels\":[\"statuspage\"],\"overrideChecklist\":true}")).text("id");
    }

    static CurrentUser customer(String name) {
        return a.bean(Users.class).signUp(name.toLowerCase().replaceAll("[^a-z]", "") + "-" + UUID.randomUUID().toString().substring(0, 8)
                + "@example.com", "correct horse battery", name);
    }

    /** A sent incident email to {@code customer}, as the email fan-out records it (the fan-out itself is another feature). */
    static String delivery(String updateId, CurrentUser customer) {
        String id = Ids.next("dlv", System.currentTimeMillis());
        db.sql("insert into update_deliveries (id, update_id, user_id, email, state, sent_at) values (:id, :u, :c, :e, 'sent', :now)")
                .param("id", id).param("u", updateId).param("c", customer.id()).param("e", customer.email()).param("now", OffsetDateTime.now())
                .update();
        return id;
    }

    static MimeMessage message(String from, String to, String subject, String messageId, String inReplyTo, String text) throws Exception {
        return message(from, to, subject, messageId, inReplyTo, inReplyTo, text);
    }

    static MimeMessage message(String from, String to, String subject, String messageId, String inReplyTo, String references, String text)
            throws Exception {
        MimeMessage m = new MimeMessage(SESSION);
        m.setFrom(from);
        m.setRecipients(Message.RecipientType.TO, to);
        m.setSubject(subject, "UTF-8");
        m.setText(text, "UTF-8");
        m.saveChanges();
        m.setHeader("Message-ID", messageId);
        if (inReplyTo != null) m.setHeader("In-Reply-To", inReplyTo);
        if (references != null) m.setHeader("References", references);
        return m;
    }

    static MimeMessage raw(String source) throws Exception {
        return new MimeMessage(SESSION, new ByteArrayInputStream(source.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)));
    }

    static SupportMailbox mailbox(Node node) {
        return node.bean(SupportMailbox.class);
    }

    static int storedCount(List<String> messageIds) {
        return db.sql("select count(*) from support_messages where message_id = any(:ids)").param("ids", messageIds.toArray(String[]::new))
                .query(Integer.class).single();
    }

    static String awaitThreadOf(String messageId) throws Exception {
        await(Duration.ofSeconds(30), () -> storedCount(List.of(messageId)) == 1);
        return db.sql("select thread_id from support_messages where message_id = :m").param("m", messageId).query(String.class).single();
    }

    static MimeMessage awaitMailTo(String email) throws Exception {
        await(Duration.ofSeconds(30), () -> mail.findReceivedMessages(u -> u.getEmail().equalsIgnoreCase(email), m -> true).findAny().isPresent());
        List<MimeMessage> received = mail.findReceivedMessages(u -> u.getEmail().equalsIgnoreCase(email), m -> true).toList();
        return received.getLast();
    }

    static Api.Answer webhook(String json, String secret) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port() + InboundWebhook.PATH))
                    .header("Content-Type", "application/json").header(InboundWebhook.SECRET_HEADER, secret)
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            return new Api.Answer(r.statusCode(), r.body().isBlank() ? null : Api.JSON.readTree(r.body()), r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> fields(Api.Answer answer) {
        return answer.json().get("errors").valueStream().map(e -> e.get("field").asString()).toList();
    }

    static String panelOnPage(String id) throws Exception {
        Matcher m = Pattern.compile("id=\"" + id + "\">([^<]*)<").matcher(operator.get(SupportPages.PANEL).body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("Condition not met within " + timeout);
            Thread.sleep(100);
        }
    }

    static final class Browser extends FormBrowser {
        Browser(int port) {
            super(port);
        }
    }
}
