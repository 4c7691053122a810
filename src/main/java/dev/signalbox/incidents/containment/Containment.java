package dev.signalbox.incidents.containment;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A containment job as the API shows it. {@code done} counts posts now in the wanted state,
 * including the {@code skipped} ones that already were; {@code unsupported} lists (up to 100)
 * posts the network cannot do this to, with the reason, and {@code unsupportedCount} counts
 * them all. A dry run has no id and status {@code dry_run}: nothing was changed or called.
 */
public record Containment(String id, String action, String status, String reason, int total, int done, int failed,
        int skipped, int pending, int unsupportedCount, List<Unsupported> unsupported, Map<String, Integer> unsupportedReasons,
        Map<String, Integer> byNetwork, long rateLimitWaits, Instant startedAt, Instant finishedAt) {

    public record Unsupported(String postId, String reason) {}

    public boolean finished() {
        return "finished".equals(status);
    }

    /** Whole percent of posts no longer waiting (0–100). */
    public int percent() {
        return total == 0 ? 100 : (int) ((total - pending) * 100L / total);
    }
}
