package dev.signalbox.sandbox;

import java.util.List;
import org.springframework.stereotype.Service;

/** What other features and tests may ask the sandbox network directly, without HTTP. */
@Service
public class SandboxNetwork {

    private final SandboxStatuses statuses;

    SandboxNetwork(SandboxStatuses statuses) {
        this.statuses = statuses;
    }

    /** Every status the account ever created, deleted and hidden ones included; 0 for an unknown account. */
    public long statusCount(String username) {
        return statuses.count(username);
    }

    /** Every status the account ever created, oldest first, deleted and hidden ones included. */
    public List<SandboxStatus> statuses(String username) {
        return statuses.all(username).stream().map(SandboxStatuses.Row::toStatus).toList();
    }
}
