package dev.signalbox.publishing;

import dev.signalbox.platform.PgNotifications;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * While a halt is being placed or in place, each node says which attempts it has just settled, so the
 * halt waiting for its in-flight posts hears the moment the last one is written, instead of at its next
 * look at the database. Under full load one such look took up to 129 ms (decision 0014).
 *
 * <p>A fast path only: the halt still looks at the database every few tens of milliseconds, for a node
 * that had not heard of the halt when it settled, and for claims that expired.
 */
@Component
class SettledPosts {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SettledPosts.class);

    static final String CHANNEL = "posts_settled";
    /**
     * How long after hearing of a halt a node announces what it settles: a halt waits for its in-flight posts
     * about as long as their calls take, and far less than this. Outside it, settling costs nothing more.
     */
    static final Duration ANNOUNCE_FOR = Duration.ofSeconds(60);
    /** PostgreSQL refuses a payload of 8,000 bytes or more: longer lists go in several notifications. */
    private static final int PAYLOAD_AT_MOST = 7_000;

    private final JdbcClient db;
    private final HaltWatch halts;
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

    SettledPosts(JdbcClient db, HaltWatch halts, PgNotifications notifications) {
        this.db = db;
        this.halts = halts;
        notifications.listen(CHANNEL, this::heard);
    }

    /** "postId:attempt", the form in which an attempt is announced and awaited. */
    static String attempt(String postId, int attempt) {
        return postId + ":" + attempt;
    }

    /**
     * Announces that these claims' attempts are settled, when this node has heard of a halt in the last
     * minute; otherwise does nothing. Call it once the settling transaction has committed, never before:
     * a halt takes the announcement as proof that the attempt is over. A failure is logged, not thrown: it
     * costs a waiting halt time (until its own look at the database), not correctness.
     */
    void announce(Collection<Claims.Claimed> settled) {
        if (settled.isEmpty() || !halts.announcedWithin(ANNOUNCE_FOR)) return;
        try {
            for (String payload : payloads(settled.stream().map(c -> attempt(c.postId(), c.attempt())).toList())) {
                db.sql("select pg_notify(:channel, :payload)").param("channel", CHANNEL).param("payload", payload)
                        .query((rs, n) -> 1).single();
            }
        } catch (RuntimeException e) {
            log.warn("Could not announce that {} attempts are settled: {}", settled.size(), e.getMessage());
        }
    }

    static List<String> payloads(Collection<String> attempts) {
        List<String> payloads = new ArrayList<>();
        StringBuilder payload = new StringBuilder();
        for (String attempt : attempts) {
            if (!payload.isEmpty() && payload.length() + 1 + attempt.length() > PAYLOAD_AT_MOST) {
                payloads.add(payload.toString());
                payload.setLength(0);
            }
            if (!payload.isEmpty()) payload.append(',');
            payload.append(attempt);
        }
        if (!payload.isEmpty()) payloads.add(payload.toString());
        return payloads;
    }

    /** Starts hearing settled attempts, before the halt lists what is in flight, so none is missed in between. */
    Waiter listen() {
        Waiter waiter = new Waiter();
        waiters.add(waiter);
        return waiter;
    }

    /** On the notification thread: only hands the attempts over. */
    private void heard(String payload) {
        if (waiters.isEmpty()) return;
        for (String attempt : payload.split(",")) {
            for (Waiter waiter : waiters) waiter.settled.add(attempt);
        }
    }

    /** The attempts settled since {@link #listen}, in the order heard. */
    final class Waiter implements AutoCloseable {
        private final LinkedBlockingQueue<String> settled = new LinkedBlockingQueue<>();

        /** The next attempt heard, waiting at most {@code nanos}; null if none came. */
        String next(long nanos) throws InterruptedException {
            return nanos <= 0 ? settled.poll() : settled.poll(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void close() {
            waiters.remove(this);
        }
    }
}
