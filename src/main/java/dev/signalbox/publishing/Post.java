package dev.signalbox.publishing;

import java.time.Instant;

/** A post as the API shows it (docs: API.md, `Post`). */
public record Post(String id, String profileId, String text, String status, Instant scheduledAt, Instant publishedAt,
        String networkPostId, String networkUrl, int attempts, Failure failure, Containment containment) {

    public record Failure(String kind, String message) {}

    /** What Signalbox operators did to the published post: {@code state} hidden, deleted or restored, by job {@code jobId}, and why. */
    public record Containment(String state, Instant at, String jobId, String reason) {}
}
