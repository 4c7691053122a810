package dev.signalbox.mail;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Service;

/**
 * Many personalised messages at once, for fan-outs such as incident email. Over SMTP (Spring's
 * {@link JavaMailSender}) each {@link #send} call sends its batch over one connection — the
 * caller runs {@link #connections()} senders side by side, which is the connection pool — and
 * every sender waits its turn under one rate per node ({@code signalbox.mail.rate} messages per
 * second, 0 = unlimited). With no SMTP server configured the messages are kept in the outbox
 * instead ({@link #keep}), where operators read them at /outbox.
 *
 * <p>{@link #send} reports per message what the server said: {@link Accepted} only for a message
 * the server answered 250 to; {@link Refused} for a permanent 5xx (with {@code recipient} true when
 * the server refused the address itself, i.e. a bounce); {@link Deferred} for anything that may
 * succeed later (4xx, a refused or broken connection). Reasons are the server's own words.
 */
@Service
public class BulkMail {

    /** One message. {@code key} is the caller's id for it; {@code html} may be null (plain text only). */
    public record Letter(String key, String to, String subject, String text, String html, String replyTo, String messageId,
            Map<String, String> headers) {}

    /** What the server said to one letter. */
    public sealed interface Outcome permits Accepted, Refused, Deferred {
        String reason();
    }

    public record Accepted() implements Outcome {
        @Override
        public String reason() {
            return null;
        }
    }

    /** A permanent refusal; {@code recipient} is true when the server refused the address (a bounce). */
    public record Refused(String reason, boolean recipient) implements Outcome {}

    /** Not sent this time; may succeed on a later attempt. */
    public record Deferred(String reason) implements Outcome {}

    private static final Pattern REPLY_CODE = Pattern.compile("^\\s*([245])(\\d\\d)[ -]");

    private final JavaMailSender sender;
    private final JdbcClient db;
    private final Clock clock;
    private final String from;
    private final int connections;
    private final SendRate rate;
    private final int batchSize;
    private volatile Session session;

    BulkMail(ObjectProvider<JavaMailSender> sender, JdbcClient db, Clock clock,
            @Value("${signalbox.mail.from:signalbox@localhost}") String from,
            @Value("${signalbox.mail.connections:8}") int connections,
            @Value("${signalbox.mail.rate:0}") double rate,
            @Value("${signalbox.mail.batch-size:50}") int batchSize) {
        if (connections < 1) throw new IllegalArgumentException("signalbox.mail.connections must be at least 1, is " + connections);
        if (rate < 0) throw new IllegalArgumentException("signalbox.mail.rate must be 0 (unlimited) or more, is " + rate);
        if (batchSize < 1) throw new IllegalArgumentException("signalbox.mail.batch-size must be at least 1, is " + batchSize);
        this.sender = sender.getIfAvailable();
        this.db = db;
        this.clock = clock;
        this.from = from;
        this.connections = connections;
        this.rate = new SendRate(rate);
        this.batchSize = batchSize;
    }

    /** Whether an SMTP server is configured; without one, use {@link #keep}. */
    public boolean smtp() {
        return sender != null;
    }

    /** How many senders (SMTP connections) a node runs side by side. */
    public int connections() {
        return connections;
    }

    /**
     * How many messages one sender takes per batch: {@code signalbox.mail.batch-size}, smaller
     * under a low rate so that one batch is at most a quarter second of the node's rate.
     */
    public int batchSize() {
        return rate.perSecond() == 0 ? batchSize : (int) Math.max(1, Math.min(batchSize, rate.perSecond() / (4.0 * connections)));
    }

    /** The domain of the sender address, for Message-IDs and reply addresses. */
    public String domain() {
        return from.contains("@") ? from.substring(from.indexOf('@') + 1) : "localhost";
    }

    /**
     * Sends {@code letters} over one SMTP connection after waiting for the rate, and returns each
     * letter's outcome by key. Never throws for a mail failure: every letter gets an outcome.
     */
    public Map<String, Outcome> send(List<Letter> letters) {
        if (sender == null) throw new IllegalStateException("No SMTP server is configured; keep the letters in the outbox instead");
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        Map<MimeMessage, Letter> byMessage = new IdentityHashMap<>();
        List<MimeMessage> messages = new ArrayList<>(letters.size());
        for (Letter letter : letters) {
            try {
                MimeMessage mime = mime(letter);
                byMessage.put(mime, letter);
                messages.add(mime);
            } catch (MessagingException | RuntimeException e) {
                outcomes.put(letter.key(), new Refused("could not build the message: " + reason(e), false));
            }
        }
        if (messages.isEmpty()) return outcomes;
        rate.acquire(messages.size());
        Map<Object, Exception> failed = Map.of();
        try {
            sender.send(messages.toArray(MimeMessage[]::new));
        } catch (MailSendException e) {
            // Spring lists each message that failed; the others were accepted (also when only closing the connection failed).
            failed = e.getFailedMessages();
        } catch (MailAuthenticationException e) {
            // Thrown while connecting, before the first message: nothing of this batch went out.
            String reason = "the SMTP server refused our credentials: " + reason(e);
            for (Letter letter : byMessage.values()) outcomes.put(letter.key(), new Deferred(reason));
            return outcomes;
        } catch (MailException e) {
            String reason = reason(e);
            for (Letter letter : byMessage.values()) outcomes.put(letter.key(), new Deferred(reason));
            return outcomes;
        }
        for (MimeMessage mime : messages) {
            Exception failure = failed.get(mime);
            outcomes.put(byMessage.get(mime).key(), failure == null ? new Accepted() : outcome(failure));
        }
        return outcomes;
    }

    /**
     * Keeps {@code letters} in the outbox (state {@code stored}, read by operators at /outbox), in
     * the caller's transaction, as one statement. The letter's key becomes the outbox id.
     */
    public void keep(List<Letter> letters) {
        if (letters.isEmpty()) return;
        int n = letters.size();
        String[] ids = new String[n], to = new String[n], subjects = new String[n], bodies = new String[n], replyTo = new String[n],
                messageIds = new String[n];
        for (int i = 0; i < n; i++) {
            Letter l = letters.get(i);
            ids[i] = l.key();
            to[i] = l.to();
            subjects[i] = l.subject();
            bodies[i] = l.text();
            replyTo[i] = l.replyTo();
            messageIds[i] = l.messageId();
        }
        db.sql("""
                insert into mail_outbox (id, recipient, subject, body, reply_to, message_id, state, created_at)
                select k.id, k.recipient, k.subject, k.body, k.reply_to, k.message_id, 'stored', :now
                from unnest(:ids, :to, :subjects, :bodies, :replyTo, :messageIds) as k(id, recipient, subject, body, reply_to, message_id)""")
                .param("ids", ids).param("to", to).param("subjects", subjects).param("bodies", bodies).param("replyTo", replyTo)
                .param("messageIds", messageIds).param("now", OffsetDateTime.now(clock))
                .update();
    }

    private MimeMessage mime(Letter letter) throws MessagingException {
        if (session == null) session = sender.createMimeMessage().getSession();
        return new PreparedMessage(session, letter, from, clock.instant());
    }

    /** Classifies one message's failure by the SMTP reply code in its exception chain. */
    static Outcome outcome(Exception failure) {
        boolean recipientRefused = false;
        for (Throwable t = failure; t != null; t = next(t)) {
            if (t instanceof SendFailedException sfe) {
                Address[] invalid = sfe.getInvalidAddresses();
                if (invalid != null && invalid.length > 0) recipientRefused = true;
            }
            Matcher m = t.getMessage() == null ? null : REPLY_CODE.matcher(t.getMessage());
            if (m != null && m.find()) {
                String words = t.getMessage().strip();
                if (m.group(1).equals("5")) return new Refused(words, recipientRefused || t.getClass().getSimpleName().equals("SMTPAddressFailedException"));
                if (m.group(1).equals("4")) return new Deferred(words);
            }
        }
        return new Deferred(reason(failure));
    }

    private static Throwable next(Throwable t) {
        if (t instanceof MessagingException me && me.getNextException() != null && me.getNextException() != t) return me.getNextException();
        return t.getCause() == t ? null : t.getCause();
    }

    /** The innermost useful words of a failure, without the stack. */
    static String reason(Throwable failure) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = failure; t != null && out.length() < 500; t = next(t)) {
            String message = t.getMessage();
            if (message == null || message.isBlank()) message = t.getClass().getSimpleName();
            if (out.indexOf(message.strip()) >= 0) continue;
            if (!out.isEmpty()) out.append(": ");
            out.append(message.strip());
        }
        return out.length() > 500 ? out.substring(0, 500) : out.toString();
    }
}
