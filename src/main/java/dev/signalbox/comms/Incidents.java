package dev.signalbox.comms;

import dev.signalbox.audit.AuditLog;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.Ids;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Incidents and their timeline of updates. Opening an incident and publishing an update are
 * operator actions, each audit-logged in its own transaction. An update is refused (422) while a
 * required checklist item fails, unless the writer overrides the checklist — the override and the
 * items it skipped are audit-logged. A resolved incident takes no more updates (409).
 */
@Service
public class Incidents {

    public static final List<String> SEVERITIES = List.of("minor", "major", "critical");
    public static final List<String> STATUSES = List.of("investigating", "identified", "monitoring", "resolved");
    public static final List<String> CHANNELS = List.of("email", "statuspage", "social", "banner", "webhook");
    /** The status page is delivered by committing the update (the snapshot refreshes on commit). */
    static final String STATUS_PAGE = "statuspage";

    public record Incident(String id, String title, String severity, String status, List<String> networks, Instant startedAt,
            Instant resolvedAt, Instant updatedAt, List<Update> updates) {
        public boolean resolved() {
            return resolvedAt != null;
        }
    }

    public record ChannelState(String channel, String state) {}

    public record Update(String id, String incidentId, String status, String markdown, String html, String audience, int recipients,
            List<ChannelState> channels, List<String> overrideFailed, String createdByEmail, Instant publishedAt) {}

    public record NewIncident(String title, String severity, String status, List<String> networks) {}

    public record Draft(String status, String body, String audience, List<String> channels, boolean dryRun, boolean overrideChecklist) {}

    /** What publishing (or a dry run) produced. {@code update} is null for a dry run. */
    public record Outcome(Update update, int recipients, List<MessageChecklist.Check> checklist, List<String> channelsPending, String html,
            boolean dryRun) {}

    /** The draft was refused because required checklist items fail and the writer did not override. */
    public static final class ChecklistRefused extends RuntimeException {
        private final transient List<MessageChecklist.Check> checklist;

        ChecklistRefused(List<MessageChecklist.Check> checklist) {
            super("The update misses required checklist items: " + String.join(", ",
                    MessageChecklist.failedRequired(checklist).stream().map(MessageChecklist.Check::item).toList())
                    + ". Add them, or send with overrideChecklist: true (the override is audit-logged).");
            this.checklist = List.copyOf(checklist);
        }

        public List<MessageChecklist.Check> checklist() {
            return checklist;
        }
    }

    /** Published after the commit of every change the status page shows. */
    record StatusChanged(String incidentId) {}

    private final JdbcClient db;
    private final AuditLog audit;
    private final Audiences audiences;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final Map<String, UpdateChannel> channels = new LinkedHashMap<>();

    Incidents(JdbcClient db, AuditLog audit, Audiences audiences, Clock clock, ApplicationEventPublisher events,
            ObjectProvider<UpdateChannel> channels) {
        this.db = db;
        this.audit = audit;
        this.audiences = audiences;
        this.clock = clock;
        this.events = events;
        channels.orderedStream().forEach(c -> {
            if (!CHANNELS.contains(c.channel()) || this.channels.put(c.channel(), c) != null) {
                throw new IllegalStateException("Channel bean " + c.getClass().getName() + " claims '" + c.channel()
                        + "', which is not a channel or is claimed twice");
            }
        });
    }

    /** The channels this installation delivers (the status page and every channel with a bean); the rest are recorded as not yet supported. */
    public List<String> deliveredChannels() {
        return CHANNELS.stream().filter(c -> c.equals(STATUS_PAGE) || channels.containsKey(c)).toList();
    }

    @Transactional
    public Incident open(NewIncident in, AuditLog.Actor actor) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (in.title() == null || in.title().isBlank()) errors.add(new ApiProblem.FieldError("title", "is required: say in a few words what is wrong"));
        else if (in.title().length() > 200) errors.add(new ApiProblem.FieldError("title", "must be at most 200 characters"));
        oneOf(errors, "severity", in.severity(), SEVERITIES);
        oneOf(errors, "status", in.status(), STATUSES);
        List<String> networks = in.networks() == null ? List.of() : List.copyOf(new LinkedHashSet<>(in.networks()));
        for (int i = 0; i < networks.size(); i++) {
            if (!Audiences.NETWORKS.contains(networks.get(i))) errors.add(new ApiProblem.FieldError("networks[" + i + "]",
                    "'" + networks.get(i) + "' is not a network; use one of " + String.join(", ", Audiences.NETWORKS.stream().sorted().toList())));
        }
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);
        Instant now = now();
        String id = Ids.next("inc", now.toEpochMilli());
        db.sql("""
                insert into incidents (id, title, severity, status, networks, started_at, resolved_at, created_by, updated_at)
                values (:id, :title, :severity, :status, :networks, :now, :resolved, :by, :now)""")
                .param("id", id).param("title", in.title().strip()).param("severity", in.severity()).param("status", in.status())
                .param("networks", networks.toArray(String[]::new)).param("now", utc(now))
                .param("resolved", in.status().equals("resolved") ? utc(now) : null).param("by", actor.email())
                .update();
        audit.record(actor, "comms.incident.open", "incident", id, in.title().strip(),
                Map.of("severity", in.severity(), "status", in.status(), "networks", networks));
        events.publishEvent(new StatusChanged(id));
        return find(id).orElseThrow();
    }

    @Transactional(readOnly = true)
    public List<Incident> list() {
        return db.sql("select id, title, severity, status, networks, started_at, resolved_at, updated_at from incidents order by started_at desc limit 500")
                .query((rs, n) -> incident(rs, List.of())).list();
    }

    @Transactional(readOnly = true)
    public Optional<Incident> find(String id) {
        return db.sql("select id, title, severity, status, networks, started_at, resolved_at, updated_at from incidents where id = :id")
                .param("id", id).query((rs, n) -> incident(rs, List.of())).optional()
                .map(i -> withUpdates(List.of(i)).getFirst());
    }

    /** One update, with its channels; empty when there is none. */
    @Transactional(readOnly = true)
    public Optional<Update> findUpdate(String updateId) {
        return db.sql("select incident_id from incident_updates where id = :id").param("id", updateId).query(String.class).optional()
                .flatMap(this::find).flatMap(i -> i.updates().stream().filter(u -> u.id().equals(updateId)).findFirst());
    }

    /** What the public status page shows: every unresolved incident and those resolved since {@code resolvedSince}, with timelines. */
    @Transactional(readOnly = true)
    public List<Incident> forStatusPage(Instant resolvedSince) {
        List<Incident> incidents = db.sql("""
                select id, title, severity, status, networks, started_at, resolved_at, updated_at from incidents
                where resolved_at is null or resolved_at >= :since
                order by (resolved_at is null) desc, coalesce(resolved_at, started_at) desc, id desc""")
                .param("since", utc(resolvedSince)).query((rs, n) -> incident(rs, List.of())).list();
        return withUpdates(incidents);
    }

    /**
     * Reviews the draft, counts its audience and — unless it is a dry run — records the update,
     * moves the incident to the update's status, and audit-logs it. Field errors come first (422),
     * then a resolved incident (409), then the checklist (422 via {@link ChecklistRefused}).
     */
    @Transactional
    public Outcome publish(String incidentId, Draft draft, AuditLog.Actor actor) {
        Incident incident = db.sql("select id, title, severity, status, networks, started_at, resolved_at, updated_at from incidents where id = :id for update")
                .param("id", incidentId).query((rs, n) -> incident(rs, List.of())).optional()
                .orElseThrow(() -> ApiProblem.notFound("Incident " + incidentId));
        List<String> channels = validate(draft);
        if (incident.resolved()) {
            throw ApiProblem.conflict("Incident " + incidentId + " is resolved (since " + incident.resolvedAt()
                    + "); it takes no more updates. Open a new incident if the problem is back.");
        }
        List<MessageChecklist.Check> checklist = MessageChecklist.review(draft.body());
        List<MessageChecklist.Check> failed = MessageChecklist.failedRequired(checklist);
        int recipients = audiences.count(draft.audience());
        String html = MessageBody.toSafeHtml(draft.body());
        List<String> pending = channels.stream().filter(c -> !c.equals(STATUS_PAGE) && !this.channels.containsKey(c)).toList();
        if (draft.dryRun()) return new Outcome(null, recipients, checklist, pending, html, true);
        if (!failed.isEmpty() && !draft.overrideChecklist()) throw new ChecklistRefused(checklist);

        Instant now = now();
        String id = Ids.next("upd", now.toEpochMilli());
        List<String> skipped = failed.stream().map(MessageChecklist.Check::item).toList();
        db.sql("""
                insert into incident_updates (id, incident_id, status, body_markdown, body_html, audience, recipients, override_failed,
                                              created_by, created_by_email, published_at)
                values (:id, :incident, :status, :md, :html, :audience, :recipients, :skipped, :by, :email, :now)""")
                .param("id", id).param("incident", incidentId).param("status", draft.status()).param("md", draft.body())
                .param("html", html).param("audience", draft.audience()).param("recipients", recipients)
                .param("skipped", skipped.toArray(String[]::new)).param("by", actor.id()).param("email", actor.email())
                .param("now", utc(now)).update();
        db.sql("update incidents set status = :status, updated_at = :now, resolved_at = case when :status = 'resolved' then :now end where id = :id")
                .param("status", draft.status()).param("now", utc(now)).param("id", incidentId).update();
        PublishedUpdate published = new PublishedUpdate(id, incidentId, incident.title(), incident.severity(), incident.networks(),
                draft.status(), draft.body(), html, draft.audience(), now, actor);
        for (String channel : channels) {
            UpdateChannel delivery = this.channels.get(channel);
            String state = channel.equals(STATUS_PAGE) ? "delivered" : delivery == null ? "not_yet_supported" : delivery.accept(published);
            db.sql("insert into incident_update_channels (update_id, channel, state) values (:id, :channel, :state)")
                    .param("id", id).param("channel", channel).param("state", state)
                    .update();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("updateId", id);
        details.put("status", draft.status());
        details.put("previousStatus", incident.status());
        details.put("audience", draft.audience());
        details.put("recipients", recipients);
        details.put("channels", channels);
        audit.record(actor, "comms.update.publish", "incident", incidentId, null, details);
        if (!failed.isEmpty()) {
            audit.record(actor, "comms.checklist.override", "incident", incidentId,
                    "sent without required checklist items: " + String.join(", ", skipped),
                    Map.of("updateId", id, "failedItems", failed.stream().map(c -> Map.of("item", c.item(), "hint", c.hint())).toList()));
        }
        events.publishEvent(new StatusChanged(incidentId));
        Update update = find(incidentId).orElseThrow().updates().stream().filter(u -> u.id().equals(id)).findFirst().orElseThrow();
        return new Outcome(update, recipients, checklist, pending, html, false);
    }

    private static List<String> validate(Draft draft) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        oneOf(errors, "status", draft.status(), STATUSES);
        if (draft.body() == null || draft.body().isBlank()) {
            errors.add(new ApiProblem.FieldError("body", "is empty: write the update in Markdown (an apology, what to do now, what is not affected, how to reply, your name)"));
        } else if (draft.body().length() > 20_000) {
            errors.add(new ApiProblem.FieldError("body", "must be at most 20000 characters; put the long story in a blog post and link to it"));
        }
        try {
            Audiences.validate(draft.audience());
        } catch (ApiProblem p) {
            errors.addAll(p.errors());
        }
        List<String> channels = draft.channels() == null ? List.of() : draft.channels();
        if (channels.isEmpty()) errors.add(new ApiProblem.FieldError("channels", "name at least one of " + String.join(", ", CHANNELS)));
        for (int i = 0; i < channels.size(); i++) {
            String c = channels.get(i);
            if (!CHANNELS.contains(c)) errors.add(new ApiProblem.FieldError("channels[" + i + "]",
                    "'" + c + "' is not a channel; use " + String.join(", ", CHANNELS)));
        }
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);
        return List.copyOf(new LinkedHashSet<>(channels));
    }

    private static void oneOf(List<ApiProblem.FieldError> errors, String field, String value, List<String> allowed) {
        if (value == null || value.isBlank()) errors.add(new ApiProblem.FieldError(field, "is required: one of " + String.join(", ", allowed)));
        else if (!allowed.contains(value)) errors.add(new ApiProblem.FieldError(field, "'" + value + "' is not allowed: use one of " + String.join(", ", allowed)));
    }

    private List<Incident> withUpdates(List<Incident> incidents) {
        if (incidents.isEmpty()) return incidents;
        String[] ids = incidents.stream().map(Incident::id).toArray(String[]::new);
        Map<String, List<ChannelState>> channels = new LinkedHashMap<>();
        db.sql("""
                select c.update_id, c.channel, c.state from incident_update_channels c join incident_updates u on u.id = c.update_id
                where u.incident_id = any(:ids) order by c.update_id, c.channel""")
                .param("ids", ids)
                .query((rs, n) -> channels.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new ChannelState(rs.getString(2), rs.getString(3))))
                .list();
        Map<String, List<Update>> byIncident = new LinkedHashMap<>();
        db.sql("""
                select id, incident_id, status, body_markdown, body_html, audience, recipients, override_failed, created_by_email, published_at
                from incident_updates where incident_id = any(:ids) order by published_at, id""")
                .param("ids", ids)
                .query((rs, n) -> byIncident.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(new Update(rs.getString(1),
                        rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getInt(7),
                        channels.getOrDefault(rs.getString(1), List.of()), strings(rs.getArray(8)), rs.getString(9), instant(rs, 10))))
                .list();
        return incidents.stream().map(i -> new Incident(i.id(), i.title(), i.severity(), i.status(), i.networks(), i.startedAt(),
                i.resolvedAt(), i.updatedAt(), List.copyOf(byIncident.getOrDefault(i.id(), List.of())))).toList();
    }

    private static Incident incident(ResultSet rs, List<Update> updates) throws SQLException {
        return new Incident(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), strings(rs.getArray(5)), instant(rs, 6),
                instant(rs, 7), instant(rs, 8), updates);
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
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
