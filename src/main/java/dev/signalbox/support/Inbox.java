package dev.signalbox.support;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.accounts.Users;
import dev.signalbox.audit.AuditLog;
import dev.signalbox.comms.IncidentMail;
import dev.signalbox.comms.Incidents;
import dev.signalbox.mail.MailBounced;
import dev.signalbox.mail.Mailer;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The support inbox. Every inbound message lands exactly once ({@link #receive}: a transaction-
 * scoped advisory lock serialises threading across nodes, and dedup_key is unique), in a thread:
 * the conversation its In-Reply-To/References name (one of our answers, or an earlier message);
 * else the customer and incident of a delivery id ({@code dlv_…}) in those headers or the To
 * address; else the customer whose account email sent it; else an unassigned thread for that
 * sender. A thread waits until an operator answers ({@link #reply}); a new customer message makes
 * it wait again. Delivery status notifications are no conversation: each is announced once as
 * {@link MailBounced}, inside the receiving transaction (a plain listener joins it).
 */
@Service
public class Inbox {

    public enum Outcome { STORED, DUPLICATE, BOUNCE }

    /** What became of an inbound message: stored (in {@code threadId}), already there, or a bounce. */
    public record Received(Outcome outcome, String messageId, String threadId) {}

    public record Thread(String id, String state, String subject, String customerId, String customerEmail, String customerName,
            String incidentId, String incidentTitle, String replyAddress, String assignedTo, String assignedEmail, Instant createdAt,
            Instant waitingSince, Instant lastMessageAt, Instant firstAnsweredAt, int messages, boolean malformed) {

        /** Who the thread is with, as the inbox lists it. */
        public String who() {
            if (customerId != null) return customerName == null ? customerEmail : customerName + " <" + customerEmail + ">";
            return replyAddress == null ? "unknown sender" : replyAddress;
        }
    }

    public record Message(String id, String direction, String source, String messageId, String inReplyTo, String references, String from,
            String to, String subject, String text, String deliveryId, String updateId, String malformedReason, Instant sentAt,
            Instant receivedAt) {
        public List<QuotedText.Part> parts() {
            return QuotedText.fold(text);
        }

        public boolean inbound() {
            return direction.equals("inbound");
        }
    }

    public record Conversation(Thread thread, List<Message> messages) {}

    /**
     * The "every reply answered" panel: threads waiting, since when the oldest has waited, and the
     * median time from a thread's first message to its first answer (null before any answer).
     */
    public record Panel(int waiting, Instant oldestWaitingSince, Duration oldestWaiting, Duration medianFirstAnswer, int answered) {}

    public record Sent(String messageId, String mailMessageId, String threadId, String to) {}

    static final List<String> STATES = List.of("waiting", "answered");
    static final int MAX_REPLY = 20_000;
    private static final long THREADING_LOCK = 0x5375_7070_6f72_7449L; // "SupportI"
    private static final Pattern DELIVERY = Pattern.compile("dlv_[0-9a-z]{26}");
    private static final String THREAD_COLUMNS = """
            t.id, t.state, t.subject, t.customer_id, t.customer_email, t.customer_name, t.incident_id, t.incident_title, t.reply_address,
            t.assigned_to, t.assigned_email, t.created_at, t.waiting_since, t.last_message_at, t.first_answered_at,
            (select count(*) from support_messages m where m.thread_id = t.id),
            exists (select 1 from support_messages m where m.thread_id = t.id and m.malformed_reason is not null)""";

    private final JdbcClient db;
    private final Clock clock;
    private final IncidentMail incidentMail;
    private final Incidents incidents;
    private final Users users;
    private final Mailer mailer;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final String supportAddress;
    private final String mailFrom;

    Inbox(JdbcClient db, Clock clock, IncidentMail incidentMail, Incidents incidents, Users users, Mailer mailer, AuditLog audit,
            ApplicationEventPublisher events, @Value("${signalbox.mail.support-address:}") String supportAddress,
            @Value("${signalbox.mail.from:signalbox@localhost}") String mailFrom) {
        this.db = db;
        this.clock = clock;
        this.incidentMail = incidentMail;
        this.incidents = incidents;
        this.users = users;
        this.mailer = mailer;
        this.audit = audit;
        this.events = events;
        this.supportAddress = supportAddress == null || supportAddress.isBlank() ? null : supportAddress.strip();
        this.mailFrom = mailFrom;
    }

    // ---------------------------------------------------------------- inbound

    @Transactional
    public Received receive(InboundMessage in) {
        db.sql("select pg_advisory_xact_lock(:k)").param("k", THREADING_LOCK).query((rs, n) -> 1).single();
        Instant now = now();
        if (in.bounce() != null) {
            InboundMessage.Bounce b = in.bounce();
            int inserted = db.sql("""
                    insert into support_bounces (dedup_key, original_message_id, recipient, reason, received_at)
                    values (:key, :original, :recipient, :reason, :now) on conflict (dedup_key) do nothing""")
                    .param("key", in.dedupKey()).param("original", b.originalMessageId()).param("recipient", b.recipient())
                    .param("reason", b.reason()).param("now", utc(now)).update();
            if (inserted == 0) return new Received(Outcome.DUPLICATE, null, null);
            events.publishEvent(new MailBounced(b.originalMessageId(), b.recipient(), b.reason()));
            return new Received(Outcome.BOUNCE, null, null);
        }
        Optional<Received> existing = db.sql("select id, thread_id from support_messages where dedup_key = :key").param("key", in.dedupKey())
                .query((rs, n) -> new Received(Outcome.DUPLICATE, rs.getString(1), rs.getString(2))).optional();
        if (existing.isPresent()) return existing.get();

        Optional<IncidentMail.Recipient> delivery = delivery(in);
        String threadId = conversation(in).orElseGet(() -> threadFor(in, delivery, now));
        String id = Ids.next("smg", now.toEpochMilli());
        db.sql("""
                insert into support_messages (id, thread_id, direction, source, dedup_key, message_id, in_reply_to, references_header,
                    from_address, to_address, subject, body_text, body_html, delivery_id, update_id, author_id, malformed_reason, raw_source,
                    sent_at, received_at)
                values (:id, :thread, 'inbound', :source, :key, :mid, :irt, :refs, :from, :to, :subject, :text, :html, :delivery, :update,
                    :author, :malformed, :raw, :sent, :now)""")
                .param("id", id).param("thread", threadId).param("source", in.source()).param("key", in.dedupKey())
                .param("mid", in.messageId()).param("irt", in.inReplyTo()).param("refs", in.references()).param("from", in.from())
                .param("to", in.to().isEmpty() ? null : String.join(", ", in.to())).param("subject", in.subject())
                .param("text", in.text() == null ? "" : in.text()).param("html", in.html())
                .param("delivery", delivery.map(IncidentMail.Recipient::deliveryId).orElse(null))
                .param("update", in.comment() == null ? null : in.comment().updateId())
                .param("author", in.comment() == null ? null : in.comment().customerId())
                .param("malformed", in.malformedReason()).param("raw", in.rawSource())
                .param("sent", in.sentAt() == null ? null : utc(in.sentAt())).param("now", utc(now))
                .update();
        db.sql("""
                update support_threads set state = 'waiting', waiting_since = coalesce(waiting_since, :now), last_message_at = :now
                where id = :id""")
                .param("now", utc(now)).param("id", threadId).update();
        return new Received(Outcome.STORED, id, threadId);
    }

    /** The thread of a message this one answers (one of our answers, or an earlier message of the conversation). */
    private Optional<String> conversation(InboundMessage in) {
        List<String> named = new ArrayList<>();
        for (String header : new String[] {in.inReplyTo(), in.references()}) {
            if (header != null) named.addAll(List.of(header.split(" ")));
        }
        if (named.isEmpty()) return Optional.empty();
        return db.sql("""
                select thread_id from support_messages where message_id = any(:ids)
                order by received_at desc, id desc limit 1""")
                .param("ids", named.toArray(String[]::new)).query(String.class).optional();
    }

    /** The incident email this message answers, from a delivery id in its headers or the address it was sent to. */
    private Optional<IncidentMail.Recipient> delivery(InboundMessage in) {
        List<String> places = new ArrayList<>();
        places.add(in.inReplyTo());
        places.add(in.references());
        places.addAll(in.to());
        places.add(in.deliveryHeader());
        for (String place : places) {
            if (place == null) continue;
            Matcher m = DELIVERY.matcher(place);
            while (m.find()) {
                Optional<IncidentMail.Recipient> r = incidentMail.recipient(m.group());
                if (r.isPresent()) return r;
            }
        }
        return Optional.empty();
    }

    private String threadFor(InboundMessage in, Optional<IncidentMail.Recipient> delivery, Instant now) {
        String customerId = null;
        String incidentId = null;
        if (delivery.isPresent()) {
            customerId = delivery.get().userId();
            incidentId = delivery.get().incidentId();
        } else if (in.comment() != null) {
            customerId = in.comment().customerId();
            incidentId = incidents.findUpdate(in.comment().updateId()).map(Incidents.Update::incidentId).orElse(null);
        } else if (in.from() != null) {
            customerId = users.byEmail(in.from()).map(CurrentUser::id).orElse(null);
        }
        if (customerId != null) {
            Optional<String> open = db.sql("""
                    select id from support_threads where customer_id = :customer and incident_id is not distinct from :incident
                    order by last_message_at desc, id desc limit 1""")
                    .param("customer", customerId).param("incident", incidentId).query(String.class).optional();
            if (open.isPresent()) return open.get();
        } else if (in.from() != null) {
            Optional<String> open = db.sql("""
                    select id from support_threads where customer_id is null and lower(reply_address) = lower(:from)
                    order by last_message_at desc, id desc limit 1""")
                    .param("from", in.from()).query(String.class).optional();
            if (open.isPresent()) return open.get();
        }
        Optional<CurrentUser> customer = customerId == null ? Optional.empty() : users.byId(customerId);
        String customerEmail = delivery.map(IncidentMail.Recipient::email).orElse(customer.map(CurrentUser::email).orElse(null));
        String incidentTitle = incidentId == null ? null : incidents.find(incidentId).map(Incidents.Incident::title).orElse(null);
        String subject = in.comment() != null ? "Comment on: " + (incidentTitle == null ? "a status update" : incidentTitle)
                : in.subject() == null || in.subject().isBlank() ? "(no subject)" : in.subject();
        String id = Ids.next("thr", now.toEpochMilli());
        db.sql("""
                insert into support_threads (id, customer_id, customer_email, customer_name, incident_id, incident_title, reply_address,
                    subject, state, created_at, waiting_since, last_message_at)
                values (:id, :customer, :email, :name, :incident, :title, :reply, :subject, 'waiting', :now, :now, :now)""")
                .param("id", id).param("customer", customer.map(CurrentUser::id).orElse(null)).param("email", customerEmail)
                .param("name", customer.map(CurrentUser::name).orElse(null)).param("incident", incidentId).param("title", incidentTitle)
                .param("reply", in.from()).param("subject", subject).param("now", utc(now))
                .update();
        return id;
    }

    // ---------------------------------------------------------------- answering

    /**
     * Answers a thread by email: queued through the outbox in this transaction, to the customer (or,
     * for an unknown sender, their address), as "Re: subject", with In-Reply-To the latest customer
     * message's Message-ID and References its ancestors and it. The thread becomes answered; the
     * first answer's time is kept. Audit-logged. 404 unknown thread, 422 empty body, 409 no address.
     */
    @Transactional
    public Sent reply(String threadId, String body, AuditLog.Actor actor) {
        if (body == null || body.isBlank()) throw ApiProblem.invalid("body", "is empty: write the answer the customer will receive");
        if (body.length() > MAX_REPLY) throw ApiProblem.invalid("body", "must be at most " + MAX_REPLY + " characters");
        Thread thread = db.sql("select " + THREAD_COLUMNS + " from support_threads t where t.id = :id for update of t")
                .param("id", threadId).query(Inbox::thread).optional().orElseThrow(() -> ApiProblem.notFound("Support thread " + threadId));
        String to = thread.customerId() != null && thread.customerEmail() != null ? thread.customerEmail() : thread.replyAddress();
        if (to == null) {
            throw ApiProblem.conflict("Support thread " + threadId + " has no address to answer: its message arrived without a readable From address");
        }
        record Last(String messageId, String references, String subject) {}
        Optional<Last> last = db.sql("""
                select message_id, references_header, subject from support_messages
                where thread_id = :id and direction = 'inbound' order by received_at desc, id desc limit 1""")
                .param("id", threadId).query((rs, n) -> new Last(rs.getString(1), rs.getString(2), rs.getString(3))).optional();
        String inReplyTo = last.map(Last::messageId).orElse(null);
        LinkedHashSet<String> chain = new LinkedHashSet<>();
        last.map(Last::references).ifPresent(r -> chain.addAll(List.of(r.split(" "))));
        if (inReplyTo != null) chain.add(inReplyTo);
        List<String> references = new ArrayList<>(chain);
        if (references.size() > 10) references = new ArrayList<>(references.subList(references.size() - 10, references.size()));
        String about = last.map(Last::subject).filter(s -> s != null && !s.isBlank()).orElse(thread.subject());
        String subject = about.regionMatches(true, 0, "Re:", 0, 3) ? about : "Re: " + about;
        String text = body.strip() + "\n";
        String mailId = mailer.queueReply(to, subject, text, supportAddress, inReplyTo, references.isEmpty() ? null : String.join(" ", references));

        Instant now = now();
        String id = Ids.next("smg", now.toEpochMilli());
        db.sql("""
                insert into support_messages (id, thread_id, direction, source, dedup_key, message_id, in_reply_to, references_header,
                    from_address, to_address, subject, body_text, author_id, received_at)
                values (:id, :thread, 'outbound', 'operator', :mid, :mid, :irt, :refs, :from, :to, :subject, :text, :author, :now)""")
                .param("id", id).param("thread", threadId).param("mid", mailId).param("irt", inReplyTo)
                .param("refs", references.isEmpty() ? null : String.join(" ", references)).param("from", supportAddress == null ? mailFrom : supportAddress)
                .param("to", to).param("subject", subject).param("text", text).param("author", actor.id()).param("now", utc(now))
                .update();
        db.sql("""
                update support_threads set state = 'answered', waiting_since = null, last_message_at = :now,
                    first_answered_at = coalesce(first_answered_at, :now) where id = :id""")
                .param("now", utc(now)).param("id", threadId).update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("messageId", mailId);
        details.put("to", to);
        details.put("inReplyTo", inReplyTo);
        details.put("waitedSeconds", thread.waitingSince() == null ? null : Duration.between(thread.waitingSince(), now).toSeconds());
        audit.record(actor, "support.reply", "support_thread", threadId, subject, details);
        return new Sent(id, mailId, threadId, to);
    }

    /** Gives the thread to an operator who answers support (support, communicator or admin), or to nobody (null). Audit-logged. */
    @Transactional
    public Thread assign(String threadId, String operatorId, AuditLog.Actor actor) {
        String email = null;
        if (operatorId != null && !operatorId.isBlank()) {
            CurrentUser operator = users.byId(operatorId).filter(u -> u.hasOperatorRole(Operators.SUPPORT, Operators.COMMUNICATOR, Operators.ADMIN))
                    .orElseThrow(() -> ApiProblem.invalid("operatorId",
                            "'" + operatorId + "' is not an operator who answers support: assign to an operator with the support, communicator or admin role"));
            email = operator.email();
        }
        Thread before = find(threadId).orElseThrow(() -> ApiProblem.notFound("Support thread " + threadId));
        String to = email == null ? null : operatorId;
        db.sql("update support_threads set assigned_to = :to, assigned_email = :email where id = :id")
                .param("to", to).param("email", email).param("id", threadId).update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("operatorId", to);
        details.put("previous", before.assignedTo());
        audit.record(actor, "support.assign", "support_thread", threadId, email == null ? "unassigned" : "assigned to " + email, details);
        return find(threadId).orElseThrow();
    }

    // ---------------------------------------------------------------- reading

    /** Threads in {@code state} (null: all): waiting ones oldest-waiting first, the rest newest first. */
    @Transactional(readOnly = true)
    public List<Thread> threads(String state, int limit) {
        if (state != null && !STATES.contains(state)) {
            throw ApiProblem.invalid("state", "'" + state + "' is not a thread state: use waiting or answered (or leave it out for all)");
        }
        return db.sql("select " + THREAD_COLUMNS + """
                 from support_threads t where (cast(:state as text) is null or t.state = :state)
                order by (t.state = 'waiting') desc, t.waiting_since asc nulls last, t.last_message_at desc, t.id limit :limit""")
                .param("state", state).param("limit", limit).query(Inbox::thread).list();
    }

    @Transactional(readOnly = true)
    public Optional<Thread> find(String threadId) {
        return db.sql("select " + THREAD_COLUMNS + " from support_threads t where t.id = :id").param("id", threadId).query(Inbox::thread).optional();
    }

    @Transactional(readOnly = true)
    public Optional<Conversation> conversation(String threadId) {
        return find(threadId).map(t -> new Conversation(t, db.sql("""
                select id, direction, source, message_id, in_reply_to, references_header, from_address, to_address, subject, body_text,
                    delivery_id, update_id, malformed_reason, sent_at, received_at
                from support_messages where thread_id = :id order by received_at, id""")
                .param("id", threadId)
                .query((rs, n) -> new Message(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                        rs.getString(12), rs.getString(13), instant(rs, 14), instant(rs, 15)))
                .list()));
    }

    @Transactional(readOnly = true)
    public Panel panel() {
        Instant now = clock.instant();
        return db.sql("""
                select count(*) filter (where state = 'waiting'), min(waiting_since) filter (where state = 'waiting'),
                    percentile_cont(0.5) within group (order by extract(epoch from first_answered_at - created_at))
                        filter (where first_answered_at is not null),
                    count(*) filter (where state = 'answered')
                from support_threads""")
                .query((rs, n) -> {
                    Instant oldest = instant(rs, 2);
                    double median = rs.getDouble(3);
                    boolean noMedian = rs.wasNull();
                    return new Panel(rs.getInt(1), oldest, oldest == null ? null : Duration.between(oldest, now),
                            noMedian ? null : Duration.ofMillis(Math.round(median * 1000)), rs.getInt(4));
                })
                .single();
    }

    /** Operators a thread may be assigned to. */
    public List<Users.OperatorSummary> answerers() {
        return users.operators().stream()
                .filter(o -> o.roles().stream().anyMatch(r -> r.equals(Operators.SUPPORT) || r.equals(Operators.COMMUNICATOR) || r.equals(Operators.ADMIN)))
                .toList();
    }

    private static Thread thread(ResultSet rs, int n) throws SQLException {
        return new Thread(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11), instant(rs, 12), instant(rs, 13),
                instant(rs, 14), instant(rs, 15), rs.getInt(16), rs.getBoolean(17));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
