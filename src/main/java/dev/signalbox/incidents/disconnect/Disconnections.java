package dev.signalbox.incidents.disconnect;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.audit.AuditLog;
import dev.signalbox.networks.Networks;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.Ids;
import dev.signalbox.profiles.Profiles;
import dev.signalbox.profiles.ReconnectClients;
import dev.signalbox.publishing.Posts;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Disconnecting every profile of one network (docs: API.md, Incident command: disconnections).
 * In one transaction with its audit record: each profile that holds a credential is marked
 * {@code needs_reconnect} with the reason, its scheduled posts are held, its token leaves the profile
 * (kept sealed only in this disconnection's row, for the provider revoke), each workspace owner gets
 * one email, and the optional reconnect-client restriction is set. After commit, every token is
 * revoked at its provider ({@link Revocations}). Incident channels are included unless the operator
 * keeps them ({@code keepIncidentChannels}): their tokens are as exposed as anyone's.
 */
@Service
public class Disconnections {

    public record Request(String network, String reason, List<String> reconnectClients, Boolean keepIncidentChannels) {}

    static final String WHAT = "Disconnections";

    private final JdbcClient db;
    private final TransactionTemplate tx;
    private final Networks networks;
    private final Profiles profiles;
    private final ReconnectClients clients;
    private final Posts posts;
    private final AuditLog audit;
    private final Revocations revocations;
    private final Clock clock;

    Disconnections(JdbcClient db, TransactionTemplate tx, Networks networks, Profiles profiles, ReconnectClients clients, Posts posts,
            AuditLog audit, Revocations revocations, Clock clock) {
        this.db = db;
        this.tx = tx;
        this.networks = networks;
        this.profiles = profiles;
        this.clients = clients;
        this.posts = posts;
        this.audit = audit;
        this.revocations = revocations;
        this.clock = clock;
    }

    /** Responders and admins; everything or nothing is changed, and a 422 names each bad field. */
    public Disconnection.Started start(CurrentUser user, String clientIp, Request request) {
        Operators.require(user, WHAT, Operators.RESPONDER);
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        String network = request == null ? null : request.network();
        if (network == null || network.isBlank()) {
            errors.add(new ApiProblem.FieldError("network", "is required: the network whose every profile is disconnected, e.g. x"));
        } else {
            try {
                networks.require(network);
            } catch (ApiProblem unknown) {
                errors.addAll(unknown.errors());
            }
        }
        String reason = request == null || request.reason() == null ? "" : request.reason().strip();
        if (reason.isEmpty()) {
            errors.add(new ApiProblem.FieldError("reason", "is required: say why, in words customers will read on their profiles and in the email"));
        } else if (reason.length() > 500) {
            errors.add(new ApiProblem.FieldError("reason", "is " + reason.length() + " characters; keep it to 500 (customers read it)"));
        }
        List<String> only = request == null ? null : request.reconnectClients();
        if (only != null) {
            if (only.isEmpty()) {
                errors.add(new ApiProblem.FieldError("reconnectClients", "must name at least one client (web, mobile, api), or be left out to allow all"));
            }
            for (int i = 0; i < only.size(); i++) {
                if (only.get(i) == null || !ReconnectClients.ALL.contains(only.get(i))) {
                    errors.add(new ApiProblem.FieldError("reconnectClients[" + i + "]", "'" + only.get(i) + "' is not a client; use web, mobile or api"));
                }
            }
        }
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);
        List<String> restrictTo = only == null ? null : only.stream().distinct().toList();
        boolean keepChannels = Boolean.TRUE.equals(request.keepIncidentChannels());
        String id = Ids.next("dsc", clock.millis());

        tx.executeWithoutResult(status -> {
            Instant now = clock.instant();
            db.sql("""
                    insert into disconnections (id, network, reason, reconnect_clients, keep_incident_channels, created_by, created_at)
                    values (:id, :n, :r, :c, :keep, :by, :now)""")
                    .param("id", id).param("n", network).param("r", reason)
                    .param("c", restrictTo == null ? null : restrictTo.toArray(String[]::new)).param("keep", keepChannels)
                    .param("by", user.id()).param("now", Revocations.odt(now)).update();
            List<String> taken = new ArrayList<>();
            for (String profileId : profiles.holdingCredentials(network, !keepChannels)) {
                profiles.disconnect(profileId, reason).ifPresent(credential -> {
                    taken.add(profileId);
                    db.sql("""
                            insert into disconnection_profiles (disconnection_id, profile_id, network, instance_url, account_id,
                                revoke_state, sealed_secret, claim_expires_at)
                            values (:d, :p, :n, :i, :a, 'pending', :s, :lease)""")
                            .param("d", id).param("p", profileId).param("n", network).param("i", credential.instanceUrl())
                            .param("a", credential.accountId()).param("s", credential.sealedSecret())
                            .param("lease", Revocations.odt(now.plus(Revocations.LEASE))).update();
                });
            }
            if (restrictTo != null) clients.restrict(network, restrictTo, reason, id);
            profiles.tellOwnersDisconnected(taken, reason, restrictTo);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("disconnection", id);
            details.put("profiles", taken.size());
            details.put("reconnectClients", restrictTo == null ? "any" : String.join(",", restrictTo));
            details.put("keepIncidentChannels", keepChannels);
            audit.record(new AuditLog.Actor(user.id(), user.email(), clientIp), "disconnect", "network", network, reason, details);
        });
        revocations.firstAttempts(id);
        Disconnection d = find(id);
        return new Disconnection.Started(id, network, d.profiles(), d.revoked(), d.revokeFailures(), d.revokeRetrying());
    }

    /** Any operator who responds, communicates or supports customers may follow the campaign. */
    public Disconnection get(CurrentUser user, String id) {
        Operators.require(user, WHAT, Operators.RESPONDER, Operators.COMMUNICATOR, Operators.SUPPORT);
        return find(id);
    }

    public List<Disconnection> recent(CurrentUser user, int limit) {
        Operators.require(user, WHAT, Operators.RESPONDER, Operators.COMMUNICATOR, Operators.SUPPORT);
        return db.sql("select id from disconnections order by created_at desc, id desc limit :l").param("l", limit)
                .query(String.class).list().stream().map(this::find).toList();
    }

    /** Lets every client reconnect the network again; 409 when this disconnection has no restriction in force. */
    public Disconnection liftRestriction(CurrentUser user, String clientIp, String id) {
        Operators.require(user, WHAT, Operators.RESPONDER);
        Disconnection d = find(id);
        tx.executeWithoutResult(status -> {
            int lifted = db.sql("""
                    update disconnections set restriction_lifted_at = :now, restriction_lifted_by = :by
                    where id = :id and reconnect_clients is not null and restriction_lifted_at is null""")
                    .param("now", Revocations.odt(clock.instant())).param("by", user.email()).param("id", id).update();
            if (lifted == 0) {
                throw ApiProblem.conflict("Disconnection " + id + " has no reconnect restriction in force"
                        + (d.reconnectClients() == null ? " (it was started without reconnectClients)" : " (it was already lifted)"));
            }
            clients.lift(d.network(), id);
            audit.record(new AuditLog.Actor(user.id(), user.email(), clientIp), "lift-reconnect-restriction", "network", d.network(),
                    null, Map.of("disconnection", id, "reconnectClients", String.join(",", d.reconnectClients())));
        });
        return find(id);
    }

    Disconnection find(String id) {
        record Head(String network, String reason, Instant at, String by, List<String> clients, boolean lifted) {}
        Head head = db.sql("""
                select d.network, d.reason, d.created_at, u.email, d.reconnect_clients, d.restriction_lifted_at is not null
                from disconnections d left join users u on u.id = d.created_by where d.id = :id""")
                .param("id", id)
                .query((rs, n) -> new Head(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getString(4),
                        strings(rs.getArray(5)), rs.getBoolean(6)))
                .optional().orElseThrow(() -> ApiProblem.notFound("Disconnection " + id));
        record Member(String profileId, String state, int attempts, String failure, Instant next, boolean reconnected) {}
        List<Member> members = db.sql("""
                select profile_id, revoke_state, revoke_attempts, revoke_failure, next_attempt_at, reconnected_at is not null
                from disconnection_profiles where disconnection_id = :id order by profile_id""")
                .param("id", id)
                .query((rs, n) -> new Member(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                        instant(rs, 5), rs.getBoolean(6)))
                .list();
        int total = members.size();
        int revoked = (int) members.stream().filter(m -> m.state().equals("revoked")).count();
        int retrying = (int) members.stream().filter(m -> m.state().equals("retrying")).count();
        int reconnected = (int) members.stream().filter(Member::reconnected).count();
        List<Disconnection.RevokeFailure> failures = members.stream().filter(m -> m.failure() != null)
                .map(m -> new Disconnection.RevokeFailure(m.profileId(), m.state(), m.attempts(), m.failure(), m.next())).toList();
        List<Disconnection.HourlyReconnections> perHour = db.sql("""
                select date_trunc('hour', reconnected_at at time zone 'UTC'), count(*) from disconnection_profiles
                where disconnection_id = :id and reconnected_at is not null group by 1 order by 1""")
                .param("id", id)
                .query((rs, n) -> new Disconnection.HourlyReconnections(
                        rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC), rs.getInt(2)))
                .list();
        double percent = total == 0 ? 0 : Math.round(1000.0 * reconnected / total) / 10.0;
        long held = posts.heldCount(members.stream().map(Member::profileId).toList());
        return new Disconnection(id, head.network(), head.reason(), head.at(), head.by(), head.clients(),
                head.clients() != null && !head.lifted(), total, revoked, failures.size(), retrying, reconnected, total - reconnected,
                percent, held, perHour, failures);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        var ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? null : List.of((String[]) array.getArray());
    }
}
