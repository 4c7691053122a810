package dev.signalbox.web;

import java.util.List;

/** One profile: compose box, queue, drafts and history. Times are shown in the profile's time zone. */
public record ProfilePage(PageHeader header, Profile profile, String notice, Compose compose, List<PostRow> queue,
        List<PostRow> drafts, List<PostRow> history) {

    /** {@code status} is connected, needs_reconnect or paused, as on the workspace page. */
    public record Profile(String id, String network, String handle, String displayName, String status, String statusReason,
            boolean paused, String timeZone, String workspaceName, String workspaceUrl, String scheduleUrl, String pauseUrl) {}

    /** The compose form as the user left it: {@code when} is now, queue, at or draft; {@code at} is a datetime-local value. */
    public record Compose(String url, String feedbackUrl, String text, String when, String at, FieldErrors errors,
            ComposeFeedback feedback) {}

    /**
     * {@code cancelUrl} is null when the post can no longer be cancelled; {@code failure} is the reason a post failed or is held;
     * {@code containment} says what Signalbox operators did to it and why (null when nothing);
     * {@code confirmUrl} is set only for a held post that waits for its owner's confirmation after a reconnection.
     */
    public record PostRow(String id, String text, String status, String time, String failure, String networkUrl, String cancelUrl,
            String containment, String confirmUrl) {}
}
