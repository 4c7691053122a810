package dev.signalbox.comms;

import dev.signalbox.audit.AuditLog;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Follow-up campaigns of an incident: one message to every customer who still has to do the
 * required action (today: reconnect profiles), then reminders on a schedule to those who still
 * have not — each recipient stops getting mail once done. The recipients are fixed when the
 * campaign is created; {@link FollowUpRounds} sends the rounds. Creating and stopping are
 * operator actions, audit-logged in their transaction. Follow-ups are allowed after an incident is
 * resolved (Buffer's reconnect email came after the fix).
 */
@Service
class FollowUps {

    static final List<String> ACTIONS = List.of("reconnect");
    static final List<String> DEFAULT_REMINDERS = List.of("PT24H", "P3D");
    static final int MAX_REMINDERS = 5;

    record Request(String action, String network, String subject, String body, List<String> reminders, Boolean dryRun,
            Boolean overrideChecklist) {}

    /** A message as one sample recipient would get it. */
    record Sample(String to, String subject, String body) {}

    /** What creating (or a dry run) produced; {@code id} is null for a dry run. */
    record Created(String id, boolean dryRun, int recipients, List<String> reminders, Sample sample, List<MessageChecklist.Check> checklist) {}

    /** A campaign's progress. {@code sentByRound[0]} is the first message, then one entry per reminder. */
    record Progress(String id, String incidentId, String action, String network, String state, int recipients, int done, int waiting,
            List<Integer> sentByRound, List<String> reminders, Instant nextReminderAt, Instant createdAt, String createdBy,
            Instant finishedAt, Instant stoppedAt, String stoppedBy) {
        public boolean active() {
            return state.equals("active");
        }
    }

    private final JdbcClient db;
    private final FollowUpMail mail;
    private final AuditLog audit;
    private final Clock clock;

    FollowUps(JdbcClient db, FollowUpMail mail, AuditLog audit, Clock clock) {
        this.db = db;
        this.mail = mail;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Validates the request (422 naming each bad field), finds the recipients and — unless it is a
     * dry run — stores the campaign, its rounds and recipients with the audit record; round 0 is due
     * at once. 404 for an unknown incident; 409 when nobody has anything to reconnect; 422 when the
     * body misses required checklist items and the writer did not override (the override is audited).
     */
    @Transactional
    Created create(String incidentId, Request request, AuditLog.Actor actor, String senderName) {
        db.sql("select id from incidents where id = :id for share").param("id", incidentId).query(String.class).optional()
                .orElseThrow(() -> ApiProblem.notFound("Incident " + incidentId));
        if (request == null) throw ApiProblem.invalid("action", "is required: " + String.join(", ", ACTIONS));
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (request.action() == null || request.action().isBlank()) {
            errors.add(new ApiProblem.FieldError("action", "is required: one of " + String.join(", ", ACTIONS)));
        } else if (!ACTIONS.contains(request.action())) {
            errors.add(new ApiProblem.FieldError("action", "'" + request.action() + "' is not a follow-up action; use one of " + String.join(", ", ACTIONS)));
        }
        String network = request.network() == null || request.network().isBlank() ? null : request.network();
        if (network != null && !Audiences.NETWORKS.contains(network)) {
            errors.add(new ApiProblem.FieldError("network", "'" + network + "' is not a network; use one of "
                    + String.join(", ", Audiences.NETWORKS.stream().sorted().toList()) + ", or leave it out for every network"));
        }
        String subject = request.subject() == null || request.subject().isBlank() ? FollowUpMail.defaultSubject(network) : request.subject().strip();
        if (subject.length() > 200) errors.add(new ApiProblem.FieldError("subject", "must be at most 200 characters"));
        if (subject.contains("\n") || subject.contains("\r")) errors.add(new ApiProblem.FieldError("subject", "must be one line"));
        String body = request.body() == null || request.body().isBlank() ? FollowUpMail.defaultBody(network, senderName) : request.body();
        if (body.length() > 20_000) errors.add(new ApiProblem.FieldError("body", "must be at most 20000 characters"));
        errors.addAll(FollowUpMail.checkPlaceholders(body));
        List<Duration> reminders = reminders(request.reminders(), errors);
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);

        List<String> recipients = mail.waiting(network);
        Sample sample = recipients.isEmpty() ? null : mail.readers(recipients.subList(0, 1), network).values().stream().findFirst()
                .map(r -> mail.render(r, subject, body, 0)).map(l -> new Sample(l.to(), l.subject(), l.body())).orElse(null);
        List<MessageChecklist.Check> checklist = MessageChecklist.review(sample == null ? body : sample.body());
        List<String> reminderTexts = reminders.stream().map(Duration::toString).toList();
        if (Boolean.TRUE.equals(request.dryRun())) return new Created(null, true, recipients.size(), reminderTexts, sample, checklist);
        if (recipients.isEmpty()) {
            throw ApiProblem.conflict("Nobody has a profile waiting to be reconnected" + (network == null ? "" : " on " + network)
                    + ", so there is no one to follow up with.");
        }
        List<MessageChecklist.Check> failed = MessageChecklist.failedRequired(checklist);
        boolean override = Boolean.TRUE.equals(request.overrideChecklist());
        if (!failed.isEmpty() && !override) throw new Incidents.ChecklistRefused(checklist);

        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String id = Ids.next("fup", now.toEpochMilli());
        db.sql("""
                insert into follow_up_campaigns (id, incident_id, action, network, subject, body_markdown, state, created_by, created_by_email, created_at)
                values (:id, :incident, :action, :network, :subject, :body, 'active', :by, :email, :now)""")
                .param("id", id).param("incident", incidentId).param("action", request.action()).param("network", network)
                .param("subject", subject).param("body", body).param("by", actor.id()).param("email", actor.email()).param("now", utc(now))
                .update();
        db.sql("insert into follow_up_rounds (campaign_id, round, after_seconds, due_at) values (:id, 0, 0, :now)")
                .param("id", id).param("now", utc(now)).update();
        for (int i = 0; i < reminders.size(); i++) {
            db.sql("insert into follow_up_rounds (campaign_id, round, after_seconds) values (:id, :round, :after)")
                    .param("id", id).param("round", i + 1).param("after", reminders.get(i).toSeconds()).update();
        }
        db.sql("insert into follow_up_recipients (campaign_id, user_id) select :id, u from unnest(cast(:users as text[])) u")
                .param("id", id).param("users", recipients.toArray(String[]::new)).update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("followUp", id);
        details.put("action", request.action());
        details.put("network", network == null ? "any" : network);
        details.put("recipients", recipients.size());
        details.put("reminders", reminderTexts);
        audit.record(actor, "comms.follow-up.create", "incident", incidentId, subject, details);
        if (!failed.isEmpty()) {
            audit.record(actor, "comms.checklist.override", "incident", incidentId,
                    "follow-up sent without required checklist items: " + String.join(", ", failed.stream().map(MessageChecklist.Check::item).toList()),
                    Map.of("followUp", id));
        }
        return new Created(id, false, recipients.size(), reminderTexts, sample, checklist);
    }

    /** Stops sending: no more rounds go out. 404 unknown; 409 when it already finished or was stopped. */
    @Transactional
    Progress stop(String incidentId, String id, AuditLog.Actor actor) {
        String state = db.sql("select state from follow_up_campaigns where id = :id and incident_id = :incident for update")
                .param("id", id).param("incident", incidentId).query(String.class).optional()
                .orElseThrow(() -> ApiProblem.notFound("Follow-up " + id + " of incident " + incidentId));
        if (!state.equals("active")) throw ApiProblem.conflict("Follow-up " + id + " is " + state + "; only an active one can be stopped");
        // Waits for a round being sent right now (its row is locked by the sender) so nothing goes out after this returns.
        db.sql("select round from follow_up_rounds where campaign_id = :id for update").param("id", id).query(Integer.class).list();
        db.sql("update follow_up_campaigns set state = 'stopped', stopped_at = :now, stopped_by_email = :by where id = :id")
                .param("now", utc(clock.instant())).param("by", actor.email()).param("id", id).update();
        Progress p = progress(incidentId).stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
        audit.record(actor, "comms.follow-up.stop", "incident", incidentId, null,
                Map.of("followUp", id, "done", p.done(), "waiting", p.waiting(), "sentByRound", p.sentByRound()));
        return p;
    }

    /** 404 when the incident does not exist. */
    @Transactional(readOnly = true)
    List<Progress> list(String incidentId) {
        db.sql("select id from incidents where id = :id").param("id", incidentId).query(String.class).optional()
                .orElseThrow(() -> ApiProblem.notFound("Incident " + incidentId));
        return progress(incidentId);
    }

    /** The incident's campaigns, newest first. */
    List<Progress> progress(String incidentId) {
        record Head(String id, String action, String network, String state, int recipients, int done, Instant next, Instant createdAt,
                String createdBy, Instant finishedAt, Instant stoppedAt, String stoppedBy) {}
        List<Head> heads = db.sql("""
                select c.id, c.action, c.network, c.state,
                       (select count(*) from follow_up_recipients r where r.campaign_id = c.id),
                       (select count(*) from follow_up_recipients r where r.campaign_id = c.id and r.done_at is not null),
                       case when c.state = 'active' then
                           (select min(due_at) from follow_up_rounds o where o.campaign_id = c.id and o.round > 0 and o.completed_at is null) end,
                       c.created_at, c.created_by_email, c.finished_at, c.stopped_at, c.stopped_by_email
                from follow_up_campaigns c where c.incident_id = :incident order by c.created_at desc, c.id desc""")
                .param("incident", incidentId)
                .query((rs, n) -> new Head(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getInt(6),
                        instant(rs, 7), instant(rs, 8), rs.getString(9), instant(rs, 10), instant(rs, 11), rs.getString(12)))
                .list();
        if (heads.isEmpty()) return List.of();
        record Round(String campaign, int round, long after, int sent) {}
        Map<String, List<Round>> rounds = new LinkedHashMap<>();
        db.sql("""
                select o.campaign_id, o.round, o.after_seconds,
                       (select count(*) from follow_up_messages m where m.campaign_id = o.campaign_id and m.round = o.round)
                from follow_up_rounds o where o.campaign_id = any(:ids) order by o.campaign_id, o.round""")
                .param("ids", heads.stream().map(Head::id).toArray(String[]::new))
                .query((rs, n) -> rounds.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new Round(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getInt(4))))
                .list();
        return heads.stream().map(h -> {
            List<Round> mine = rounds.getOrDefault(h.id(), List.of());
            return new Progress(h.id(), incidentId, h.action(), h.network(), h.state(), h.recipients(), h.done(), h.recipients() - h.done(),
                    mine.stream().map(Round::sent).toList(),
                    mine.stream().filter(r -> r.round() > 0).map(r -> Duration.ofSeconds(r.after()).toString()).toList(),
                    h.next(), h.createdAt(), h.createdBy(), h.finishedAt(), h.stoppedAt(), h.stoppedBy());
        }).toList();
    }

    /** The reminder offsets, or the defaults when none are given; errors name {@code reminders[i]}. */
    static List<Duration> reminders(List<String> given, List<ApiProblem.FieldError> errors) {
        List<String> texts = given == null ? DEFAULT_REMINDERS : given;
        if (texts.size() > MAX_REMINDERS) {
            errors.add(new ApiProblem.FieldError("reminders", "has " + texts.size() + " reminders; at most " + MAX_REMINDERS
                    + " — more than that reads as spam"));
            return List.of();
        }
        List<Duration> out = new ArrayList<>();
        Duration previous = Duration.ZERO;
        for (int i = 0; i < texts.size(); i++) {
            String field = "reminders[" + i + "]";
            String text = texts.get(i);
            Duration d;
            try {
                d = Duration.parse(text == null ? "" : text.strip());
            } catch (DateTimeParseException e) {
                errors.add(new ApiProblem.FieldError(field, "'" + text + "' is not an ISO-8601 duration such as PT24H, P3D or PT30M"));
                continue;
            }
            if (d.isNegative() || d.isZero()) {
                errors.add(new ApiProblem.FieldError(field, "'" + text + "' must be positive: the time after the first message when this reminder goes"));
                continue;
            }
            if (d.compareTo(previous) <= 0) {
                errors.add(new ApiProblem.FieldError(field, "'" + text + "' must come after the reminder before it (" + previous
                        + "): reminders count from the first message and must increase"));
            }
            previous = d.compareTo(previous) > 0 ? d : previous;
            out.add(d);
        }
        return out;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
