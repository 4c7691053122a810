package dev.signalbox.comms;

import dev.signalbox.mail.BulkMail;
import dev.signalbox.platform.PgNotifications;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends incident email on this node: {@code signalbox.mail.connections} senders, each claiming a
 * batch of due deliveries (SKIP LOCKED, leased to this node), writing each message for its
 * recipient, sending the batch over one SMTP connection and recording every outcome in one
 * transaction. With no SMTP server the batch goes to the outbox in the transaction that marks it.
 *
 * <p>Exactly once per recipient: a delivery is marked {@code sent} only for a message the server
 * accepted, and only while this node still holds it. A transient failure (4xx, no connection)
 * puts it back with exponential back-off, recorded in {@code last_error} and counted in
 * {@code attempts}; after {@code signalbox.mail.max-attempts} it is {@code failed}. A permanent
 * 5xx for the address is {@code bounced}, any other 5xx {@code failed}, with the server's words.
 * A crashed node's batch is taken over when its lease expires. SMTP has no idempotency key, so one
 * window remains: a node that dies after the server's 250 and before its settle commits leaves
 * those messages (at most one batch per sender) to be sent again by the node that takes over.
 * On shutdown the senders stop claiming, finish the batch they are sending, and put back a batch
 * they had claimed but not yet handed to the server.
 */
@Component
class DeliveryWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    /** How long a sender other than sender 0 sleeps when idle, unless woken. */
    private static final long IDLE_MILLIS = 30_000;

    private final UpdateDeliveries deliveries;
    private final PersonalUpdates letters;
    private final BulkMail mail;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final boolean enabled;
    private final Duration lease;
    private final int maxAttempts;
    private final Duration retryInitial;
    private final long pollMillis;
    private final String node;
    private final Object wake = new Object();
    private final Map<Thread, List<UpdateDeliveries.Claimed>> holding = new ConcurrentHashMap<>();
    private final List<Thread> senders = new ArrayList<>();
    private volatile boolean running;
    private volatile long signals;
    private ScheduledExecutorService heartbeat;

    DeliveryWorker(UpdateDeliveries deliveries, PersonalUpdates letters, BulkMail mail, TransactionTemplate tx, Clock clock,
            PgNotifications notifications,
            @Value("${signalbox.mail.fan-out.enabled:true}") boolean enabled,
            @Value("${signalbox.mail.lease-seconds:60}") long leaseSeconds,
            @Value("${signalbox.mail.max-attempts:8}") int maxAttempts,
            @Value("${signalbox.mail.retry-initial-ms:30000}") long retryInitialMillis,
            @Value("${signalbox.mail.poll-interval-ms:500}") long pollMillis) {
        if (maxAttempts < 1) throw new IllegalArgumentException("signalbox.mail.max-attempts must be at least 1, is " + maxAttempts);
        if (leaseSeconds < 3) throw new IllegalArgumentException("signalbox.mail.lease-seconds must be at least 3, is " + leaseSeconds);
        this.deliveries = deliveries;
        this.letters = letters;
        this.mail = mail;
        this.tx = tx;
        this.clock = clock;
        this.enabled = enabled;
        this.lease = Duration.ofSeconds(leaseSeconds);
        this.maxAttempts = maxAttempts;
        this.retryInitial = Duration.ofMillis(Math.max(1, retryInitialMillis));
        this.pollMillis = Math.max(10, pollMillis);
        this.node = host() + "-mail-" + UUID.randomUUID().toString().substring(0, 8);
        notifications.listen(UpdateDeliveries.CHANNEL, payload -> wakeUp());
    }

    /** This node's name in {@code claimed_by}. */
    String node() {
        return node;
    }

    @Override
    public void start() {
        if (!enabled || running) return;
        running = true;
        for (int i = 0; i < mail.connections(); i++) {
            int sender = i;
            senders.add(Thread.ofPlatform().daemon().name("email-sender-" + i).start(() -> run(sender)));
        }
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("email-heartbeat").unstarted(r));
        long every = Math.max(1, lease.toMillis() / 3);
        heartbeat.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (!running) return;
        running = false;
        wakeUp();
        for (Thread sender : senders) {
            try {
                sender.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (sender.isAlive()) log.warn("Email sender {} is still sending after 30 s; its batch will be taken over when its lease expires", sender.getName());
        }
        senders.clear();
        heartbeat.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * One sender's loop. While idle only sender 0 polls (every {@code poll-interval-ms}, for retries
     * coming due); the others sleep until a NOTIFY of new deliveries or sender 0 finding work wakes
     * them, so an idle node costs one query per interval, not one per sender.
     */
    private void run(int sender) {
        while (running) {
            long seen = signals;
            boolean worked;
            try {
                worked = sendOneBatch();
                if (worked && sender == 0) wakeUp();
            } catch (RuntimeException e) {
                log.warn("Email sender failed and will try again: {}", e.toString());
                worked = false;
            }
            if (!worked && running) await(seen, sender == 0 ? pollMillis : IDLE_MILLIS);
        }
    }

    /** Claims, writes, sends and settles one batch; false when nothing was due. */
    boolean sendOneBatch() {
        Instant now = clock.instant();
        List<UpdateDeliveries.Claimed> batch = deliveries.claim(node, mail.batchSize(), now, now.plus(lease));
        if (batch.isEmpty()) return false;
        holding.put(Thread.currentThread(), batch);
        try {
            List<BulkMail.Letter> written;
            try {
                written = letters.letters(batch);
            } catch (RuntimeException e) {
                log.warn("Could not write {} incident emails; they will be tried again: {}", batch.size(), e.toString());
                settle(batch, Map.of(), "could not write the message: " + e);
                return true;
            }
            if (!running) {
                deliveries.release(node, UpdateDeliveries.ids(batch));
                return false;
            }
            if (mail.smtp()) {
                settle(batch, mail.send(written), null);
            } else {
                List<UpdateDeliveries.Settlement> kept = batch.stream()
                        .map(d -> new UpdateDeliveries.Settlement(d.id(), d.updateId(), "sent", null, null)).toList();
                Integer held = recording(batch.size(), () -> tx.execute(s -> {
                    mail.keep(written);
                    return deliveries.settle(node, kept, clock.instant());
                }));
                lost(held == null ? 0 : held, batch.size());
                deliveries.refreshChannels(batch.stream().map(UpdateDeliveries.Claimed::updateId).distinct().toList());
            }
            return true;
        } finally {
            holding.remove(Thread.currentThread());
        }
    }

    /** Records each delivery's outcome; a delivery missing from {@code outcomes} counts as deferred with {@code missingReason}. */
    private void settle(List<UpdateDeliveries.Claimed> batch, Map<String, BulkMail.Outcome> outcomes, String missingReason) {
        Instant now = clock.instant();
        List<UpdateDeliveries.Settlement> settlements = new ArrayList<>(batch.size());
        Map<String, Integer> deferred = new LinkedHashMap<>();
        for (UpdateDeliveries.Claimed d : batch) {
            BulkMail.Outcome outcome = outcomes.getOrDefault(d.id(), new BulkMail.Deferred(missingReason == null ? "no answer recorded" : missingReason));
            UpdateDeliveries.Settlement s = switch (outcome) {
                case BulkMail.Accepted a -> new UpdateDeliveries.Settlement(d.id(), d.updateId(), "sent", null, null);
                case BulkMail.Refused r -> {
                    log.warn("Incident email {} (update {}) was refused for good, {}: {}", d.id(), d.updateId(),
                            r.recipient() ? "bounced" : "failed", r.reason());
                    yield new UpdateDeliveries.Settlement(d.id(), d.updateId(), r.recipient() ? "bounced" : "failed", r.reason(), null);
                }
                case BulkMail.Deferred f -> {
                    if (d.attempts() >= maxAttempts) {
                        String reason = "gave up after " + d.attempts() + " attempts; last: " + f.reason();
                        log.warn("Incident email {} (update {}) failed: {}", d.id(), d.updateId(), reason);
                        yield new UpdateDeliveries.Settlement(d.id(), d.updateId(), "failed", reason, null);
                    }
                    deferred.merge(f.reason(), 1, Integer::sum);
                    yield new UpdateDeliveries.Settlement(d.id(), d.updateId(), "queued", "attempt " + d.attempts() + ": " + f.reason(),
                            now.plus(backoff(d.attempts())));
                }
            };
            settlements.add(s);
        }
        if (!deferred.isEmpty()) {
            log.warn("{} incident emails will be tried again later: {}", deferred.values().stream().mapToInt(Integer::intValue).sum(),
                    deferred.entrySet().stream().limit(3).map(e -> e.getValue() + " × " + e.getKey()).toList());
        }
        Integer held = recording(batch.size(), () -> tx.execute(s -> deliveries.settle(node, settlements, clock.instant())));
        lost(held == null ? 0 : held, batch.size());
        deliveries.refreshChannels(batch.stream().map(UpdateDeliveries.Claimed::updateId).distinct().toList());
    }

    /**
     * Runs a settle, retrying a failed database call a few times: the messages it records were
     * already accepted, and a settle given up on leaves them to be sent again after the lease.
     */
    private Integer recording(int messages, java.util.function.Supplier<Integer> settle) {
        for (int attempt = 1; ; attempt++) {
            try {
                return settle.get();
            } catch (org.springframework.dao.DataAccessException e) {
                if (attempt == 5) {
                    log.warn("Could not record the outcome of {} incident emails after {} tries ({}); they stay claimed and will be "
                            + "sent again when the lease expires", messages, attempt, e.getMostSpecificCause().toString());
                    throw e;
                }
                log.warn("Recording the outcome of {} incident emails failed ({}); trying again", messages, e.getMostSpecificCause().toString());
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void lost(int held, int claimed) {
        if (held < claimed) {
            log.warn("{} of {} incident emails were no longer held by this node when settled (lease expired and taken over): "
                    + "their recipients may get the message twice; raise signalbox.mail.lease-seconds", claimed - held, claimed);
        }
    }

    /** retry-initial × 2^(attempt−1), at most an hour, ±20 % so retries of one batch spread out. */
    Duration backoff(int attempt) {
        long base = retryInitial.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, Duration.ofHours(1).toMillis());
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis((long) (capped * jitter));
    }

    private void heartbeat() {
        try {
            if (!holding.isEmpty()) deliveries.heartbeat(node, clock.instant().plus(lease));
        } catch (RuntimeException e) {
            log.warn("Email heartbeat failed: {}", e.toString());
        }
    }

    private void wakeUp() {
        synchronized (wake) {
            signals++;
            wake.notifyAll();
        }
    }

    private void await(long seen, long millis) {
        synchronized (wake) {
            if (signals != seen || !running) return;
            try {
                wake.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "node";
        }
    }
}
