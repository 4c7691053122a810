package dev.signalbox.comms;

import static dev.signalbox.comms.FanOutFixtures.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.signalbox.mail.MailBounced;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Email fan-out over real SMTP (GreenMail): one personalised message per customer, counted and listed for operators. */
class EmailFanOutTest {

    static final int CUSTOMERS = 2_000;
    static final String ADMIN = "fanout-admin@example.com";
    static final Pattern HANDLE = Pattern.compile("@cust_(\\d+)_");

    static GreenMail smtp;
    static Node node;
    static JdbcClient db;
    static Api communicator;

    @BeforeAll
    static void start() {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        String database = TestPostgres.freshDatabaseUrl();
        node = Node.start(database, Map.of("signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD,
                "spring.mail.host", "127.0.0.1", "spring.mail.port", String.valueOf(smtp.getSmtp().getPort()),
                "signalbox.mail.from", "signalbox@signalbox.test", "signalbox.mail.support-address", "support@signalbox.test",
                "signalbox.base-url", "https://signalbox.test"));
        db = node.bean(JdbcClient.class);
        FanOutFixtures.customers(db, CUSTOMERS);
        Api admin = FanOutFixtures.admin(node.api(), ADMIN);
        communicator = FanOutFixtures.operator(node.api(), admin, "communicator");
    }

    @AfterAll
    static void stop() {
        node.close();
        smtp.stop();
    }

    @Test
    void an_update_to_two_thousand_customers_sends_each_one_personalised_message() throws Exception {
        String incident = FanOutFixtures.openIncident(communicator, "Spam posted through X and Facebook");
        String update = FanOutFixtures.emailUpdate(communicator, incident, "all");
        JsonNode done = FanOutFixtures.awaitDeliveries(communicator, incident, update, Duration.ofMinutes(3), d -> d.get("sent").asInt() == CUSTOMERS);
        assertThat(done.get("queued").asInt() + done.get("sending").asInt() + done.get("failed").asInt() + done.get("bounced").asInt()).isZero();
        assertThat(done.get("total").asInt()).isEqualTo(CUSTOMERS);
        FanOutFixtures.awaitChannelState(communicator, incident, update, "email", "delivered");

        // Operators page through every recipient: 2,000 distinct deliveries, all sent, each to its own customer.
        Map<String, String> deliveryByEmail = new HashMap<>();
        String after = "";
        do {
            JsonNode page = FanOutFixtures.deliveries(communicator, incident, update, "?limit=500" + (after.isEmpty() ? "" : "&after=" + after));
            for (JsonNode r : page.get("recipients")) {
                assertThat(r.get("state").asString()).isEqualTo("sent");
                assertThat(r.get("attempts").asInt()).isEqualTo(1);
                assertThat(r.get("sentAt").isNull()).isFalse();
                assertThat(r.get("userId").asString()).isEqualTo("usr_c" + r.get("email").asString().replaceAll("\\D", ""));
                assertThat(deliveryByEmail.put(r.get("email").asString(), r.get("id").asString())).isNull();
            }
            after = page.get("next").isNull() ? "" : page.get("next").asString();
        } while (!after.isEmpty());
        assertThat(deliveryByEmail).hasSize(CUSTOMERS);

        Thread.sleep(300); // GreenMail stores a message just after answering 250
        List<MimeMessage> received = FanOutFixtures.ofIncident(smtp.getReceivedMessages(), incident);
        assertThat(received).hasSize(CUSTOMERS);
        Set<String> recipients = new HashSet<>();
        for (MimeMessage m : received) {
            String to = m.getAllRecipients()[0].toString();
            assertThat(recipients.add(to)).as("one message only to " + to).isTrue();
            int i = Integer.parseInt(to.replaceAll("\\D", ""));
            String delivery = deliveryByEmail.get(to);
            assertThat(m.getMessageID()).isEqualTo("<" + delivery + "@signalbox.test>");
            assertThat(m.getHeader("Reply-To")[0]).isEqualTo("support+" + delivery + "@signalbox.test");
            assertThat(m.getHeader("X-Signalbox-Delivery")[0]).isEqualTo(delivery);
            assertThat(m.getSubject()).isEqualTo("[Signalbox] Spam posted through X and Facebook — Identified");

            String text = FanOutFixtures.text(m);
            assertThat(text).startsWith("Hi Customer " + i + ",\n\nI am so sorry").doesNotContain("Hi there");
            assertThat(text).contains("- Remove any posts that look like spam", "– Ana and the Signalbox team",
                    "Follow this incident: https://signalbox.test/status#" + incident);
            Matcher handles = HANDLE.matcher(text);
            while (handles.find()) assertThat(Integer.parseInt(handles.group(1))).as("handles in the message to customer " + i).isEqualTo(i);
            assertThat(text).contains("- @cust_" + i + "_x on X: " + (i % 5 == 0 ? "needs to be reconnected" : "connected, nothing to do"));
            String reconnect = "- Reconnect your X account @cust_" + i + "_x: https://signalbox.test/workspaces/wsp_c" + i;
            if (i % 5 == 0) assertThat(text).contains(reconnect);
            else assertThat(text).doesNotContain("Reconnect your").contains("- Nothing: your profiles keep posting as usual.");
            if (i % 7 == 0) {
                assertThat(text).contains("- @cust_" + i + "_fb on Facebook: 1 post hidden, deleted or restored by us",
                        "- Hidden on Facebook (@cust_" + i + "_fb)", "\"Spam number " + i + " — win a prize\"\n  https://facebook.example/posts/" + i);
            } else {
                assertThat(text).doesNotContain("Spam number", "on Facebook");
            }
            String html = FanOutFixtures.html(m);
            assertThat(html).contains("<p>Hi Customer " + i + ",</p>", "<li>Remove any posts that look like spam</li>")
                    .doesNotContain("Hi there");
            if (i % 7 == 0) assertThat(html).contains("<a href=\"https://facebook.example/posts/" + i + "\">Spam number " + i);
        }
        assertThat(recipients).isEqualTo(deliveryByEmail.keySet());
    }

    @Test
    void a_bounce_reported_later_marks_that_recipient_bounced_with_the_servers_words() throws Exception {
        String incident = FanOutFixtures.openIncident(communicator, "Bounce later");
        String update = FanOutFixtures.emailUpdate(communicator, incident, "needs_reconnect");
        int expected = CUSTOMERS / 5;
        FanOutFixtures.awaitDeliveries(communicator, incident, update, Duration.ofMinutes(2), d -> d.get("sent").asInt() == expected);
        JsonNode first = FanOutFixtures.deliveries(communicator, incident, update, "?limit=1").get("recipients").get(0);
        node.publish(new MailBounced("<" + first.get("id").asString() + "@signalbox.test>",
                first.get("email").asString(), "550 5.2.1 mailbox disabled"));
        JsonNode after = FanOutFixtures.deliveries(communicator, incident, update, "?state=bounced");
        assertThat(after.get("bounced").asInt()).isEqualTo(1);
        assertThat(after.get("sent").asInt()).isEqualTo(expected - 1);
        assertThat(after.get("recipients").get(0).get("id").asString()).isEqualTo(first.get("id").asString());
        assertThat(after.get("recipients").get(0).get("lastError").asString()).isEqualTo("550 5.2.1 mailbox disabled");
        assertThat(FanOutFixtures.channelState(communicator, incident, update, "email")).isEqualTo("partial");
    }

    @Test
    void an_empty_audience_is_delivered_at_once_and_bad_queries_name_the_field() {
        String incident = FanOutFixtures.openIncident(communicator, "Nobody on Bluesky");
        String update = FanOutFixtures.emailUpdate(communicator, incident, "network:bluesky");
        JsonNode none = FanOutFixtures.deliveries(communicator, incident, update, "");
        assertThat(none.get("total").asInt()).isZero();
        assertThat(none.get("recipients")).isEmpty();
        assertThat(FanOutFixtures.channelState(communicator, incident, update, "email")).isEqualTo("delivered");

        Api.Answer unknownChannel = communicator.post("/api/v1/incidents/" + incident + "/updates", "{\"status\":\"identified\",\"body\":"
                + Api.quote(FanOutFixtures.UPDATE) + ",\"audience\":\"all\",\"channels\":[\"email\",\"carrier-pigeon\"]}");
        assertThat(unknownChannel.status()).isEqualTo(422);
        assertThat(unknownChannel.json().get("errors").toString()).contains("\"field\":\"channels[1]\"", "'carrier-pigeon'");

        String path = "/api/v1/incidents/" + incident + "/updates/" + update + "/deliveries";
        record Case(String query, String field) {}
        for (Case c : List.of(new Case("?limit=0", "limit"), new Case("?limit=501", "limit"), new Case("?limit=ten", "limit"),
                new Case("?state=lost", "state"), new Case("?after=dlv_x", "after"))) {
            Api.Answer answer = communicator.get(path + c.query());
            assertThat(answer.status()).as(c.query()).isEqualTo(422);
            assertThat(answer.json().get("errors").get(0).get("field").asString()).isEqualTo(c.field());
        }
        assertThat(communicator.get("/api/v1/incidents/" + incident + "/updates/upd_missing/deliveries").status()).isEqualTo(404);
        String other = FanOutFixtures.openIncident(communicator, "Another");
        assertThat(communicator.get("/api/v1/incidents/" + other + "/updates/" + update + "/deliveries").status()).isEqualTo(404);
        assertThat(node.api().newCustomer("Cleo").get(path).status()).isEqualTo(404);
    }

    @Test
    void without_smtp_every_recipient_gets_one_message_in_the_outbox() throws Exception {
        try (Node outboxNode = Node.start(TestPostgres.freshDatabaseUrl(), Map.of("signalbox.admin.email", ADMIN, "signalbox.admin.password",
                PASSWORD, "signalbox.mail.support-address", "help@signalbox.test"))) {
            JdbcClient outboxDb = outboxNode.bean(JdbcClient.class);
            FanOutFixtures.customers(outboxDb, 120);
            Api as = FanOutFixtures.operator(outboxNode.api(), FanOutFixtures.admin(outboxNode.api(), ADMIN), "communicator");
            String incident = FanOutFixtures.openIncident(as, "No SMTP here");
            String update = FanOutFixtures.emailUpdate(as, incident, "all");
            FanOutFixtures.awaitDeliveries(as, incident, update, Duration.ofMinutes(1), d -> d.get("sent").asInt() == 120);
            List<Map<String, Object>> outbox = outboxDb.sql("""
                    select o.recipient, o.body, o.reply_to, o.message_id, o.state, d.id as delivery
                    from mail_outbox o join update_deliveries d on '<' || d.id || '@localhost>' = o.message_id
                    where d.update_id = :u""").param("u", update).query().listOfRows();
            assertThat(outbox).hasSize(120);
            assertThat(outbox.stream().map(r -> r.get("recipient")).distinct()).hasSize(120);
            for (Map<String, Object> row : outbox) {
                int i = Integer.parseInt(((String) row.get("recipient")).replaceAll("\\D", ""));
                assertThat(row.get("state")).isEqualTo("stored");
                assertThat((String) row.get("body")).startsWith("Hi Customer " + i + ",");
                assertThat(row.get("reply_to")).isEqualTo("help+" + row.get("delivery") + "@signalbox.test");
            }
            FanOutFixtures.awaitChannelState(as, incident, update, "email", "delivered");
        }
    }
}
