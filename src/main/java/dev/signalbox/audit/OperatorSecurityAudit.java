package dev.signalbox.audit;

import dev.signalbox.accounts.AccountEvents;
import java.util.Map;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Writes the audit records of operator account changes, inside the transaction that made them. */
@Component
class OperatorSecurityAudit {

    private final AuditLog log;

    OperatorSecurityAudit(AuditLog log) {
        this.log = log;
    }

    @EventListener
    void created(AccountEvents.OperatorCreated e) {
        log.record(Actors.of(e.by(), e.source()), "operator.create", "operator", e.operator().email(), null,
                Map.of("operatorId", e.operator().id(), "roles", e.operator().operatorRoles()));
    }

    @EventListener
    void enrolled(AccountEvents.OperatorTotpEnrolled e) {
        log.record(e.provisioned() ? AuditLog.Actor.system("configuration") : Actors.of(e.operator(), e.source()),
                "operator.totp_enrol", "operator", e.operator().email(), null, Map.of("provisioned", e.provisioned()));
    }

    @EventListener
    void lockedOut(AccountEvents.OperatorLockedOut e) {
        log.record(new AuditLog.Actor(null, "anonymous", e.source()), "operator.lock_out", "operator", e.operator().email(),
                e.failures() + " failed sign-ins through the " + e.via(),
                Map.of("operatorId", e.operator().id(), "lockedUntil", e.lockedUntil().toString(), "via", e.via()));
    }
}
