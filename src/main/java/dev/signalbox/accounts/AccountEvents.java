package dev.signalbox.accounts;

import java.time.Instant;

/**
 * What accounts tells the rest of Signalbox about operators, published synchronously inside the
 * transaction that made the change: a listener that writes the audit log commits or rolls back
 * with it. {@code source} is the client address the request came from, or "internal".
 */
public final class AccountEvents {

    private AccountEvents() {}

    /** An operator account was created; {@code by} is null when Signalbox created it (the first operator). */
    public record OperatorCreated(CurrentUser by, String source, CurrentUser operator) {}

    /** An operator confirmed a two-factor (TOTP) enrolment, or had it provisioned from configuration. */
    public record OperatorTotpEnrolled(CurrentUser operator, String source, boolean provisioned) {}

    /** An operator account was locked out after too many failed sign-ins through {@code via} ("api" or "dashboard"). */
    public record OperatorLockedOut(CurrentUser operator, String source, String via, int failures, Instant lockedUntil) {}

}
