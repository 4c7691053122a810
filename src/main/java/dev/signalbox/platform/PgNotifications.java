package dev.signalbox.platform;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * PostgreSQL LISTEN/NOTIFY for this node: one connection listens on every registered channel
 * and hands each payload to the channel's listeners. Notifications are a fast path only: a
 * feature must also work (more slowly) when one is missed, e.g. during a reconnect.
 */
@Component
public class PgNotifications implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PgNotifications.class);

    /** How long the listening connection waits for a notification before it is read again. */
    private static final int READ_EVERY_MILLIS = 20;
    /** A caller of {@link #awaitCaughtUp} waits only when the connection has not been read for longer than this. */
    static final long CAUGHT_UP_WITHIN_NANOS = TimeUnit.MILLISECONDS.toNanos(60);

    private final DataSource dataSource;
    private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
    private final Object sending = new Object();
    private Connection sender;
    private volatile boolean running;
    private Thread thread;
    /** Whether a connection is listening (LISTEN done, not failed since). */
    private volatile boolean listening;
    /** How many connections have started listening: what was sent between two of them may not have been heard. */
    private final AtomicLong sessions = new AtomicLong();
    /**
     * {@code System.nanoTime()} when the latest read of the listening connection began whose
     * notifications have all been handed to their listeners: everything that reached this node before
     * then has been heard.
     */
    private volatile long caughtUpTo;
    /** A wait ran out since the last read: nobody waits again until the connection is read. */
    private volatile boolean gaveUp;
    private final ReentrantLock caughtUpLock = new ReentrantLock(); // not synchronized: callers are virtual threads
    private final Condition readAgain = caughtUpLock.newCondition();
    private final LongAdder waits = new LongAdder();
    private final LongAdder waitedNanos = new LongAdder();

    PgNotifications(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Calls {@code listener} with the payload of every NOTIFY on {@code channel} (a constant identifier).
     * Every listener runs on the one thread that reads this node's notifications, and a halt's
     * announcement (and {@link #awaitCaughtUp}) waits for whatever runs before it: a listener must
     * return at once, and hand slower work (database reads, rendering) to a thread of its own.
     */
    public void listen(String channel, Consumer<String> listener) {
        if (!channel.matches("[a-z_]+")) throw new IllegalArgumentException("channel names are lower-case identifiers: " + channel);
        listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /**
     * Sends a NOTIFY at once, over a connection kept for sending, so an urgent announcement (a halt
     * being placed) never queues for a pooled connection behind a busy node's work. Outside any
     * transaction: listeners hear it immediately. Returns false when it could not be sent (the
     * caller's slower path must then still hold).
     */
    public boolean send(String channel, String payload) {
        if (!channel.matches("[a-z_]+")) throw new IllegalArgumentException("channel names are lower-case identifiers: " + channel);
        synchronized (sending) {
            for (int attempt = 1; attempt <= 2; attempt++) {
                try {
                    if (sender == null || sender.isClosed()) {
                        sender = dataSource.getConnection();
                        sender.setAutoCommit(true);
                    }
                    try (PreparedStatement notify = sender.prepareStatement("select pg_notify(?, ?)")) {
                        notify.setString(1, channel);
                        notify.setString(2, payload);
                        notify.execute();
                    }
                    return true;
                } catch (SQLException e) {
                    closeSender();
                    if (attempt == 2) log.warn("Could not send a notification on {}: {}", channel, e.getMessage());
                }
            }
            return false;
        }
    }

    private void closeSender() {
        if (sender == null) return;
        try {
            sender.close();
        } catch (SQLException ignored) {
            // the connection is gone either way
        }
        sender = null;
    }

    @Override
    public void start() {
        running = true;
        synchronized (sending) {
            try {
                sender = dataSource.getConnection(); // taken now, so the first urgent send does not wait for the pool
                sender.setAutoCommit(true);
            } catch (SQLException e) {
                log.warn("No connection for sending notifications yet ({}); will retry on the first send", e.getMessage());
            }
        }
        thread = Thread.ofPlatform().daemon().name("pg-listen").start(this::run);
    }

    private void run() {
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                try {
                    listenOn(connection);
                } catch (SQLException e) {
                    evict(connection);
                    throw e;
                }
            } catch (SQLException e) {
                if (running) log.warn("Lost the LISTEN connection ({}); reconnecting", e.getMessage());
            } finally {
                notListening(); // however the loop ended: nobody waits for a connection that is not being read
            }
            if (!running) return;
            try {
                Thread.sleep(1000);
            } catch (InterruptedException ie) {
                return;
            }
        }
    }

    /** Listens on every channel over {@code connection} and reads it until this node stops or the connection fails. */
    private void listenOn(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            connection.setAutoCommit(true);
            for (String channel : listeners.keySet()) statement.execute("listen " + channel);
            PGConnection pg = connection.unwrap(PGConnection.class);
            caughtUpTo = System.nanoTime();
            sessions.incrementAndGet();
            listening = true;
            while (running) {
                long readBegan = System.nanoTime();
                PGNotification[] notifications = pg.getNotifications(READ_EVERY_MILLIS);
                if (notifications != null) {
                    for (PGNotification n : notifications) {
                        for (Consumer<String> listener : listeners.getOrDefault(n.getName(), List.of())) {
                            try {
                                listener.accept(n.getParameter());
                            } catch (RuntimeException e) {
                                log.warn("A listener of {} failed", n.getName(), e);
                            }
                        }
                    }
                }
                caughtUp(readBegan);
            }
        }
    }

    /**
     * Takes a failed listening connection out of the pool for good. The pool cannot tell it has failed: the
     * failure came through the driver's own notification API, not through the pool's wrapper, and the pool skips
     * its liveness check for a connection returned less than half a second ago. Returned as it is, the dead
     * connection would fail the next request to borrow it.
     */
    private void evict(Connection connection) {
        if (dataSource instanceof HikariDataSource pool) pool.evictConnection(connection);
    }

    /**
     * Returns once every notification that reached this node before the call has been handed to its
     * listeners. That is at once when the listening connection was read within the last 60 ms, the
     * usual case, or when no connection is listening. Otherwise this node has stalled: a GC pause, or
     * the listening thread waiting for a core. Then it waits for the next read, at most {@code max}.
     * After a wait that ran out, nobody waits again until the connection has been read once more.
     *
     * <p>For work that must not start after a notification that has already arrived, such as a
     * publish call after a halt's announcement. Notifications stay a fast path: this only keeps a
     * stalled node from acting before it has heard what is waiting for it.
     */
    public void awaitCaughtUp(Duration max) {
        long asked = System.nanoTime();
        if (!listening || asked - caughtUpTo < CAUGHT_UP_WITHIN_NANOS || gaveUp) return;
        long deadline = asked + max.toNanos();
        waits.increment();
        caughtUpLock.lock();
        try {
            while (listening && !gaveUp && caughtUpTo - asked < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    gaveUp = true;
                    readAgain.signalAll(); // the others waiting go on too
                    log.warn("The notifications connection has not been read for {} ms; going on without it",
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - caughtUpTo));
                    return;
                }
                readAgain.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            caughtUpLock.unlock();
            waitedNanos.add(System.nanoTime() - asked);
        }
    }

    /**
     * Whether, right now and without waiting, every notification that reached this node more than 60 ms
     * ago has been handed to its listeners: a connection is listening and was read that recently. False
     * when this node has stalled or has lost its listening connection.
     */
    public boolean caughtUp() {
        return listening && !gaveUp && System.nanoTime() - caughtUpTo < CAUGHT_UP_WITHIN_NANOS;
    }

    /** Whether a connection is listening: LISTEN done, and the connection has not failed since. */
    boolean listening() {
        return listening;
    }

    /**
     * A number that changes each time a connection starts listening. Notifications sent while no
     * connection listened are lost, so what a listener learnt under an earlier number may be out of date.
     */
    public long listeningSession() {
        return sessions.get();
    }

    private void caughtUp(long readBegan) {
        caughtUpTo = readBegan;
        gaveUp = false;
        wakeWaiters();
    }

    private void notListening() {
        listening = false;
        wakeWaiters();
    }

    private void wakeWaiters() {
        caughtUpLock.lock();
        try {
            readAgain.signalAll();
        } finally {
            caughtUpLock.unlock();
        }
    }

    @Override
    public void stop() {
        running = false;
        notListening();
        if (waits.sum() > 0) {
            log.info("Work waited {} times for this node to read its notifications after a stall, {} ms in all",
                    waits.sum(), TimeUnit.NANOSECONDS.toMillis(waitedNanos.sum()));
        }
        if (thread != null) thread.interrupt();
        synchronized (sending) {
            closeSender();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 2000;
    }
}
