package dev.signalbox.comms;

import dev.signalbox.platform.ApiProblem;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Who an update is for, and how many people that is right now, counted from the database:
 * {@code all} = every customer; {@code operators} = every operator; {@code network:<name>} =
 * members of workspaces with a profile on that network; {@code needs_reconnect} = members of
 * workspaces with a profile waiting to be reconnected; {@code affected} = members of workspaces
 * whose posts were contained (hidden, deleted or restored).
 */
@Component
class Audiences {

    /** The networks Signalbox speaks; a profile's network column holds one of these. */
    static final Set<String> NETWORKS = Set.of("x", "facebook", "mastodon", "bluesky", "sandbox");
    static final String RULE = "must be all, affected, operators, needs_reconnect or network:<name> with a network of "
            + String.join(", ", NETWORKS.stream().sorted().toList());

    private final JdbcClient db;

    Audiences(JdbcClient db) {
        this.db = db;
    }

    /** Throws a field error on {@code audience} naming the value when it is not one of the audiences. */
    static void validate(String audience) {
        if (audience == null || audience.isBlank()) throw ApiProblem.invalid("audience", "is required; it " + RULE);
        if (Set.of("all", "affected", "operators", "needs_reconnect").contains(audience)) return;
        if (audience.startsWith("network:") && NETWORKS.contains(audience.substring(8))) return;
        throw ApiProblem.invalid("audience", "'" + audience + "' is not an audience: it " + RULE);
    }

    /**
     * The people an audience names, as one SQL query selecting a single column {@code user_id}
     * (each user once) with its parameters. Channels build on it: email inserts a delivery per row,
     * the banner tests membership. The SQL is one of a fixed set of constants, never built from input.
     */
    record Selection(String sql, Map<String, Object> params) {}

    Selection members(String audience) {
        validate(audience);
        return switch (audience) {
            case "all" -> new Selection("select u.id as user_id from users u where cardinality(u.operator_roles) = 0", Map.of());
            case "operators" -> new Selection("select u.id as user_id from users u where cardinality(u.operator_roles) > 0", Map.of());
            case "needs_reconnect" -> new Selection("""
                    select distinct m.user_id from workspace_members m
                    where exists (select 1 from profiles p where p.workspace_id = m.workspace_id and p.status = 'needs_reconnect')""", Map.of());
            case "affected" -> new Selection("""
                    select distinct m.user_id from workspace_members m
                    where exists (select 1 from profiles p join posts o on o.profile_id = p.id
                                  where p.workspace_id = m.workspace_id and o.containment_state is not null)""", Map.of());
            default -> new Selection("""
                    select distinct m.user_id from workspace_members m
                    where exists (select 1 from profiles p where p.workspace_id = m.workspace_id and p.network = :audienceNetwork)""",
                    Map.of("audienceNetwork", audience.substring("network:".length())));
        };
    }

    int count(String audience) {
        Selection members = members(audience);
        return db.sql("select count(*) from (" + members.sql() + ") audience").params(members.params()).query(Integer.class).single();
    }
}
