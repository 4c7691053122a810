package dev.signalbox.profiles;

import dev.signalbox.networks.TextLimits;
import java.time.ZoneId;

/** A connected account as the rest of Signalbox sees it. Carries no credential. */
public record Profile(String id, String workspaceId, String network, String handle, String displayName,
        String instanceUrl, String status, String statusReason, boolean paused, ZoneId timeZone,
        TextLimits limits, boolean incidentChannel) {

    public boolean connected() {
        return "connected".equals(status);
    }
}
