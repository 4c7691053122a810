package dev.signalbox.comms;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import dev.signalbox.accounts.TestTotp;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.FormBrowser;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The "done when", end to end on one node with every real part: one update goes out on
 * email (GreenMail SMTP), the status page, the Atom feed, the company's social profile (the
 * sandbox network), the in-app banner and a webhook; every customer gets exactly one email
 * addressed to them; their replies come back over IMAP into the support inbox on the right
 * customer and incident; an answer reaches them threaded under their reply.
 */
class OneUpdateEveryChannelTest {

    static final String ADMIN = "every-channel-admin@example.com";
    static final String PASSWORD = "correct horse battery staple";
    static final String CUSTOMER_PASSWORD = "correct-horse-battery";
    static final String SUPPORT_ADDRESS = "support@signalbox.test";
    static final int CUSTOMERS = 20;
    static final String BODY = """
            Hi there,

            I'm so sorry. This morning at 09:10 UTC spam was posted from some profiles on the sandbox network.
            We stopped all posting at once. Most customers were not affected.

            What you should do now:

            - Delete any post you did not write
            - Reconnect your profile if we asked you to

            Your password and billing details are not affected. We will post updates on our status page, on the sandbox
            network and in your dashboard.

            Reply to this email with any question; we will answer every email.

            – Ana and the Signalbox team
            """;

    static GreenMail mail;
    static GreenMailUser supportMailbox;
    static HttpServer receiver;
    static final List<Map<String, String>> hooks = new CopyOnWriteArrayList<>();
    static Node node;
    static Api admin;
    static Api communicator;

    record Customer(String name, String email, Api api, String profileId) {}

    @BeforeAll
    static void start() throws Exception {
        mail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP));
        mail.start();
        supportMailbox = mail.setUser(SUPPORT_ADDRESS, "support", "mailbox-password");
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            hooks.add(Map.of("body", body, "signature", String.valueOf(exchange.getRequestHeaders().getFirst("X-Signalbox-Signature")),
                    "delivery", String.valueOf(exchange.getRequestHeaders().getFirst("X-Signalbox-Delivery"))));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        node = Node.start(TestPostgres.freshDatabaseUrl(), Map.ofEntries(
                Map.entry("signalbox.admin.email", ADMIN), Map.entry("signalbox.admin.password", PASSWORD),
                Map.entry("signalbox.admin.totp-secret", TestTotp.SECRET),
                Map.entry("spring.mail.host", "127.0.0.1"), Map.entry("spring.mail.port", String.valueOf(mail.getSmtp().getPort())),
                Map.entry("signalbox.mail.from", "signalbox@signalbox.test"), Map.entry("signalbox.mail.support-address", SUPPORT_ADDRESS),
                Map.entry("signalbox.support.imap-url", "imap://support:mailbox-password@127.0.0.1:" + mail.getImap().getPort() + "/INBOX"),
                Map.entry("signalbox.support.imap-poll-ms", "200"), Map.entry("signalbox.mail.poll-interval-ms", "200"),
                Map.entry("signalbox.networks.allow-private-addresses", "true")));
        admin = node.api().as(Api.expect(201, node.api().post("/api/v1/auth/token", "{\"email\":\"" + ADMIN + "\",\"password\":\"" + PASSWORD
                + "\",\"totp\":\"" + TestTotp.code(TestTotp.SECRET, 0) + "\"}")).text("token"));
        String email = "communicator-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Api.expect(201, admin.post("/api/v1/operators", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD
                + "\",\"name\":\"Ana Communicator\",\"roles\":[\"communicator\"]}"));
        communicator = node.api().as(node.api().post("/api/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}").text("token"));
    }

    @AfterAll
    static void stop() {
        if (node != null) node.close();
        if (receiver != null) receiver.stop(0);
        if (mail != null) mail.stop();
    }

    static Customer customer(String name) {
        String slug = name.toLowerCase().replaceAll("[^a-z]", "");
        String email = slug + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Api.expect(201, node.api().post("/api/v1/users", "{\"email\":\"" + email + "\",\"password\":\"" + CUSTOMER_PASSWORD + "\",\"name\":\"" + name + "\"}"));
        Api api = node.api().as(node.api().post("/api/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"" + CUSTOMER_PASSWORD + "\"}").text("token"));
        String workspace = api.createWorkspace(name + "'s workspace");
        String profile = api.connectSandbox(workspace, slug + "_" + UUID.randomUUID().toString().substring(0, 6));
        return new Customer(name, email, api, profile);
    }

    @Test
    void one_update_reaches_every_channel_every_customer_once_and_their_replies_are_answered_in_thread() throws Exception {
        Customer company = customer("Signalbox Status");
        Api.expect(201, communicator.post("/api/v1/incident-channels", "{\"profileId\":\"" + company.profileId() + "\"}"));
        String secret = Api.expect(201, communicator.post("/api/v1/webhooks",
                "{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\",\"description\":\"ops chat\"}")).text("secret");
        List<Customer> customers = new ArrayList<>();
        String[] first = {"Ana", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun"};
        for (int i = 0; i < CUSTOMERS; i++) customers.add(customer(first[i % 10] + " " + (i < 10 ? "Lima" : "Moreno")));
        Browser browser = Browser.signedIn(customers.getFirst().email());

        String incident = Api.expect(201, communicator.post("/api/v1/incidents", "{\"title\":\"Spam posted through the sandbox network\","
                + "\"severity\":\"critical\",\"status\":\"investigating\",\"networks\":[\"sandbox\"]}")).text("id");
        JsonNode published = Api.expect(201, communicator.post("/api/v1/incidents/" + incident + "/updates", "{\"status\":\"identified\",\"body\":"
                + Api.quote(BODY) + ",\"audience\":\"all\",\"channels\":[\"email\",\"statuspage\",\"social\",\"banner\",\"webhook\"]}")).json();
        String update = published.get("id").asString();
        assertThat(published.get("recipients").asInt()).isEqualTo(CUSTOMERS + 1); // every customer, the company's account too

        await("email, social and webhook delivered", () -> "delivered".equals(state(incident, update, "email"))
                && "delivered".equals(state(incident, update, "social")) && "delivered".equals(state(incident, update, "webhook")));

        // Email: one message per customer, addressed to them, threading back to their delivery.
        JsonNode deliveries = Api.expect(200, communicator.get("/api/v1/incidents/" + incident + "/updates/" + update + "/deliveries")).json();
        assertThat(deliveries.get("sent").asInt()).isEqualTo(CUSTOMERS + 1);
        assertThat(deliveries.get("queued").asInt() + deliveries.get("failed").asInt() + deliveries.get("bounced").asInt()).isZero();
        Map<String, MimeMessage> received = new java.util.HashMap<>();
        for (MimeMessage m : mail.getReceivedMessages()) {
            String to = ((InternetAddress) m.getRecipients(Message.RecipientType.TO)[0]).getAddress();
            assertThat(received.put(to, m)).as("a second message to " + to).isNull();
        }
        assertThat(received).hasSize(CUSTOMERS + 1);
        for (Customer c : customers) {
            MimeMessage m = received.get(c.email());
            assertThat(m).as(c.email()).isNotNull();
            assertThat(m.getSubject()).contains("Spam posted through the sandbox network");
            assertThat(text(m)).contains("Hi " + c.name() + ",", "I'm so sorry").doesNotContain("Hi there,");
            String delivery = IncidentMail.deliveryIdIn(m.getMessageID()).orElseThrow();
            assertThat(((InternetAddress) m.getReplyTo()[0]).getAddress()).isEqualTo("support+" + delivery + "@signalbox.test");
        }

        // Status page and feed.
        assertThat(get("/status")).contains("Spam posted through the sandbox network", "This morning at 09:10 UTC spam was posted");
        assertThat(get("/status/feed.atom")).contains(update);

        // Social: the company's profile published a short form with the status link.
        JsonNode posts = Api.expect(200, company.api().get("/api/v1/profiles/" + company.profileId() + "/posts")).json().get("posts");
        assertThat(posts).hasSize(1);
        assertThat(posts.get(0).get("status").asString()).isEqualTo("published");
        assertThat(posts.get(0).get("text").asString()).startsWith("Spam posted through the sandbox network").endsWith("/status");

        // Banner: on the customer's dashboard.
        assertThat(browser.get("/")).contains("data-update=\"" + update + "\"", "Spam posted through the sandbox network");

        // Webhook: once, signed with the secret the operator was given.
        assertThat(hooks).hasSize(1);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(hooks.getFirst().get("signature"))
                .isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(hooks.getFirst().get("body").getBytes(StandardCharsets.UTF_8))));
        assertThat(hooks.getFirst().get("body")).contains(update, incident);

        // Five customers reply with their mail program: to the Reply-To, In-Reply-To the Message-ID.
        Session session = Session.getInstance(new Properties());
        List<String> replyIds = new ArrayList<>();
        for (Customer c : customers.subList(0, 5)) {
            MimeMessage ours = received.get(c.email());
            MimeMessage reply = (MimeMessage) ours.reply(false);
            reply.setFrom(new InternetAddress(c.email(), c.name()));
            reply.setText("Is my password safe? I did not see any spam.\n\n> " + text(ours).lines().findFirst().orElse(""), "UTF-8");
            reply.saveChanges();
            String id = "<reply-" + UUID.randomUUID() + "@customer.example>";
            reply.setHeader("Message-ID", id);
            assertThat(reply.getRecipients(Message.RecipientType.TO)[0].toString()).startsWith("support+dlv_");
            supportMailbox.deliver(new MimeMessage(session, toStream(reply)));
            replyIds.add(id);
        }
        await("five waiting threads", () -> waitingThreadsOf(customers.subList(0, 5)).size() == 5);
        List<JsonNode> threads = waitingThreadsOf(customers.subList(0, 5));
        for (JsonNode t : threads) assertThat(t.get("incidentId").asString()).isEqualTo(incident);

        // An answer from the support inbox reaches the customer, threaded under their reply.
        Customer asker = customers.getFirst();
        JsonNode thread = threads.stream().filter(t -> t.get("customer").get("email").asString().equals(asker.email())).findFirst().orElseThrow();
        Api.expect(201, communicator.post("/api/v1/support/threads/" + thread.get("id").asString() + "/replies",
                "{\"body\":\"Yes: passwords were not affected.\\n\\n– Ana, Signalbox support\"}"));
        await("the answer arrives", () -> answerTo(asker.email()) != null);
        MimeMessage answer = answerTo(asker.email());
        assertThat(answer.getHeader("In-Reply-To", null)).isEqualTo(replyIds.getFirst());
        assertThat(answer.getHeader("References", null)).contains(replyIds.getFirst());
        assertThat(Api.expect(200, communicator.get("/api/v1/support/threads?state=answered")).json().get("threads").toString())
                .contains(thread.get("id").asString());
    }

    static List<JsonNode> waitingThreadsOf(List<Customer> customers) {
        List<String> emails = customers.stream().map(Customer::email).toList();
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode t : Api.expect(200, communicator.get("/api/v1/support/threads?state=waiting")).json().get("threads")) {
            if (!t.get("customer").isNull() && emails.contains(t.get("customer").get("email").asString())) found.add(t);
        }
        return found;
    }

    static MimeMessage answerTo(String email) {
        try {
            for (MimeMessage m : mail.getReceivedMessages()) {
                if (m.getSubject() != null && m.getSubject().startsWith("Re:")
                        && ((InternetAddress) m.getRecipients(Message.RecipientType.TO)[0]).getAddress().equals(email)) return m;
            }
            return null;
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String state(String incident, String update, String channel) {
        for (JsonNode u : Api.expect(200, communicator.get("/api/v1/incidents/" + incident)).json().get("updates")) {
            if (!u.get("id").asString().equals(update)) continue;
            for (JsonNode c : u.get("channels")) if (c.get("channel").asString().equals(channel)) return c.get("state").asString();
        }
        return null;
    }

    /** The plain-text part of a message (first text/plain found). */
    static String text(jakarta.mail.Part part) throws Exception {
        if (part.isMimeType("text/plain")) return (String) part.getContent();
        if (part.getContent() instanceof jakarta.mail.Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                String t = text(multipart.getBodyPart(i));
                if (t != null) return t;
            }
        }
        return null;
    }

    static java.io.InputStream toStream(MimeMessage m) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        m.writeTo(out);
        return new java.io.ByteArrayInputStream(out.toByteArray());
    }

    static String get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(60));
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(end)) throw new AssertionError("Timed out waiting for " + what);
            Thread.sleep(100);
        }
    }

    /** A signed-in customer's browser on the dashboard (see {@link FormBrowser}). */
    static final class Browser {
        final FormBrowser page = new FormBrowser(node.port());

        static Browser signedIn(String email) throws Exception {
            Browser b = new Browser();
            b.page.get("/login");
            HttpResponse<String> home = b.page.post("/login", "username", email, "password", CUSTOMER_PASSWORD, "totp", "");
            assertThat(home.uri().getPath()).doesNotStartWith("/login");
            return b;
        }

        String get(String path) throws Exception {
            return page.get(path).body();
        }
    }
}
