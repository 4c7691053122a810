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
 *
 * <p>A halt being placed is announced before its transaction starts (payload
 * {@code coming|id|scope|target}, see {@link Halts#place}); from then on this node starts no call in
 * its scope, without waiting for the halt's transaction or a database read. Such an announced halt
 * counts until the halt's own notification arrives (then the database copy has it), or it is
 * withdrawn, or {@link #ANNOUNCED_FOR} has passed (a placing node that died).
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

    static final String ANNOUNCED = "coming|";
    static final String WITHDRAWN = "withdrawn|";
    static final java.time.Duration ANNOUNCED_FOR = java.time.Duration.ofSeconds(30);
    /**
     * How long after an announcement this node holds back new claims, unless the halt is in place sooner: long
     * enough for a halt to take the claim lock, short enough that a lost notification costs little.
     */
    static final java.time.Duration PLACING_PAUSE = java.time.Duration.ofSeconds(2);
    /** The longest a call waits in {@link #awaitNews} for a stalled node to read its notifications. */
    private final java.time.Duration newsWait;

    private record Announced(ActiveHalt halt, long announcedAt, long until) {}

    private final JdbcClient db;
    private final DispatchSignal signal;
    private final PgNotifications notifications;
    private volatile List<ActiveHalt> active = List.of();
    /** {@code System.nanoTime()} when this node last heard of a halt being placed; 0 if it never has. */
    private volatile long lastAnnounced;
    private final java.util.Map<String, Announced> announced = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Runnable> onAnnounced = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.ExecutorService refresher =
            java.util.concurrent.Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("halt-refresh").factory());

    HaltWatch(JdbcClient db, PgNotifications notifications, DispatchSignal signal,
            @org.springframework.beans.factory.annotation.Value("${signalbox.halts.news-wait-ms:1000}") long newsWaitMillis) {
        this.newsWait = java.time.Duration.ofMillis(newsWaitMillis);
        this.db = db;
        this.signal = signal;
        this.notifications = notifications;
        notifications.listen(CHANNEL, this::heard);
    }

    /**
     * Returns once this node has heard every announcement that reached it before the call
     * ({@link PgNotifications#awaitCaughtUp}): at once on a node that is keeping up. A node that has
     * stalled, in a GC pause or with its listening thread waiting for a core, hears what is waiting
     * for it before it starts another call. At most {@code signalbox.halts.news-wait-ms} (1 s).
     */
    void awaitNews() {
        notifications.awaitCaughtUp(newsWait);
    }

    /** The payload for announcing a halt about to be placed. */
    static String announcement(String id, String scope, String target) {
        return ANNOUNCED + id + "|" + scope + "|" + (target == null ? "" : target);
    }

    private void heard(String payload) {
        if (payload.startsWith(ANNOUNCED)) {
            String[] parts = payload.split("\\|", -1);
            if (parts.length == 4) announce(new ActiveHalt(parts[1], parts[2], parts[3].isEmpty() ? null : parts[3], null));
            return;
        }
        if (payload.startsWith(WITHDRAWN)) {
            announced.remove(payload.substring(WITHDRAWN.length()));
            return;
        }
        // a halt placed or lifted (payload: its id): the database copy now has it. Read on another thread:
        // this one delivers every notification, and the next may be another halt's announcement.
        refresher.execute(() -> {
            if (refresh()) announced.remove(payload);
        });
    }

    /** From now on this node starts no call in the scope of {@code halt}, which is being placed. */
    void announce(ActiveHalt halt) {
        long now = System.nanoTime();
        lastAnnounced = now;
        announced.put(halt.id(), new Announced(halt, now, now + ANNOUNCED_FOR.toNanos()));
        for (Runnable listener : onAnnounced) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.warn("A listener of halt announcements failed: {}", e.getMessage());
            }
        }
    }

    /** Runs {@code listener} (briefly, on the announcing thread) each time a halt is announced as being placed. */
    void onAnnounced(Runnable listener) {
        onAnnounced.add(listener);
    }

    /**
     * Whether a halt announced less than {@link #PLACING_PAUSE} ago is still being placed: while one is,
     * the dispatcher starts no claim, so the halt takes the claim lock without queueing behind new claims.
     */
    boolean beingPlaced() {
        if (announced.isEmpty()) return false;
        long now = System.nanoTime();
        for (Announced a : announced.values()) {
            if (now - a.announcedAt() < PLACING_PAUSE.toNanos()) return true;
        }
        return false;
    }

    /**
     * Whether this node has heard of a halt being placed within {@code within}: a halt placed then may still be
     * waiting for its in-flight posts (see {@link SettledPosts}).
     */
    boolean announcedWithin(java.time.Duration within) {
        long last = lastAnnounced;
        return last != 0 && System.nanoTime() - last < within.toNanos();
    }

    void withdraw(String id) {
        announced.remove(id);
    }

    /**
     * Reads the active halts; false when the database could not be read (the copy stays as it was).
     * One read at a time, so a slow read begun before a halt committed cannot overwrite a newer one.
     */
    @Scheduled(fixedDelay = 1000)
    synchronized boolean refresh() {
        try {
            List<ActiveHalt> before = active;
            active = db.sql("select id, scope, target, reason from halts where lifted_at is null order by created_at")
                    .query((rs, n) -> new ActiveHalt(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                    .list();
            if (active.size() < before.size()) signal.postsChanged(); // a lift: posts may be due again
            return true;
        } catch (RuntimeException e) {
            log.warn("Could not refresh the active halts: {}", e.getMessage());
            return false;
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
        if (!announced.isEmpty()) {
            long now = System.nanoTime();
            for (Announced a : announced.values()) {
                if (now - a.until() > 0) {
                    announced.remove(a.halt().id(), a);
                } else if (a.halt().covers(network, workspaceId, profileId, incidentChannel)) {
                    return java.util.Optional.of(a.halt());
                }
            }
        }
        return java.util.Optional.empty();
    }
}
