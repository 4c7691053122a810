package dev.signalbox.incidents.containment;

import dev.signalbox.networks.ActionOutcome;
import dev.signalbox.networks.Connection;
import dev.signalbox.networks.NetworkAdapter;
import dev.signalbox.networks.Networks;
import dev.signalbox.networks.RateLimits;
import dev.signalbox.platform.Workers;
import dev.signalbox.profiles.Profiles;
import dev.signalbox.publishing.PublishedPosts;
import dev.signalbox.vault.TokenVault;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Works containment jobs on this node. It claims lanes — all of one job's posts on one profile —
 * from PostgreSQL (see {@link ContainmentStore#CLAIM}) and works each lane on its own virtual
 * thread, one call at a time, paced by the rate-limit state the network last reported for the
 * profile ({@link RateLimits#nextAllowed}) and by the reset time of any 429. Profiles run in
 * parallel; one profile never runs faster than its budget.
 *
 * <p>Contracts: an item is finished (and the post's containment recorded) in one transaction
 * after the network answered, so a restart never repeats a finished item. A node that stops
 * hands its lanes back at once; a node that dies leaves them to expire after the lease, and
 * another node takes over — then at most the one call in flight per lane is made again, which
 * is harmless since hide, restore and delete are idempotent on every network.
 */
@Component
class ContainmentWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ContainmentWorker.class);
    private static final int BATCH = 100;
    private static final int MAX_TRANSIENT_ATTEMPTS = 6;

    private final ContainmentStore store;
    private final PublishedPosts published;
    private final Networks networks;
    private final Profiles profiles;
    private final RateLimits rateLimits;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final boolean enabled;
    private final int maxLanes;
    private final long pollMillis;
    private final Duration lease;
    /** Calls in flight at once for one profile; each waits for the network's reported budget before it goes. */
    private final int callsPerProfile;
    private final String node;
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    private volatile boolean running;
    private Thread loop;
    private ExecutorService lanes;
    private ScheduledExecutorService heartbeat;

    ContainmentWorker(ContainmentStore store, PublishedPosts published, Networks networks, Profiles profiles, RateLimits rateLimits,
            TransactionTemplate transactions, Clock clock,
            @Value("${signalbox.containment.enabled:true}") boolean enabled,
            @Value("${signalbox.containment.max-lanes:256}") int maxLanes,
            @Value("${signalbox.containment.poll-interval-ms:500}") long pollMillis,
            @Value("${signalbox.containment.lease-seconds:30}") long leaseSeconds,
            @Value("${signalbox.containment.calls-per-profile:4}") int callsPerProfile,
            @Value("${signalbox.node-id:}") String nodeId) {
        this.store = store;
        this.published = published;
        this.networks = networks;
        this.profiles = profiles;
        this.rateLimits = rateLimits;
        this.transactions = transactions;
        this.clock = clock;
        this.enabled = enabled;
        this.maxLanes = maxLanes;
        this.pollMillis = pollMillis;
        this.lease = Duration.ofSeconds(leaseSeconds);
        this.callsPerProfile = Math.max(1, callsPerProfile);
        this.node = Workers.nodeId(nodeId);
    }

    /** A job was started on this node: look for lanes now rather than at the next poll. */
    void wake() {
        signal();
    }

    @Override
    public void start() {
        if (!enabled) {
            log.info("Containment work is turned off on this node (signalbox.containment.enabled=false)");
            return;
        }
        running = true;
        lanes = Executors.newVirtualThreadPerTaskExecutor();
        heartbeat = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("containment-heartbeat").factory());
        long beat = Math.max(1, lease.toMillis() / 3);
        heartbeat.scheduleWithFixedDelay(this::beat, beat, beat, TimeUnit.MILLISECONDS);
        loop = Thread.ofPlatform().name("containment").start(this::run);
    }

    private void run() {
        while (running) {
            try {
                int free = maxLanes - active.size();
                if (free > 0) {
                    Instant now = clock.instant();
                    for (ContainmentStore.Lane lane : store.claim(node, free, now, now.plus(lease))) {
                        active.add(lane.jobId() + "|" + lane.profileId());
                        lanes.submit(() -> work(lane));
                    }
                }
                await(pollMillis);
            } catch (DataAccessException e) {
                log.warn("Containment worker {} could not claim lanes; retrying: {}", node, e.getMostSpecificCause().getMessage());
                await(pollMillis);
            } catch (RuntimeException e) {
                log.error("Containment worker {} loop failed; retrying", node, e);
                await(pollMillis);
            }
        }
    }

    private void work(ContainmentStore.Lane lane) {
        boolean closed = false;
        try {
            closed = new LaneRun(lane).run();
        } catch (RuntimeException e) {
            log.error("Containment {} failed on profile {}; the lane is handed back and retried", lane.jobId(), lane.profileId(), e);
        } finally {
            try {
                if (!closed) store.release(lane, node);
            } catch (RuntimeException e) {
                log.warn("Could not hand back {}; it is taken over when its lease expires", lane, e);
            }
            active.remove(lane.jobId() + "|" + lane.profileId());
            signal();
        }
    }

    /** One lane on one virtual thread: the profile's connection, its pace, its items in order. */
    private final class LaneRun {
        private final ContainmentStore.Lane lane;
        private final String call;
        private final String target;
        private volatile Instant notBefore = Instant.MIN;
        /** Calls of this lane sent but not yet answered: they count against the budget the network last reported. */
        private int inFlight;

        /**
         * Reserves one call if the pace allows it now (and returns {@code now}), else returns when to
         * try again. The network's last reported budget, less the calls already in flight, must be
         * positive: several calls at once never overdraw it.
         */
        private synchronized Instant reserve(Instant now) {
            Instant allowed = notBefore.isAfter(now) ? notBefore : now;
            Optional<RateLimits.State> state = rateLimits.last(lane.profileId(), call);
            if (state.isPresent() && state.get().resetAt() != null && state.get().resetAt().isAfter(now)
                    && state.get().remaining() - inFlight <= 0 && state.get().resetAt().isAfter(allowed)) {
                allowed = state.get().resetAt();
            }
            if (!allowed.isAfter(now)) inFlight++;
            return allowed;
        }

        LaneRun(ContainmentStore.Lane lane) {
            this.lane = lane;
            this.call = lane.action();   // rate-limit kinds are named like the actions: hide, restore, delete
            this.target = switch (lane.action()) {
                case "hide" -> "hidden";
                case "delete" -> "deleted";
                case "restore" -> "restored";
                default -> throw new IllegalStateException("containment " + lane.jobId() + " has unknown action " + lane.action());
            };
        }

        /** True when the lane is finished and closed; false when this node stopped or lost it. */
        boolean run() {
            Optional<NetworkAdapter> adapter = networks.find(lane.network());
            Connection connection = null;
            String refusal = null;
            if (adapter.isEmpty()) {
                refusal = "this Signalbox node has no adapter for " + lane.network();
            } else {
                try {
                    connection = profiles.openConnection(lane.profileId(), lane.networkAccountId(), lane.instanceUrl(), lane.sealedSecret());
                } catch (TokenVault.SealBrokenException e) {
                    if (e.unknownKey()) return false; // another node may hold the key; leave the lane to it
                    refusal = "the stored credentials cannot be used (" + e.getMessage() + "); reconnect the profile, then run the containment again";
                } catch (NullPointerException e) {
                    refusal = "the profile has no stored credentials; reconnect it, then run the containment again";
                }
            }
            if (refusal != null) {
                store.failRest(lane, refusal, clock.instant());
                return close();
            }
            while (running) {
                List<ContainmentStore.Item> items = store.pending(lane, BATCH);
                if (items.isEmpty()) return close();
                if (!store.holds(lane, node)) return false;
                Step step = processAll(adapter.get(), connection, items);
                if (step == Step.STOPPED) return false;
                if (step == Step.LANE_FAILED) return close();
            }
            return false;
        }

        private boolean close() {
            store.close(lane);
            store.finishIfDone(lane.jobId(), clock.instant());
            return true;
        }

        /**
         * Works a batch with up to {@code callsPerProfile} calls in flight. Every call still waits for
         * the pace ({@link RateLimits#nextAllowed}, the last 429's reset), so a network that reports
         * its budget is never asked for more; one that does not is asked a few at a time.
         */
        private Step processAll(NetworkAdapter adapter, Connection connection, List<ContainmentStore.Item> items) {
            if (callsPerProfile == 1) {
                for (ContainmentStore.Item item : items) {
                    Step step = process(adapter, connection, item);
                    if (step != Step.NEXT) return step;
                }
                return Step.NEXT;
            }
            java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(callsPerProfile);
            java.util.concurrent.atomic.AtomicReference<Step> worst = new java.util.concurrent.atomic.AtomicReference<>(Step.NEXT);
            try (ExecutorService calls = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (ContainmentStore.Item item : items) {
                    if (worst.get() != Step.NEXT) break;
                    slots.acquireUninterruptibly();
                    calls.submit(() -> {
                        try {
                            Step step = worst.get() == Step.NEXT ? process(adapter, connection, item) : Step.STOPPED;
                            if (step != Step.NEXT) worst.compareAndSet(Step.NEXT, step);
                        } finally {
                            slots.release();
                        }
                    });
                }
            }
            return worst.get();
        }

        private Step process(NetworkAdapter adapter, Connection connection, ContainmentStore.Item item) {
            int attempts = item.attempts();
            int waits = item.rateLimitWaits();
            int transientFailures = 0;
            while (running) {
                Instant now = clock.instant();
                Instant allowed = reserve(now);
                if (allowed.isAfter(now)) {
                    await(Duration.between(now, allowed).toMillis() + 1);
                    continue;
                }
                ActionOutcome outcome;
                try {
                    outcome = callNetwork(adapter, connection, item.networkPostId());
                } finally {
                    synchronized (this) {
                        inFlight--;
                    }
                }
                attempts++;
                Instant at = clock.instant();
                switch (outcome) {
                    case ActionOutcome.Done done -> {
                        finish(item, "done", null, attempts, waits, at);
                        return Step.NEXT;
                    }
                    case ActionOutcome.RetryLater later when later.rateLimited() -> {
                        waits++;
                        notBefore = later.notBefore() != null ? later.notBefore() : at.plusSeconds(1);
                        store.retrying(lane.jobId(), item.postId(), later.reason(), attempts, waits);
                    }
                    case ActionOutcome.RetryLater later -> {
                        transientFailures++;
                        if (transientFailures >= MAX_TRANSIENT_ATTEMPTS) {
                            finish(item, "failed", later.reason() + " (gave up after " + transientFailures + " tries)", attempts, waits, at);
                            return Step.NEXT;
                        }
                        Instant backoff = at.plusMillis(Math.min(60_000, 500L << transientFailures));
                        notBefore = later.notBefore() != null && later.notBefore().isAfter(backoff) ? later.notBefore() : backoff;
                        store.retrying(lane.jobId(), item.postId(), later.reason(), attempts, waits);
                    }
                    case ActionOutcome.NeedsReconnect refused -> {
                        finish(item, "failed", refused.reason(), attempts, waits, at);
                        store.failRest(lane, refused.reason() + " — reconnect the profile, then run the containment again", at);
                        return Step.LANE_FAILED;
                    }
                    case ActionOutcome.Unsupported unsupported -> {
                        finish(item, "unsupported", unsupported.reason(), attempts, waits, at);
                        return Step.NEXT;
                    }
                    case ActionOutcome.Failed failed -> {
                        finish(item, "failed", failed.reason(), attempts, waits, at);
                        return Step.NEXT;
                    }
                }
            }
            return Step.STOPPED;
        }

        private ActionOutcome callNetwork(NetworkAdapter adapter, Connection connection, String networkPostId) {
            try {
                return switch (lane.action()) {
                    case "hide" -> adapter.setHidden(connection, networkPostId, true);
                    case "restore" -> adapter.setHidden(connection, networkPostId, false);
                    default -> adapter.delete(connection, networkPostId);
                };
            } catch (RuntimeException e) {
                log.error("The {} adapter threw while running containment {}", lane.network(), lane.jobId(), e);
                return new ActionOutcome.RetryLater(null, "Signalbox failed while calling " + lane.network() + " (" + e.getClass().getSimpleName() + ")", false);
            }
        }

        /** The item's end and, when done, the post's new containment state: one transaction. */
        private void finish(ContainmentStore.Item item, String state, String error, int attempts, int waits, Instant at) {
            transactions.executeWithoutResult(tx -> {
                if (store.settle(lane.jobId(), item.postId(), state, error, attempts, waits, at) && state.equals("done")) {
                    published.recordContainment(item.postId(), target, at, lane.jobId(), lane.reason());
                }
            });
        }
    }

    private enum Step { NEXT, LANE_FAILED, STOPPED }

    private void beat() {
        try {
            store.heartbeat(node, clock.instant().plus(lease));
        } catch (RuntimeException e) {
            log.warn("Containment worker {} heartbeat failed: {}", node, e.getMessage());
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps up to {@code millis}, waking early on {@link #wake()} or stop. */
    private void await(long millis) {
        lock.lock();
        try {
            if (running) changed.await(Math.max(1, millis), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void stop() {
        if (!running) return;
        running = false;
        signal();
        if (!Workers.awaitStop(loop, lanes, Duration.ofSeconds(20))) {
            log.warn("Containment worker {} stopped with calls in flight; their lanes are taken over when the lease expires", node);
        }
        heartbeat.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // Stop before the web server and the database pool go away.
        return Integer.MAX_VALUE - 1000;
    }
}
