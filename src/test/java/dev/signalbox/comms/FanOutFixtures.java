package dev.signalbox.comms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.Api;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Predicate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Customers for fan-out tests, written straight into the database (thousands of sign-ups through
 * the API would only measure password hashing). Customer {@code i}: name "Customer i", email
 * customer-i@example.test, an X profile @cust_i_x (waiting to be reconnected when i % 5 == 0) and,
 * when i % 7 == 0, a Facebook profile @cust_i_fb with one hidden post "Spam number i …".
 */
final class FanOutFixtures {

    static final String PASSWORD = "correct horse battery staple";
    static final String UPDATE = """
            Hi there,

            I am so sorry: spam was posted from some of your X and Facebook profiles through Signalbox this morning.

            What to do now:

            - Remove any posts that look like spam
            - Reconnect X if we ask you to below

            Your passwords and billing details are not affected. Updates: the status page, our X and Facebook pages.

            Reply to this email with any question; we will answer every email.

            – Ana and the Signalbox team
            """;

    private FanOutFixtures() {}

    static void customers(JdbcClient db, int n) {
        db.sql("insert into users (id, email, name, password_hash, created_at) "
                + "select 'usr_c' || i, 'customer-' || i || '@example.test', 'Customer ' || i, 'not-a-hash', now() from generate_series(1, :n) i")
                .param("n", n).update();
        db.sql("insert into workspaces (id, name, created_at) select 'wsp_c' || i, 'Workspace ' || i, now() from generate_series(1, :n) i")
                .param("n", n).update();
        db.sql("insert into workspace_members (workspace_id, user_id, role) select 'wsp_c' || i, 'usr_c' || i, 'owner' from generate_series(1, :n) i")
                .param("n", n).update();
        db.sql("""
                insert into profiles (id, workspace_id, network, handle, status, created_at)
                select 'prf_cx' || i, 'wsp_c' || i, 'x', 'cust_' || i || '_x', case when i % 5 = 0 then 'needs_reconnect' else 'connected' end, now()
                from generate_series(1, :n) i""").param("n", n).update();
        db.sql("""
                insert into profiles (id, workspace_id, network, handle, status, created_at)
                select 'prf_cf' || i, 'wsp_c' || i, 'facebook', 'cust_' || i || '_fb', 'connected', now()
                from generate_series(1, :n) i where i % 7 = 0""").param("n", n).update();
        db.sql("""
                insert into posts (id, profile_id, text, status, created_at, updated_at, published_at, network_url, containment_state, containment_at)
                select 'pst_c' || i, 'prf_cf' || i, 'Spam number ' || i || ' — win a prize', 'published', now(), now(), now(),
                       'https://facebook.example/posts/' || i, 'hidden', now()
                from generate_series(1, :n) i where i % 7 = 0""").param("n", n).update();
    }

    /** A fresh operator with {@code role}, created by {@code admin}, signed in. */
    static Api operator(Api anonymous, Api admin, String role) {
        String email = role + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Api.expect(201, admin.post("/api/v1/operators", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\",\"name\":\"Olu "
                + role + "\",\"roles\":[\"" + role + "\"]}"));
        return anonymous.as(anonymous.post("/api/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}").text("token"));
    }

    static Api admin(Api anonymous, String email) {
        return anonymous.as(anonymous.post("/api/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}").text("token"));
    }

    static String openIncident(Api as, String title) {
        return Api.expect(201, as.post("/api/v1/incidents", "{\"title\":" + Api.quote(title)
                + ",\"severity\":\"critical\",\"status\":\"investigating\",\"networks\":[\"x\",\"facebook\"]}")).text("id");
    }

    /** Publishes {@link #UPDATE} by email (and status page) to {@code audience}; returns the update id. */
    static String emailUpdate(Api as, String incident, String audience) {
        return Api.expect(201, as.post("/api/v1/incidents/" + incident + "/updates", "{\"status\":\"identified\",\"body\":" + Api.quote(UPDATE)
                + ",\"audience\":\"" + audience + "\",\"channels\":[\"statuspage\",\"email\"]}")).text("id");
    }

    static JsonNode deliveries(Api as, String incident, String update, String query) {
        return Api.expect(200, as.get("/api/v1/incidents/" + incident + "/updates/" + update + "/deliveries" + query)).json();
    }

    /** Polls the deliveries endpoint until {@code done} holds (fails after {@code within}). */
    static JsonNode awaitDeliveries(Api as, String incident, String update, Duration within, Predicate<JsonNode> done) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode last = deliveries(as, incident, update, "?limit=1");
        while (!done.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = deliveries(as, incident, update, "?limit=1");
        }
        assertThat(done.test(last)).as("deliveries within " + within + ": " + last).isTrue();
        return last;
    }

    /**
     * Waits up to 5 s for the update's {@code channel} to reach {@code expected}. The email channel's final state is
     * written just after the last delivery's outcome commits (see {@code UpdateDeliveries.refreshChannels}), so a
     * reader that has just seen the last delivery sent can still see {@code sending} for a moment.
     */
    static void awaitChannelState(Api as, String incident, String update, String channel, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String state = channelState(as, incident, update, channel);
        while (!expected.equals(state) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            state = channelState(as, incident, update, channel);
        }
        assertThat(state).as("the " + channel + " channel of " + update + " within 5 s").isEqualTo(expected);
    }

    static String channelState(Api as, String incident, String update, String channel) {
        for (JsonNode u : Api.expect(200, as.get("/api/v1/incidents/" + incident)).json().get("updates")) {
            if (!u.get("id").asString().equals(update)) continue;
            for (JsonNode c : u.get("channels")) if (c.get("channel").asString().equals(channel)) return c.get("state").asString();
        }
        return null;
    }

    /** The messages GreenMail holds for one incident (by the X-Signalbox-Incident header). */
    static java.util.List<MimeMessage> ofIncident(MimeMessage[] received, String incident) throws Exception {
        java.util.List<MimeMessage> out = new java.util.ArrayList<>();
        for (MimeMessage m : received) {
            String[] h = m.getHeader("X-Signalbox-Incident");
            if (h != null && h[0].equals(incident)) out.add(m);
        }
        return out;
    }

    /** The plain-text part of a received message. */
    static String text(MimeMessage message) throws Exception {
        Object content = message.getContent();
        if (content instanceof String s) return s.replace("\r\n", "\n");
        Multipart parts = (Multipart) content;
        for (int i = 0; i < parts.getCount(); i++) {
            BodyPart part = parts.getBodyPart(i);
            if (part.isMimeType("text/plain")) return ((String) part.getContent()).replace("\r\n", "\n");
        }
        throw new AssertionError("no text/plain part in " + message.getMessageID());
    }

    static String html(MimeMessage message) throws Exception {
        Multipart parts = (Multipart) message.getContent();
        for (int i = 0; i < parts.getCount(); i++) {
            BodyPart part = parts.getBodyPart(i);
            if (part.isMimeType("text/html")) return (String) part.getContent();
        }
        throw new AssertionError("no text/html part in " + message.getMessageID());
    }
}
