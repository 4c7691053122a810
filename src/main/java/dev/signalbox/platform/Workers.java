package dev.signalbox.platform;

import java.net.InetAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What the background workers that share work across nodes (the dispatcher, the containment
 * worker) have in common: a node id, and a stop that lets calls in flight finish.
 */
public final class Workers {

    private Workers() {}

    /** {@code configured} (signalbox.node-id) when set, else the host name and a random suffix, unique to this worker. */
    public static String nodeId(String configured) {
        if (configured != null && !configured.isBlank()) return configured;
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "node";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Waits up to 5 s for a worker's loop thread to end (the caller has told it to), then shuts its
     * calls' executor down and waits up to {@code grace} for them. Returns false when calls were
     * still running then: their claims or leases expire and another node takes them over.
     */
    public static boolean awaitStop(Thread loop, ExecutorService calls, Duration grace) {
        try {
            loop.join(5_000);
            calls.shutdown();
            return calls.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            calls.shutdown();
            return false;
        }
    }
}
