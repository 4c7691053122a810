package dev.signalbox.profiles;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.WorkspaceRole;
import dev.signalbox.accounts.Workspaces;
import dev.signalbox.networks.ConnectFailure;
import dev.signalbox.networks.ConnectedAccount;
import dev.signalbox.networks.Connection;
import dev.signalbox.networks.Networks;
import dev.signalbox.networks.CredentialConnect;
import dev.signalbox.networks.NetworkAdapter;
import dev.signalbox.networks.TextLimits;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.Ids;
import dev.signalbox.vault.TokenVault;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.DateTimeException;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Connecting profiles, their schedules and states. Access is checked through the profile's workspace. */
@Service
public class Profiles {

    /** Published when a profile can post again after needing reconnection. */
    public record Reconnected(String profileId) {}

    /** Published, in the caller's transaction, when Signalbox took a profile's credential away (see {@link #disconnect}). */
    public record Disconnected(String profileId, String reason) {}

    /**
     * A credential taken from a profile so that it can be revoked at the provider. {@code sealedSecret}
     * is still sealed for the profile; open it only with {@link #openForRevocation}.
     */
    public record Revocable(String profileId, String network, String instanceUrl, String accountId, String sealedSecret) {
        @Override
        public String toString() {
            return "Revocable[profileId=" + profileId + ", network=" + network + ", sealedSecret=<sealed>]";
        }
    }

    static final String COLUMNS = """
            id, workspace_id, network, handle, display_name, instance_url, status, status_reason, paused,
            time_zone, text_limit, incident_channel""";

    private final JdbcClient db;
    private final Workspaces workspaces;
    private final Networks networks;
    private final TokenVault vault;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final ConnectionHealth health;
    private final ReconnectClients clients;

    Profiles(JdbcClient db, Workspaces workspaces, Networks networks, TokenVault vault,
            Clock clock, ApplicationEventPublisher events, ConnectionHealth health, ReconnectClients clients) {
        this.clients = clients;
        this.db = db;
        this.workspaces = workspaces;
        this.networks = networks;
        this.vault = vault;
        this.clock = clock;
        this.events = events;
        this.health = health;
    }

    /**
     * Connects a profile with credentials given in the request (sandbox handle, Mastodon instance and
     * access token, Bluesky handle and app password). The network verifies them first; nothing is
     * stored unless it accepts them. X and Facebook answer with where to connect in the browser.
     */
    public Profile connect(CurrentUser user, String workspaceId, Map<String, String> body) {
        return connect(user, workspaceId, body, ReconnectClients.WEB);
    }

    /**
     * As {@link #connect(CurrentUser, String, Map)}, from {@code client} ({@link ReconnectClients}): while an
     * operator restricts the network to other clients this answers 403 before anything is asked or stored.
     */
    public Profile connect(CurrentUser user, String workspaceId, Map<String, String> body, String client) {
        workspaces.require(user, workspaceId, WorkspaceRole.EDITOR);
        String network = body.get("network");
        if (network == null || network.isBlank()) throw ApiProblem.invalid("network", "is required: sandbox, mastodon, bluesky, x or facebook");
        NetworkAdapter adapter = networks.require(network);
        clients.check(network, client, workspaceId);
        if (!(adapter instanceof CredentialConnect credentials)) {
            throw ApiProblem.invalid("network", "'" + network + "' connects in the browser: open /connect/" + network + "?workspace=" + workspaceId);
        }
        ConnectedAccount account;
        try {
            account = credentials.connect(body);
        } catch (ConnectFailure failure) {
            throw ApiProblem.invalid(failure.field(), failure.getMessage());
        }
        return store(workspaceId, network, account);
    }

    /** Stores a new connection, or renews the credentials of the same account already in the workspace. */
    @Transactional
    Profile store(String workspaceId, String network, ConnectedAccount account) {
        Optional<String> existing = db.sql("""
                select id from profiles where workspace_id = :w and network = :n
                and coalesce(instance_url, '') = coalesce(:i, '') and lower(handle) = lower(:h)""")
                .param("w", workspaceId).param("n", network).param("i", account.instanceUrl()).param("h", account.handle())
                .query(String.class).optional();
        String id = existing.orElseGet(() -> Ids.next("prf", clock.millis()));
        String sealed = vault.seal(account.secret(), "profiles:" + id);
        boolean reconnected = false;
        if (existing.isPresent()) {
            reconnected = db.sql("select status <> 'connected' from profiles where id = :id").param("id", id).query(Boolean.class).single();
            db.sql("""
                    update profiles set secret = :s, status = 'connected', status_reason = null, display_name = :d,
                    network_account_id = :a, text_limit = :l where id = :id""")
                    .param("s", sealed).param("d", account.displayName()).param("a", account.accountId())
                    .param("l", account.limits().maxCharacters()).param("id", id).update();
        } else {
            db.sql("""
                    insert into profiles (id, workspace_id, network, handle, display_name, instance_url, network_account_id,
                    text_limit, status, secret, created_at)
                    values (:id, :w, :n, :h, :d, :i, :a, :l, 'connected', :s, :now)""")
                    .param("id", id).param("w", workspaceId).param("n", network).param("h", account.handle())
                    .param("d", account.displayName()).param("i", account.instanceUrl()).param("a", account.accountId())
                    .param("l", account.limits().maxCharacters()).param("s", sealed).param("now", OffsetDateTime.now(clock))
                    .update();
        }
        if (reconnected) events.publishEvent(new Reconnected(id));
        return find(id).orElseThrow();
    }

    public Optional<Profile> find(String id) {
        return db.sql("select " + COLUMNS + " from profiles where id = :id").param("id", id).query(this::row).optional();
    }

    /** The profile if the caller holds at least {@code role} in its workspace; otherwise 404 (or 403 for a too-small role). */
    public Profile require(CurrentUser user, String profileId, WorkspaceRole role) {
        Profile profile = find(profileId).orElseThrow(() -> ApiProblem.notFound("Profile " + profileId));
        if (workspaces.roleOf(user, profile.workspaceId()).isEmpty()) throw ApiProblem.notFound("Profile " + profileId);
        workspaces.require(user, profile.workspaceId(), role);
        return profile;
    }

    public List<Profile> inWorkspace(CurrentUser user, String workspaceId) {
        workspaces.require(user, workspaceId, WorkspaceRole.VIEWER);
        return db.sql("select " + COLUMNS + " from profiles where workspace_id = :w order by created_at, id")
                .param("w", workspaceId).query(this::row).list();
    }

    public Schedule schedule(String profileId) {
        ZoneId zone = ZoneId.of(db.sql("select time_zone from profiles where id = :id").param("id", profileId).query(String.class).single());
        List<Schedule.Slot> slots = db.sql("select day_of_week, slot_time from schedule_slots where profile_id = :id order by day_of_week, slot_time")
                .param("id", profileId)
                .query((rs, n) -> new Schedule.Slot(DayOfWeek.of(rs.getInt(1)), rs.getObject(2, LocalTime.class)))
                .list();
        return new Schedule(zone, slots);
    }

    public record SlotInput(String day, String time) {}

    /** Replaces the schedule; every problem is named (e.g. {@code slots[2].time}) and nothing is written unless all is valid. */
    @Transactional
    public Schedule replaceSchedule(CurrentUser user, String profileId, String timeZone, List<SlotInput> slots) {
        require(user, profileId, WorkspaceRole.EDITOR);
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        ZoneId zone = null;
        if (timeZone == null || timeZone.isBlank()) {
            errors.add(new ApiProblem.FieldError("timeZone", "is required, an IANA time zone such as Europe/Berlin"));
        } else {
            try {
                zone = ZoneId.of(timeZone);
            } catch (DateTimeException e) {
                errors.add(new ApiProblem.FieldError("timeZone", "'" + timeZone + "' is not an IANA time zone such as Europe/Berlin"));
            }
        }
        List<Schedule.Slot> parsed = new ArrayList<>();
        List<SlotInput> given = slots == null ? List.of() : slots;
        if (given.size() > 7 * 48) errors.add(new ApiProblem.FieldError("slots", "at most " + (7 * 48) + " slots a week"));
        for (int i = 0; i < given.size(); i++) {
            SlotInput slot = given.get(i);
            DayOfWeek day = null;
            LocalTime time = null;
            if (slot == null || slot.day() == null) {
                errors.add(new ApiProblem.FieldError("slots[" + i + "].day", "is required, MONDAY to SUNDAY"));
            } else {
                try {
                    day = DayOfWeek.valueOf(slot.day().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    errors.add(new ApiProblem.FieldError("slots[" + i + "].day", "'" + slot.day() + "' is not a day; use MONDAY to SUNDAY"));
                }
            }
            if (slot == null || slot.time() == null) {
                errors.add(new ApiProblem.FieldError("slots[" + i + "].time", "is required, as HH:MM (00:00 to 23:59)"));
            } else if (!slot.time().matches("\\d{2}:\\d{2}")) {
                errors.add(new ApiProblem.FieldError("slots[" + i + "].time", "'" + slot.time() + "' is not a time as HH:MM (00:00 to 23:59)"));
            } else {
                try {
                    time = LocalTime.parse(slot.time());
                } catch (DateTimeParseException e) {
                    errors.add(new ApiProblem.FieldError("slots[" + i + "].time", "'" + slot.time() + "' is not a time of day; use 00:00 to 23:59"));
                }
            }
            if (day != null && time != null) parsed.add(new Schedule.Slot(day, time));
        }
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);
        List<Schedule.Slot> distinct = parsed.stream().distinct().sorted(java.util.Comparator.comparing(Schedule.Slot::day).thenComparing(Schedule.Slot::time)).toList();
        db.sql("update profiles set time_zone = :z where id = :id").param("z", zone.getId()).param("id", profileId).update();
        db.sql("delete from schedule_slots where profile_id = :id").param("id", profileId).update();
        for (Schedule.Slot slot : distinct) {
            db.sql("insert into schedule_slots (profile_id, day_of_week, slot_time) values (:id, :d, :t)")
                    .param("id", profileId).param("d", slot.day().getValue()).param("t", slot.time()).update();
        }
        return new Schedule(zone, distinct);
    }

    public Profile setPaused(CurrentUser user, String profileId, boolean paused) {
        require(user, profileId, WorkspaceRole.EDITOR);
        db.sql("update profiles set paused = :p where id = :id").param("p", paused).param("id", profileId).update();
        return find(profileId).orElseThrow();
    }

    /**
     * The network refused the profile's credentials: marks it and emails the workspace's owners,
     * in the caller's transaction. Returns false (and sends nothing) when it was already marked.
     */
    public boolean markNeedsReconnect(String profileId, String reason) {
        boolean changed = db.sql("update profiles set status = 'needs_reconnect', status_reason = :r where id = :id and status = 'connected'")
                .param("r", reason).param("id", profileId).update() == 1;
        if (changed) health.needsReconnect(profileId, reason);
        return changed;
    }

    /** Profiles on {@code network} that hold a credential, in every workspace; incident channels only if asked. */
    public List<String> holdingCredentials(String network, boolean includeIncidentChannels) {
        return db.sql("""
                select id from profiles where network = :n and secret is not null and (:channels or not incident_channel)
                order by created_at, id""")
                .param("n", network).param("channels", includeIncidentChannels).query(String.class).list();
    }

    /**
     * Signalbox takes the credential away for the customer's safety, in the caller's transaction: the
     * profile needs reconnecting (with {@code reason} shown to its workspace), its stored secret is erased
     * and returned, still sealed, so the caller can revoke it at the provider. Publishes {@link Disconnected}
     * (its scheduled posts are held). Empty, and nothing changed, when the profile holds no credential
     * (e.g. a concurrent disconnection took it first). Owners are told by {@link #tellOwnersDisconnected}.
     */
    public Optional<Revocable> disconnect(String profileId, String reason) {
        Optional<Revocable> taken = db.sql("""
                update profiles p set secret = null, status = 'needs_reconnect', status_reason = :r
                from (select id, secret from profiles where id = :id and secret is not null for update) old
                where p.id = old.id
                returning p.id, p.network, p.instance_url, p.network_account_id, old.secret""")
                .param("r", reason).param("id", profileId)
                .query((rs, n) -> new Revocable(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)))
                .optional();
        taken.ifPresent(t -> events.publishEvent(new Disconnected(profileId, reason)));
        return taken;
    }

    /**
     * One email per workspace owner listing their profiles in {@code profileIds}: Signalbox disconnected
     * them for their safety, why, how to reconnect (and from where, while {@code reconnectClients} is
     * set), and that their posts are held, not lost. In the caller's transaction.
     */
    public void tellOwnersDisconnected(List<String> profileIds, String reason, List<String> reconnectClients) {
        health.disconnectedForSafety(profileIds, reason, reconnectClients);
    }

    /** The connection to revoke a taken credential with. A credential the provider renews meanwhile is not kept. */
    public Connection openForRevocation(Revocable taken) {
        return new Connection(taken.profileId(), taken.instanceUrl(), taken.accountId(),
                vault.open(taken.sealedSecret(), "profiles:" + taken.profileId()), Connection.SecretSink.DISCARD);
    }

    /** The live connection for one network call; the secret is opened from the vault only here. */
    public Connection openConnection(String profileId, String networkAccountId, String instanceUrl, String sealedSecret) {
        return new Connection(profileId, instanceUrl, networkAccountId, vault.open(sealedSecret, "profiles:" + profileId),
                renewed -> db.sql("update profiles set secret = :s where id = :id")
                        .param("s", vault.seal(renewed, "profiles:" + profileId)).param("id", profileId).update());
    }

    public TextLimits limitsOf(Profile profile) {
        return profile.limits();
    }

    private Profile row(ResultSet rs, int n) throws SQLException {
        String network = rs.getString("network");
        int limit = rs.getInt("text_limit");
        TextLimits defaults = networks.find(network).map(a -> a.defaultLimits()).orElse(new TextLimits(500, 23));
        TextLimits limits = rs.wasNull() ? defaults : new TextLimits(limit, defaults.urlWeight());
        return new Profile(rs.getString("id"), rs.getString("workspace_id"), network, rs.getString("handle"),
                rs.getString("display_name"), rs.getString("instance_url"), rs.getString("status"), rs.getString("status_reason"),
                rs.getBoolean("paused"), ZoneId.of(rs.getString("time_zone")), limits, rs.getBoolean("incident_channel"));
    }
}
