package dev.signalbox.comms;

import static dev.signalbox.comms.FanOutFixtures.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Two nodes fan out through an SMTP server that fails now and then (a proxy in front of GreenMail):
 * every 7th recipient is greylisted (451), the server is down for a second (421 on connect), one
 * address is refused for good (550) and one is always busy (451). Every other recipient still gets
 * exactly one message, and every failure is visible on its recipient.
 */
class EmailFanOutFailuresTest {

    static final int CUSTOMERS = 300;
    static final String ADMIN = "flaky-admin@example.com";
    static final String REFUSED = "customer-3@example.test";
    static final String BUSY = "customer-4@example.test";

    @Test
    void an_smtp_server_that_fails_now_and_then_still_gets_each_message_once_and_failures_show_per_recipient() throws Exception {
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        String database = TestPostgres.freshDatabaseUrl();
        try (FlakySmtp flaky = new FlakySmtp(smtp.getSmtp().getPort(), 7, Set.of(REFUSED), Set.of(BUSY))) {
            Map<String, String> settings = new HashMap<>(Map.of("spring.mail.host", "127.0.0.1", "spring.mail.port", String.valueOf(flaky.port()),
                    "signalbox.mail.connections", "2", "signalbox.mail.batch-size", "10", "signalbox.mail.rate", "100",
                    "signalbox.mail.retry-initial-ms", "100", "signalbox.mail.max-attempts", "6"));
            Map<String, String> first = new HashMap<>(settings);
            first.putAll(Map.of("signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD));
            try (Node a = Node.start(database, first); Node b = Node.start(database, settings)) {
                FanOutFixtures.customers(a.bean(org.springframework.jdbc.core.simple.JdbcClient.class), CUSTOMERS);
                Api communicator = FanOutFixtures.operator(a.api(), FanOutFixtures.admin(a.api(), ADMIN), "communicator");
                String incident = FanOutFixtures.openIncident(communicator, "Flaky mail server");
                String update = FanOutFixtures.emailUpdate(communicator, incident, "all");
                Thread.sleep(400);
                flaky.down(true);
                Thread.sleep(1_000);
                flaky.down(false);

                JsonNode done = FanOutFixtures.awaitDeliveries(communicator, incident, update, Duration.ofMinutes(2),
                        d -> d.get("queued").asInt() + d.get("sending").asInt() == 0);
                assertThat(flaky.turnedAway()).as("connections turned away while the server was down").isPositive();
                assertThat(flaky.deferred()).as("RCPTs greylisted").isGreaterThan(CUSTOMERS / 7);
                assertThat(done.get("sent").asInt()).isEqualTo(CUSTOMERS - 2);
                assertThat(done.get("bounced").asInt()).isEqualTo(1);
                assertThat(done.get("failed").asInt()).isEqualTo(1);
                FanOutFixtures.awaitChannelState(communicator, incident, update, "email", "partial");

                JsonNode bounced = FanOutFixtures.deliveries(communicator, incident, update, "?state=bounced").get("recipients").get(0);
                assertThat(bounced.get("email").asString()).isEqualTo(REFUSED);
                assertThat(bounced.get("lastError").asString()).startsWith("550 5.1.1").contains("no such mailbox");
                assertThat(bounced.get("attempts").asInt()).isEqualTo(1);
                JsonNode failed = FanOutFixtures.deliveries(communicator, incident, update, "?state=failed").get("recipients").get(0);
                assertThat(failed.get("email").asString()).isEqualTo(BUSY);
                assertThat(failed.get("attempts").asInt()).isEqualTo(6);
                assertThat(failed.get("lastError").asString()).contains("gave up after 6 attempts", "451 4.7.1", "Greylisted");

                int retried = 0;
                for (JsonNode r : FanOutFixtures.deliveries(communicator, incident, update, "?state=sent&limit=500").get("recipients")) {
                    if (r.get("attempts").asInt() > 1) {
                        retried++;
                        assertThat(r.get("lastError").asString()).as("the failure before success stays visible").matches("(?s)attempt \\d+: .*(451|421).*");
                    } else {
                        assertThat(r.get("lastError").isNull()).isTrue();
                    }
                }
                assertThat(retried).as("recipients sent only after a retry").isGreaterThan(20);

                Thread.sleep(300);
                List<MimeMessage> received = FanOutFixtures.ofIncident(smtp.getReceivedMessages(), incident);
                Map<String, Integer> perRecipient = new HashMap<>();
                for (MimeMessage m : received) perRecipient.merge(m.getAllRecipients()[0].toString(), 1, Integer::sum);
                assertThat(perRecipient).doesNotContainKeys(REFUSED, BUSY).hasSize(CUSTOMERS - 2);
                assertThat(perRecipient.values()).as("messages per recipient").containsOnly(1);
            }
        } finally {
            smtp.stop();
        }
    }
}
