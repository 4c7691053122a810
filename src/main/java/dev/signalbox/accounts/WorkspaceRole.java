package dev.signalbox.accounts;

import java.util.Arrays;
import java.util.Optional;

/** A member's role in a workspace; each includes the rights of the ones below it. */
public enum WorkspaceRole {
    VIEWER, EDITOR, OWNER;

    public boolean atLeast(WorkspaceRole other) {
        return compareTo(other) >= 0;
    }

    public String wireName() {
        return name().toLowerCase();
    }

    static Optional<WorkspaceRole> parse(String value) {
        return Arrays.stream(values()).filter(r -> r.wireName().equals(value)).findFirst();
    }
}
