package dev.signalbox.publishing;

import dev.signalbox.platform.PgNotifications;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * This node's copy of the active halts, refreshed at once on a NOTIFY and every second anyway.
 * It is the fast path (don't start a call that a halt now covers); the guarantee itself is in
 * the claim statement and the halt's wait for quiescence, which do not depend on this copy.
 */
@Component
public class HaltWatch {

    private static final Logger log = LoggerFactory.getLogger(HaltWatch.class);
    static final String CHANNEL = "signalbox_halts";

    /** One active halt as seen here. */
    public record ActiveHalt(String id, String scope, String target, String reason) {

        /** Whether this halt stops posting for a profile with these attributes. */
        public boolean covers(String network, String workspaceId, String profileId, boolean incidentChannel) {
            return switch (scope) {
                case "global" -> !incidentChannel;
                case "network" -> !incidentChannel && target.equals(network);
                case "workspace" -> target.equals(workspaceId);
                case "profile" -> target.equals(profileId);
                default -> throw new IllegalStateException("unknown halt scope " + scope);
            };
        }
    }

    private final JdbcClient db;
    private final DispatchSignal signal;
    private volatile List<ActiveHalt> active = List.of();

    HaltWatch(JdbcClient db, PgNotifications notifications, DispatchSignal signal) {
        this.db = db;
        this.signal = signal;
        notifications.listen(CHANNEL, payload -> refresh());
    }

    @Scheduled(fixedDelay = 1000)
    void refresh() {
        try {
            List<ActiveHalt> before = active;
            active = db.sql("select id, scope, target, reason from halts where lifted_at is null order by created_at")
                    .query((rs, n) -> new ActiveHalt(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                    .list();
            if (active.size() < before.size()) signal.postsChanged(); // a lift: posts may be due again
        } catch (RuntimeException e) {
            log.warn("Could not refresh the active halts: {}", e.getMessage());
        }
    }

    public List<ActiveHalt> active() {
        return active;
    }

    /** The first active halt that covers a profile with these attributes, if any. */
    public java.util.Optional<ActiveHalt> covering(String network, String workspaceId, String profileId, boolean incidentChannel) {
        for (ActiveHalt h : active) {
            if (h.covers(network, workspaceId, profileId, incidentChannel)) return java.util.Optional.of(h);
        }
        return java.util.Optional.empty();
    }
}
