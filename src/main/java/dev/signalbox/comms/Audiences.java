package dev.signalbox.comms;

import dev.signalbox.platform.ApiProblem;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Who an update is for, and how many people that is right now, counted from the database:
 * {@code all} = every customer; {@code operators} = every operator; {@code network:<name>} =
 * members of workspaces with a profile on that network; {@code needs_reconnect} = members of
 * workspaces with a profile waiting to be reconnected; {@code affected} = members of workspaces
 * whose posts were contained (hidden, deleted or restored). Containment may not be installed yet
 * (its column comes with the containment feature): then nobody counts as affected.
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

    int count(String audience) {
        return switch (audience) {
            case "all" -> db.sql("select count(*) from users where cardinality(operator_roles) = 0").query(Integer.class).single();
            case "operators" -> db.sql("select count(*) from users where cardinality(operator_roles) > 0").query(Integer.class).single();
            case "needs_reconnect" -> db.sql("""
                    select count(distinct m.user_id) from workspace_members m
                    where exists (select 1 from profiles p where p.workspace_id = m.workspace_id and p.status = 'needs_reconnect')""")
                    .query(Integer.class).single();
            case "affected" -> containmentInstalled() ? db.sql("""
                    select count(distinct m.user_id) from workspace_members m
                    where exists (select 1 from profiles p join posts o on o.profile_id = p.id
                                  where p.workspace_id = m.workspace_id and o.containment_state is not null)""")
                    .query(Integer.class).single() : 0;
            default -> db.sql("""
                    select count(distinct m.user_id) from workspace_members m
                    where exists (select 1 from profiles p where p.workspace_id = m.workspace_id and p.network = :network)""")
                    .param("network", audience.substring("network:".length())).query(Integer.class).single();
        };
    }

    private boolean containmentInstalled() {
        return db.sql("""
                select exists (select 1 from information_schema.columns
                               where table_schema = current_schema() and table_name = 'posts' and column_name = 'containment_state')""")
                .query(Boolean.class).single();
    }
}
