package dev.signalbox.profiles;

import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.BaseUrl;
import java.sql.Array;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Which clients may (re)connect a network while an operator restricts it, e.g. "only from the web
 * dashboard" after a breach while the mobile app cannot reconnect safely yet. The client is named by
 * the request header {@value #HEADER}: {@code web} (the dashboard always counts as web), {@code mobile}
 * or {@code api} (an API call without the header). Owns reconnect_restrictions.
 */
@Component
public class ReconnectClients {

    public static final String HEADER = "X-Signalbox-Client";
    public static final String WEB = "web";
    public static final String MOBILE = "mobile";
    public static final String API = "api";
    public static final Set<String> ALL = Set.of(WEB, MOBILE, API);

    /** A network's restriction: only {@code clients} may connect it until it is lifted. */
    public record Restriction(String network, List<String> clients, String reason, String setBy) {}

    private final JdbcClient db;
    private final BaseUrl baseUrl;
    private final Clock clock;

    ReconnectClients(JdbcClient db, BaseUrl baseUrl, Clock clock) {
        this.db = db;
        this.baseUrl = baseUrl;
        this.clock = clock;
    }

    /** The client a request came from: the header's value in lower case, or {@code fallback} when it has none. */
    public static String of(String header, String fallback) {
        return header == null || header.isBlank() ? fallback : header.trim().toLowerCase(Locale.ROOT);
    }

    /** Restricts {@code network} to {@code clients} (a subset of {@link #ALL}), replacing any earlier restriction. */
    public void restrict(String network, List<String> clients, String reason, String setBy) {
        if (clients.isEmpty() || !ALL.containsAll(clients)) throw new IllegalArgumentException("clients must be a non-empty subset of " + ALL);
        db.sql("""
                insert into reconnect_restrictions (network, clients, reason, set_by, created_at) values (:n, :c, :r, :by, :now)
                on conflict (network) do update set clients = excluded.clients, reason = excluded.reason,
                    set_by = excluded.set_by, created_at = excluded.created_at""")
                .param("n", network).param("c", clients.toArray(String[]::new)).param("r", reason).param("by", setBy)
                .param("now", OffsetDateTime.now(clock)).update();
    }

    /** Lifts the restriction {@code setBy} put on {@code network}; false when there was none (or a later one replaced it). */
    public boolean lift(String network, String setBy) {
        return db.sql("delete from reconnect_restrictions where network = :n and set_by = :by")
                .param("n", network).param("by", setBy).update() == 1;
    }

    public Optional<Restriction> on(String network) {
        return db.sql("select network, clients, reason, set_by from reconnect_restrictions where network = :n")
                .param("n", network)
                .query((rs, n) -> new Restriction(rs.getString(1), strings(rs.getArray(2)), rs.getString(3), rs.getString(4)))
                .optional();
    }

    /**
     * Passes when {@code client} may connect {@code network} now; otherwise a 403 saying where the
     * customer can reconnect instead. Called before anything is stored or any network is asked.
     */
    public void check(String network, String client, String workspaceId) {
        Optional<Restriction> restriction = on(network);
        if (restriction.isEmpty() || restriction.get().clients().contains(client)) return;
        Restriction r = restriction.get();
        String instead = r.clients().contains(WEB)
                ? "open " + baseUrl.get() + "/workspaces/" + workspaceId + " in a web browser to reconnect"
                : "reconnect from " + places(r.clients());
        throw ApiProblem.forbidden("Reconnecting " + network + " is only possible from " + places(r.clients()) + " for now ("
                + r.reason() + "); " + instead);
    }

    /** "the web dashboard", "the web dashboard or the API" … */
    public static String places(List<String> clients) {
        List<String> names = new ArrayList<>();
        for (String c : clients) {
            names.add(switch (c) {
                case WEB -> "the web dashboard";
                case MOBILE -> "the mobile app";
                case API -> "the API";
                default -> c;
            });
        }
        return String.join(" or ", names);
    }

    private static List<String> strings(Array array) throws SQLException {
        return List.of((String[]) array.getArray());
    }
}
