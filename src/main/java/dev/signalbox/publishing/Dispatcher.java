package dev.signalbox.publishing;

import dev.signalbox.networks.Connection;
import dev.signalbox.networks.NetworkAdapter;
import dev.signalbox.networks.Networks;
import dev.signalbox.networks.Publication;
import dev.signalbox.networks.PublishOutcome;
import dev.signalbox.platform.Workers;
import dev.signalbox.profiles.Profiles;
import dev.signalbox.vault.TokenVault;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Publishes due posts: claims them from PostgreSQL (see {@link Claims}), makes each network call
 * on a virtual thread, and settles the outcome (see {@link Settlement}). Any number of nodes may
 * run one against the same database. A node that dies leaves its claims to expire; another node
 * then takes them over, and the network's idempotency key keeps the retry from posting twice.
 */
@Component
class Dispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** The shortest time between two claims that found less than they could take. */
    static final long GATHER_MILLIS = 25;

    private final Claims claims;
    private final Settlement settlement;
    private final Networks networks;
    private final Profiles profiles;
    private final HaltWatch halts;
    private final DispatchSignal signal;
    private final Clock clock;
    private final MeterRegistry meters;
    private final boolean enabled;
    private final int concurrency;
    private final int batchSize;
    private final long pollMillis;
    private final Duration lease;
    private final String node;
    private final Semaphore capacity;
    private final AtomicInteger inFlight = new AtomicInteger();
    /**
     * Posts claimed and handed to their call's thread, which has not yet started the call. Whoever removes a post
     * from here finishes it: its call's thread, or {@link #takeCoveredWaiting} when a halt covers it.
     */
    private final Map<String, Claims.Claimed> waiting = new ConcurrentHashMap<>();

    private volatile boolean running;
    private Thread loop;
    private ExecutorService calls;
    private ScheduledExecutorService heartbeat;
    private volatile ExecutorService putBacks;

    Dispatcher(Claims claims, Settlement settlement, Networks networks, Profiles profiles, HaltWatch halts, DispatchSignal signal, Clock clock,
            MeterRegistry meters,
            @Value("${signalbox.dispatch.enabled:true}") boolean enabled,
            @Value("${signalbox.dispatch.concurrency:256}") int concurrency,
            @Value("${signalbox.dispatch.batch-size:200}") int batchSize,
            @Value("${signalbox.dispatch.poll-interval-ms:200}") long pollMillis,
            @Value("${signalbox.dispatch.lease-seconds:60}") long leaseSeconds,
            @Value("${signalbox.node-id:}") String nodeId) {
        this.claims = claims;
        this.settlement = settlement;
        this.networks = networks;
        this.profiles = profiles;
        this.halts = halts;
        this.signal = signal;
        this.clock = clock;
        this.meters = meters;
        this.enabled = enabled;
        this.concurrency = concurrency;
        this.batchSize = batchSize;
        this.pollMillis = pollMillis;
        this.lease = Duration.ofSeconds(leaseSeconds);
        this.node = Workers.nodeId(nodeId);
        this.capacity = new Semaphore(concurrency);
        meters.gauge("signalbox.dispatch.in_flight", inFlight);
        // once per node, not per start: a halt being placed cancels the claim running here (a no-op when none is)
        halts.onAnnounced(claims::cancelRunning);
        halts.onAnnounced(this::takeCoveredWaiting);
    }

    String node() {
        return node;
    }

    @Override
    public void start() {
        if (!enabled) {
            log.info("Dispatch is turned off on this node (signalbox.dispatch.enabled=false)");
            return;
        }
        running = true;
        calls = Executors.newVirtualThreadPerTaskExecutor();
        heartbeat = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("dispatch-heartbeat").factory());
        putBacks = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("halt-put-back").factory());
        long beat = Math.max(1, lease.toMillis() / 3);
        heartbeat.scheduleWithFixedDelay(this::beat, beat, beat, TimeUnit.MILLISECONDS);
        loop = Thread.ofPlatform().name("dispatcher").start(this::run);
        log.info("Dispatcher {} started: up to {} calls in flight, lease {} s", node, concurrency, lease.toSeconds());
    }

    private void run() {
        // Each claim looks at the head of every profile's queue, so its cost hardly depends on how
        // many posts it takes: while the node is busy, claim only once a quarter of the capacity is
        // free, not for every few calls that finish.
        int minimumBatch = Math.max(1, concurrency / 4);
        while (running) {
            try {
                if (halts.beingPlaced()) {
                    // a halt is taking the claim lock: a claim now would only make it wait (see HaltWatch)
                    Thread.sleep(5);
                    continue;
                }
                int free = capacity.availablePermits();
                if (free < minimumBatch) {
                    signal.await(pollMillis);
                    continue;
                }
                int want = Math.min(free, batchSize);
                Instant now = clock.instant();
                long claimedAt = System.nanoTime();
                List<Claims.Claimed> batch = claims.claim(node, want, now, now.plus(lease));
                for (Claims.Claimed claimed : batch) {
                    capacity.acquire();
                    inFlight.incrementAndGet();
                    waiting.put(claimed.postId(), claimed);
                    calls.submit(() -> publish(claimed));
                }
                // A claim that passed its last look at the placing lock just before a halt took it commits after the
                // announcement was heard, which found none of these posts waiting: they are put back together now.
                if (!batch.isEmpty() && halts.beingPlaced()) takeCoveredWaiting();
                if (batch.size() < want) {
                    // Little is due: wait for news, but claim at most once per gather interval — each claim
                    // looks at every profile's queue head, and a claim per finished call would spend the
                    // database on near-empty claims.
                    signal.await(pollMillis);
                    long gathered = (System.nanoTime() - claimedAt) / 1_000_000;
                    if (gathered < GATHER_MILLIS) Thread.sleep(GATHER_MILLIS - gathered);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (DataAccessException e) {
                if (claims.wasCancelled()) {
                    log.debug("Dispatcher {} cancelled its claim for a halt being placed", node);
                    continue;
                }
                log.warn("Dispatcher {} could not claim posts; retrying: {}", node, e.getMostSpecificCause().getMessage());
                sleepQuietly(pollMillis);
            } catch (RuntimeException e) {
                log.error("Dispatcher {} loop failed; retrying", node, e);
                sleepQuietly(pollMillis);
            }
        }
    }

    private void publish(Claims.Claimed claimed) {
        long started = System.nanoTime();
        PublishOutcome outcome;
        Instant callStarted = null;
        CallTimes call = null;
        boolean taken = false;
        try {
            Call prepared = prepare(claimed);
            if (prepared.outcome() != null) {
                if (!(taken = take(claimed))) return; // a halt put it back meanwhile
                outcome = prepared.outcome();
            } else {
                // The last look at the halts this node knows of, as close to the call as it can be: a halt
                // heard of (even one still being placed, see HaltWatch) stops the call here. A node that has
                // stalled (a GC pause) first hears the announcements that reached it meanwhile.
                halts.awaitNews();
                if (!(taken = take(claimed))) return; // a halt put it back meanwhile
                Optional<HaltWatch.ActiveHalt> halted = halts.covering(claimed.network(), claimed.workspaceId(), claimed.profileId(),
                        claimed.incidentChannel());
                if (halted.isPresent()) {
                    putBack(Map.of(halted.get().id(), List.of(claimed))); // a halt came after the claim: nothing is sent
                    return;
                }
                callStarted = clock.instant();
                outcome = prepared.adapter().publish(prepared.connection(),
                        new Publication(claimed.postId(), claimed.text(), claimed.postId(), claimed.attempt()));
                call = new CallTimes(callStarted, clock.instant());
            }
        } catch (RuntimeException e) {
            if (!taken && !take(claimed)) return; // a halt put it back meanwhile
            log.error("Publishing {} failed unexpectedly", claimed.postId(), e);
            outcome = new PublishOutcome.Unknown("Signalbox failed while publishing (" + e.getClass().getSimpleName() + ")");
            if (callStarted != null) call = new CallTimes(callStarted, clock.instant());
        }
        // The call is over: its slot goes to the next claim while the outcome is recorded (the post stays
        // 'publishing' until then, so its profile's next post still waits for it). Only while the outcomes
        // being recorded stay below the capacity: beyond that, slots wait for them and claiming slows down.
        boolean slotFreed = inFlight.get() <= 2 * concurrency;
        if (slotFreed) {
            capacity.release();
            signal.postsChanged();
        }
        try {
            settlement.settle(node, claimed, outcome, call);
            meters.timer("signalbox.publish", "network", claimed.network(), "outcome", Settlement.name(outcome))
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            // The claim stays ours until it expires; then another node retries with the same idempotency key.
            log.error("Could not record the outcome of {} ({}); its claim will expire and be retried",
                    claimed.postId(), Settlement.name(outcome), e);
        } finally {
            inFlight.decrementAndGet();
            if (!slotFreed) capacity.release();
            signal.postsChanged();
        }
    }

    /** This call's thread takes its post over from {@link #waiting}: false if a halt has put it back already. */
    private boolean take(Claims.Claimed claimed) {
        return waiting.remove(claimed.postId(), claimed);
    }

    /**
     * On hearing of a halt, on the thread that heard it: takes at once every waiting post the halt covers, in memory,
     * before the calls' threads that wait for this news are woken (see {@link HaltWatch#awaitNews}). The put-back
     * thread then writes them in one transaction per halt. Taken later, by each call's thread once it had a core, they
     * were put back one transaction each, up to 240 ms after the announcement (decision 0015). The dispatcher's
     * thread calls it too, for posts whose claim committed after this node heard of the halt.
     */
    private void takeCoveredWaiting() {
        ExecutorService executor = putBacks;
        if (executor == null || waiting.isEmpty()) return;
        Map<String, List<Claims.Claimed>> byHalt = new java.util.HashMap<>();
        for (Claims.Claimed claimed : waiting.values()) {
            Optional<HaltWatch.ActiveHalt> halted = halts.covering(claimed.network(), claimed.workspaceId(), claimed.profileId(),
                    claimed.incidentChannel());
            if (halted.isPresent() && take(claimed)) byHalt.computeIfAbsent(halted.get().id(), h -> new java.util.ArrayList<>()).add(claimed);
        }
        if (byHalt.isEmpty()) return;
        try {
            executor.execute(() -> putBack(byHalt));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            putBack(byHalt); // stopping: written here, so the posts need not wait for their claims to expire
        }
    }

    /**
     * Puts back, in one transaction per halt, posts this node claimed and did not call because a halt covers them:
     * nothing was sent, and each post waits for the lift. Their slots go to the next claim.
     */
    private void putBack(Map<String, List<Claims.Claimed>> byHalt) {
        byHalt.forEach((haltId, posts) -> {
            try {
                settlement.haltedBeforeCall(node, posts, haltId);
            } catch (RuntimeException e) {
                log.error("Could not put {} post(s) back after halt {}; their claims will expire", posts.size(), haltId, e);
            } finally {
                inFlight.addAndGet(-posts.size());
                capacity.release(posts.size());
                signal.postsChanged();
            }
        });
    }

    /** What a call needs (adapter and opened credentials), or the outcome when it cannot be made. */
    private record Call(NetworkAdapter adapter, Connection connection, PublishOutcome outcome) {}

    private Call prepare(Claims.Claimed claimed) {
        Optional<NetworkAdapter> adapter = networks.find(claimed.network());
        if (adapter.isEmpty()) {
            return new Call(null, null, new PublishOutcome.Unknown("This Signalbox node has no adapter for " + claimed.network()));
        }
        try {
            return new Call(adapter.get(),
                    profiles.openConnection(claimed.profileId(), claimed.networkAccountId(), claimed.instanceUrl(), claimed.sealedSecret()), null);
        } catch (TokenVault.SealBrokenException e) {
            if (e.unknownKey()) return new Call(null, null, new PublishOutcome.RetryLater(null, e.getMessage(), false));
            return new Call(null, null,
                    new PublishOutcome.NeedsReconnect("The stored credentials cannot be used (" + e.getMessage() + "); reconnect the profile"));
        } catch (NullPointerException e) {
            return new Call(null, null, new PublishOutcome.NeedsReconnect("The profile has no stored credentials; reconnect it"));
        }
    }

    private void beat() {
        try {
            claims.heartbeat(node, clock.instant().plus(lease));
        } catch (RuntimeException e) {
            log.warn("Dispatcher {} heartbeat failed: {}", node, e.getMessage());
        }
    }

    @Override
    public void stop() {
        if (!running) return;
        running = false;
        loop.interrupt();
        if (!Workers.awaitStop(loop, calls, Duration.ofSeconds(20))) {
            log.warn("Dispatcher {} stopped with calls still in flight; their claims will expire and be retried", node);
        }
        heartbeat.shutdownNow();
        putBacks.shutdownNow();
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

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
