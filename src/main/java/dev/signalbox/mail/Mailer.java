package dev.signalbox.mail;

import dev.signalbox.platform.Ids;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Service;

/**
 * Queues email in the caller's transaction, so a message exists exactly when the action that
 * caused it committed. {@link MailDelivery} sends queued messages when SMTP is configured.
 */
@Service
public class Mailer {

    public record Message(String id, String recipient, String subject, String body, String state, String lastError,
            Instant createdAt, Instant sentAt) {}

    private final JdbcClient db;
    private final Clock clock;
    private final boolean smtp;
    private final String domain;

    Mailer(JdbcClient db, Clock clock, ObjectProvider<JavaMailSender> sender,
            @Value("${signalbox.mail.from:signalbox@localhost}") String from) {
        this.db = db;
        this.clock = clock;
        this.smtp = sender.getIfAvailable() != null;
        this.domain = from.contains("@") ? from.substring(from.indexOf('@') + 1) : "localhost";
    }

    /** Queues one message; returns its Message-ID, which replies will carry back in In-Reply-To. */
    public String queue(String recipient, String subject, String body, String replyTo) {
        String id = Ids.next("msg", clock.millis());
        String messageId = "<" + id + "@" + domain + ">";
        db.sql("""
                insert into mail_outbox (id, recipient, subject, body, reply_to, message_id, state, created_at, next_attempt_at)
                values (:id, :to, :subject, :body, :replyTo, :mid, :state, :now, :now)""")
                .param("id", id).param("to", recipient).param("subject", subject).param("body", body)
                .param("replyTo", replyTo).param("mid", messageId).param("state", smtp ? "queued" : "stored")
                .param("now", OffsetDateTime.now(clock))
                .update();
        return messageId;
    }

    /** The newest messages, for the operators' outbox page. */
    public List<Message> recent(int limit) {
        return db.sql("""
                select id, recipient, subject, body, state, last_error, created_at, sent_at
                from mail_outbox order by created_at desc, id desc limit :limit""")
                .param("limit", limit)
                .query((rs, n) -> new Message(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getTimestamp(7).toInstant(),
                        rs.getTimestamp(8) == null ? null : rs.getTimestamp(8).toInstant()))
                .list();
    }

    public List<Message> to(String recipient) {
        return recent(10_000).stream().filter(m -> m.recipient().equalsIgnoreCase(recipient)).toList();
    }

    static OffsetDateTime odt(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
