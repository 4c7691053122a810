package dev.signalbox.mail;

import dev.signalbox.platform.Ids;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Pattern;
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
        return queueReply(recipient, subject, body, replyTo, null, null);
    }

    /**
     * Queues one message that answers another, so it threads in the reader's mail program: it is
     * sent with {@code In-Reply-To: inReplyTo} and {@code References: references} (RFC 5322
     * §3.6.4; either may be null). Both must be message ids ({@code <…>}, space-separated for
     * references) without line breaks, else IllegalArgumentException. Returns its Message-ID.
     */
    public String queueReply(String recipient, String subject, String body, String replyTo, String inReplyTo, String references) {
        requireMessageIds("inReplyTo", inReplyTo);
        requireMessageIds("references", references);
        String id = Ids.next("msg", clock.millis());
        String messageId = "<" + id + "@" + domain + ">";
        db.sql("""
                insert into mail_outbox (id, recipient, subject, body, reply_to, message_id, in_reply_to, references_header, state,
                                         created_at, next_attempt_at)
                values (:id, :to, :subject, :body, :replyTo, :mid, :inReplyTo, :references, :state, :now, :now)""")
                .param("id", id).param("to", recipient).param("subject", subject).param("body", body)
                .param("replyTo", replyTo).param("mid", messageId).param("inReplyTo", inReplyTo).param("references", references)
                .param("state", smtp ? "queued" : "stored")
                .param("now", OffsetDateTime.now(clock))
                .update();
        return messageId;
    }

    private static final Pattern MESSAGE_IDS = Pattern.compile("<[^<>\\s]+>( <[^<>\\s]+>)*");

    private static void requireMessageIds(String what, String value) {
        if (value != null && !MESSAGE_IDS.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be message ids like <id@host>, space-separated: " + value.replaceAll("[\\r\\n]", " "));
        }
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
