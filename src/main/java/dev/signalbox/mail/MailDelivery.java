package dev.signalbox.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mail.MailException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Sends queued mail over SMTP, on any number of nodes: each message is claimed with SKIP LOCKED
 * and a lease, sent, then marked sent. A failure is recorded on the message and retried with
 * back-off, then marked failed with the reason — never silent. SMTP has no idempotency key: a
 * node that dies between the server's "250 OK" and marking the message can cause one resend.
 */
@Component
class MailDelivery {

    private static final Logger log = LoggerFactory.getLogger(MailDelivery.class);
    static final int MAX_ATTEMPTS = 6;

    private final JdbcClient db;
    private final JavaMailSender sender;
    private final Clock clock;
    private final String from;
    private final String node;

    MailDelivery(JdbcClient db, ObjectProvider<JavaMailSender> sender, Clock clock, @Value("${signalbox.mail.from:signalbox@localhost}") String from) {
        this.db = db;
        this.sender = sender.getIfAvailable();
        this.clock = clock;
        this.from = from;
        this.node = host() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    record Claimed(String id, String recipient, String subject, String body, String replyTo, String messageId, String inReplyTo,
            String references, int attempts) {}

    @Scheduled(fixedDelayString = "${signalbox.mail.poll-interval-ms:500}")
    void deliver() {
        if (sender == null) return; // no SMTP configured: messages stay in the outbox for operators
        List<Claimed> batch;
        do {
            Instant now = clock.instant();
            batch = db.sql("""
                    with due as (
                        select id from mail_outbox
                        where (state = 'queued' and next_attempt_at <= :now) or (state = 'sending' and claim_expires_at < :now)
                        order by created_at limit 50 for update skip locked)
                    update mail_outbox m set state = 'sending', claimed_by = :node, claim_expires_at = :lease, attempts = attempts + 1
                    from due where m.id = due.id
                    returning m.id, m.recipient, m.subject, m.body, m.reply_to, m.message_id, m.in_reply_to, m.references_header, m.attempts""")
                    .param("now", Mailer.odt(now)).param("node", node).param("lease", Mailer.odt(now.plusSeconds(60)))
                    .query((rs, n) -> new Claimed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8), rs.getInt(9)))
                    .list();
            batch.forEach(this::send);
        } while (!batch.isEmpty());
    }

    private void send(Claimed m) {
        try {
            MimeMessage mime = sender.createMimeMessage();
            MimeMessageHelper helper = new MimeMessageHelper(mime, false, "UTF-8");
            helper.setFrom(from);
            helper.setTo(m.recipient());
            if (m.replyTo() != null) helper.setReplyTo(m.replyTo());
            helper.setSubject(m.subject());
            helper.setText(m.body(), false);
            mime.saveChanges();
            mime.setHeader("Message-ID", m.messageId());
            if (m.inReplyTo() != null) mime.setHeader("In-Reply-To", m.inReplyTo());
            if (m.references() != null) mime.setHeader("References", m.references());
            sender.send(mime);
            db.sql("update mail_outbox set state = 'sent', sent_at = :now, last_error = null, claimed_by = null where id = :id and claimed_by = :node")
                    .param("now", Mailer.odt(clock.instant())).param("id", m.id()).param("node", node).update();
        } catch (MailException | MessagingException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            boolean giveUp = m.attempts() >= MAX_ATTEMPTS;
            log.warn("Mail {} to {} failed (attempt {}): {}", m.id(), m.recipient(), m.attempts(), reason);
            db.sql("""
                    update mail_outbox set state = :state, last_error = :reason, next_attempt_at = :next, claimed_by = null
                    where id = :id and claimed_by = :node""")
                    .param("state", giveUp ? "failed" : "queued").param("reason", reason)
                    .param("next", Mailer.odt(clock.instant().plus(Duration.ofSeconds(5L << Math.min(m.attempts(), 8)))))
                    .param("id", m.id()).param("node", node).update();
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "node";
        }
    }
}
