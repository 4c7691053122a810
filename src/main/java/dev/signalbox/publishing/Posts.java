package dev.signalbox.publishing;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.WorkspaceRole;
import dev.signalbox.networks.Networks;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.Ids;
import dev.signalbox.profiles.Profile;
import dev.signalbox.profiles.Profiles;
import dev.signalbox.profiles.Schedule;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Composing, editing, cancelling and listing posts. Publishing them is the {@link Dispatcher}'s job. */
@Service
public class Posts {

    public static final Set<String> STATUSES = Set.of("draft", "scheduled", "publishing", "published", "held", "failed", "cancelled");
    static final Set<String> WHENS = Set.of("now", "queue", "at", "draft");
    /** Post columns with what a halt needs to know of the profile; read {@code FROM} {@link #FROM}. */
    static final String COLUMNS = """
            p.id, p.profile_id, p.text, p.status, p.due_at, p.published_at, p.network_post_id, p.network_url, p.attempts,
            p.failure_kind, p.failure_message, p.seq, p.containment_state, p.containment_at, p.containment_job_id,
            p.containment_reason, pr.network, pr.workspace_id, pr.incident_channel""";
    static final String FROM = " from posts p join profiles pr on pr.id = p.profile_id ";
    static final String HALTED_MESSAGE = "Posting is paused by Signalbox while an incident is handled; this post goes out, in order, once posting resumes";

    public record Page(List<Post> posts, String nextCursor) {}

    private final JdbcClient db;
    private final Profiles profiles;
    private final Networks networks;
    private final Clock clock;
    private final DispatchSignal signal;
    private final HaltWatch halts;

    Posts(JdbcClient db, Profiles profiles, Networks networks, Clock clock, DispatchSignal signal, HaltWatch halts) {
        this.db = db;
        this.profiles = profiles;
        this.networks = networks;
        this.clock = clock;
        this.signal = signal;
        this.halts = halts;
    }

    public Post create(CurrentUser user, String profileId, String text, String when, String at) {
        Profile profile = profiles.require(user, profileId, WorkspaceRole.EDITOR);
        List<ApiProblem.FieldError> errors = new ArrayList<>(textProblems(profile, text));
        Instant now = clock.instant();
        Instant atInstant = null;
        if (when == null || !WHENS.contains(when)) {
            errors.add(new ApiProblem.FieldError("when", (when == null ? "is required" : "'" + when + "' is not allowed") + "; use now, queue, at or draft"));
        } else if (when.equals("at")) {
            atInstant = parseFuture(at, now, errors);
        } else if (at != null && !at.isBlank()) {
            errors.add(new ApiProblem.FieldError("at", "is only allowed with when=at"));
        }
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);

        String status = when.equals("draft") ? "draft" : profile.connected() ? "scheduled" : "held";
        String id = Ids.next("pst", now.toEpochMilli());
        switch (when) {
            case "now" -> insert(id, profile, text, status, now, null, user, now);
            case "at" -> insert(id, profile, text, status, atInstant, null, user, now);
            case "draft" -> insert(id, profile, text, status, null, null, user, now);
            case "queue" -> insertQueued(id, profile, text, status, user, now);
            default -> throw new IllegalStateException("unhandled when " + when);
        }
        if (status.equals("scheduled")) signal.postsChanged();
        return find(id).orElseThrow();
    }

    /**
     * A post "now" on one of the company's incident channels, written by an operator rather than a
     * workspace member (an incident update fanned out to social). Joins the caller's transaction, so
     * the post exists exactly when the caller's change commits; the dispatcher is woken after commit.
     * 422 naming {@code profileId} when the profile is not an incident channel, naming {@code text}
     * when the network refuses the text.
     */
    public Post createOnIncidentChannel(String profileId, String text, String createdByUserId) {
        Profile profile = profiles.find(profileId).filter(Profile::incidentChannel)
                .orElseThrow(() -> ApiProblem.invalid("profileId", "profile " + profileId + " is not one of the company's incident channels"));
        List<ApiProblem.FieldError> errors = textProblems(profile, text);
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);
        Instant now = clock.instant();
        String id = Ids.next("pst", now.toEpochMilli());
        insert(id, profile, text, profile.connected() ? "scheduled" : "held", now, null, createdByUserId, now);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(
                    new TransactionSynchronization() {
                        @Override
                        public void afterCommit() {
                            signal.postsChanged();
                        }
                    });
        } else {
            signal.postsChanged();
        }
        return find(id).orElseThrow();
    }

    /** Queues into the next free slot; a concurrent post that took the same slot makes us look again. */
    private void insertQueued(String id, Profile profile, String text, String status, CurrentUser user, Instant now) {
        Schedule schedule = profiles.schedule(profile.id());
        if (schedule.slots().isEmpty()) {
            throw ApiProblem.invalid("when", "queue needs posting slots, and this profile's schedule has none; add slots (PUT /api/v1/profiles/"
                    + profile.id() + "/schedule) or use when=at");
        }
        for (int round = 0; round < 20; round++) {
            Set<Instant> taken = new HashSet<>(db.sql("select queue_slot from posts where profile_id = :p and queue_slot > :now")
                    .param("p", profile.id()).param("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                    .query((rs, n) -> rs.getTimestamp(1).toInstant()).list());
            Instant slot = QueueSlots.nextFree(schedule, now, taken).orElseThrow(() ->
                    ApiProblem.invalid("when", "every slot in the next " + QueueSlots.HORIZON_DAYS + " days is taken; add slots or use when=at"));
            try {
                insert(id, profile, text, status, slot, slot, user, now);
                return;
            } catch (DuplicateKeyException raced) {
                // another post took this slot between our read and our insert: look again
            }
        }
        throw ApiProblem.conflict("The queue of profile " + profile.id() + " is changing too fast to find a free slot; try again");
    }

    private void insert(String id, Profile profile, String text, String status, Instant due, Instant queueSlot, CurrentUser user, Instant now) {
        insert(id, profile, text, status, due, queueSlot, user.id(), now);
    }

    private void insert(String id, Profile profile, String text, String status, Instant due, Instant queueSlot, String createdBy, Instant now) {
        db.sql("""
                insert into posts (id, profile_id, text, status, due_at, queue_slot, created_by, created_at, updated_at,
                                   failure_kind, failure_message)
                values (:id, :p, :text, :status, :due, :slot, :by, :now, :now, :fk, :fm)""")
                .param("id", id).param("p", profile.id()).param("text", text).param("status", status)
                .param("due", odt(due)).param("slot", odt(queueSlot)).param("by", createdBy).param("now", odt(now))
                .param("fk", status.equals("held") ? "needs_reconnect" : null)
                .param("fm", status.equals("held") ? "The profile must be reconnected before this post can go out" : null)
                .update();
    }

    public Post get(CurrentUser user, String postId) {
        Post post = find(postId).orElseThrow(() -> ApiProblem.notFound("Post " + postId));
        try {
            profiles.require(user, post.profileId(), WorkspaceRole.VIEWER);
        } catch (ApiProblem p) {
            throw ApiProblem.notFound("Post " + postId);
        }
        return post;
    }

    public Page list(CurrentUser user, String profileId, String status, Integer limit, String cursor) {
        profiles.require(user, profileId, WorkspaceRole.VIEWER);
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (status != null && !status.isBlank() && !STATUSES.contains(status)) {
            errors.add(new ApiProblem.FieldError("status", "'" + status + "' is not a post status; use one of " + String.join(", ", STATUSES.stream().sorted().toList())));
        }
        int size = limit == null ? 50 : limit;
        if (size < 1 || size > 200) errors.add(new ApiProblem.FieldError("limit", "must be between 1 and 200"));
        long before = Long.MAX_VALUE;
        if (cursor != null && !cursor.isBlank()) {
            try {
                before = Long.parseLong(cursor);
            } catch (NumberFormatException e) {
                errors.add(new ApiProblem.FieldError("cursor", "is not a cursor this API returned; pass nextCursor from the previous page"));
            }
        }
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);
        List<Row> rows = db.sql("select " + COLUMNS + FROM + "where p.profile_id = :p and p.seq < :before"
                        + " and (cast(:status as text) is null or p.status = :status) order by p.seq desc limit :limit")
                .param("p", profileId).param("before", before).param("status", status == null || status.isBlank() ? null : status)
                .param("limit", size + 1)
                .query(Posts::row).list();
        String next = rows.size() > size ? String.valueOf(rows.get(size - 1).seq()) : null;
        return new Page(rows.stream().limit(size).map(this::present).toList(), next);
    }

    /** Edits text and/or time of a post that has not started publishing. */
    public Post edit(CurrentUser user, String postId, String text, String at) {
        Post post = get(user, postId);
        Profile profile = profiles.require(user, post.profileId(), WorkspaceRole.EDITOR);
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (text == null && at == null) errors.add(new ApiProblem.FieldError("body", "give text, at, or both"));
        if (text != null) errors.addAll(textProblems(profile, text));
        Instant now = clock.instant();
        Instant atInstant = at == null ? null : parseFuture(at, now, errors);
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);
        String scheduledStatus = profile.connected() ? "scheduled" : "held";
        int changed = db.sql("""
                update posts set text = coalesce(:text, text),
                       due_at = case when cast(:at as timestamptz) is null then due_at else cast(:at as timestamptz) end,
                       queue_slot = case when cast(:at as timestamptz) is null then queue_slot else null end,
                       status = case when cast(:at as timestamptz) is not null and status = 'draft' then :scheduled else status end,
                       updated_at = :now
                where id = :id and status in ('draft', 'scheduled', 'held')""")
                .param("text", text).param("at", odt(atInstant)).param("scheduled", scheduledStatus)
                .param("now", odt(now)).param("id", postId).update();
        if (changed == 0) throw notEditable(postId);
        signal.postsChanged();
        return find(postId).orElseThrow();
    }

    public Post cancel(CurrentUser user, String postId) {
        Post post = get(user, postId);
        profiles.require(user, post.profileId(), WorkspaceRole.EDITOR);
        int changed = db.sql("""
                update posts set status = 'cancelled', queue_slot = null, updated_at = :now
                where id = :id and status in ('draft', 'scheduled', 'held')""")
                .param("now", odt(clock.instant())).param("id", postId).update();
        if (changed == 0) throw notEditable(postId);
        return find(postId).orElseThrow();
    }

    /**
     * Sends a held post that waited for confirmation after a reconnection ({@code needs_confirmation})
     * now. 409 for any other post, or while its profile is still not connected.
     */
    public Post confirm(CurrentUser user, String postId) {
        Post post = get(user, postId);
        Profile profile = profiles.require(user, post.profileId(), WorkspaceRole.EDITOR);
        if (!profile.connected()) {
            throw ApiProblem.conflict("Profile @" + profile.handle() + " is " + profile.status() + "; reconnect it before confirming post " + postId);
        }
        Instant now = clock.instant();
        int changed = db.sql("""
                update posts set status = 'scheduled', due_at = :now, queue_slot = null, next_attempt_at = null,
                       failure_kind = null, failure_message = null, updated_at = :now
                where id = :id and status = 'held' and failure_kind = :kind""")
                .param("now", odt(now)).param("id", postId).param("kind", HeldPosts.NEEDS_CONFIRMATION).update();
        if (changed == 0) {
            throw ApiProblem.conflict("Post " + postId + " is " + find(postId).map(Post::status).orElse("gone")
                    + " and not waiting for confirmation; only a held post that was due long before its profile was reconnected needs confirming");
        }
        signal.postsChanged();
        return find(postId).orElseThrow();
    }

    /** How many posts of these profiles are held (waiting for a reconnection or for confirmation). */
    public long heldCount(List<String> profileIds) {
        if (profileIds.isEmpty()) return 0;
        return db.sql("select count(*) from posts where profile_id = any(:ids) and status = 'held'")
                .param("ids", profileIds.toArray(String[]::new)).query(Long.class).single();
    }

    private ApiProblem notEditable(String postId) {
        String status = find(postId).map(Post::status).orElse("gone");
        return ApiProblem.conflict("Post " + postId + " is " + status + "; only draft, scheduled or held posts can be changed or cancelled");
    }

    public Optional<Post> find(String id) {
        return db.sql("select " + COLUMNS + FROM + "where p.id = :id").param("id", id).query(Posts::row).optional().map(this::present);
    }

    /** Length and emptiness problems of {@code text} on this profile's network, each naming the field {@code text}. */
    public List<ApiProblem.FieldError> textProblems(Profile profile, String text) {
        if (text == null) return List.of(new ApiProblem.FieldError("text", "is required"));
        return networks.require(profile.network()).validate(text, profile.limits()).stream()
                .map(m -> new ApiProblem.FieldError("text", m)).toList();
    }

    private static Instant parseFuture(String at, Instant now, List<ApiProblem.FieldError> errors) {
        if (at == null || at.isBlank()) {
            errors.add(new ApiProblem.FieldError("at", "is required with when=at: an ISO-8601 time with offset, e.g. 2026-12-01T09:00:00+01:00"));
            return null;
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(at).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(new ApiProblem.FieldError("at", "'" + at + "' is not an ISO-8601 time with offset, e.g. 2026-12-01T09:00:00+01:00"));
            return null;
        }
        if (!instant.isAfter(now)) {
            errors.add(new ApiProblem.FieldError("at", at + " is in the past; choose a future time or use when=now"));
            return null;
        }
        return instant;
    }

    record Row(Post post, long seq, String network, String workspaceId, boolean incidentChannel) {}

    /** A scheduled post that an active halt covers is shown as held, with a word to the customer. */
    private Post present(Row row) {
        Post p = row.post();
        if (!p.status().equals("scheduled")) return p;
        return halts.covering(row.network(), row.workspaceId(), p.profileId(), row.incidentChannel())
                .map(h -> new Post(p.id(), p.profileId(), p.text(), "held", p.scheduledAt(), p.publishedAt(), p.networkPostId(),
                        p.networkUrl(), p.attempts(), new Post.Failure("halted", HALTED_MESSAGE), p.containment()))
                .orElse(p);
    }

    static Row row(ResultSet rs, int n) throws SQLException {
        String kind = rs.getString("failure_kind");
        Post.Failure failure = kind == null ? null : new Post.Failure(kind, rs.getString("failure_message"));
        String contained = rs.getString("containment_state");
        Post.Containment containment = contained == null ? null : new Post.Containment(contained,
                instant(rs.getTimestamp("containment_at")), rs.getString("containment_job_id"), rs.getString("containment_reason"));
        return new Row(new Post(rs.getString("id"), rs.getString("profile_id"), rs.getString("text"), rs.getString("status"),
                instant(rs.getTimestamp("due_at")), instant(rs.getTimestamp("published_at")), rs.getString("network_post_id"),
                rs.getString("network_url"), rs.getInt("attempts"), failure, containment), rs.getLong("seq"),
                rs.getString("network"), rs.getString("workspace_id"), rs.getBoolean("incident_channel"));
    }

    static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    static OffsetDateTime odt(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
