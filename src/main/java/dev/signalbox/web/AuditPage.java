package dev.signalbox.web;

import dev.signalbox.audit.AuditLog;
import java.util.List;

/**
 * The audit log page: the filters as typed, the matching entries (newest first), the error of a
 * filter that could not be read (or null), and the result of "verify chain" when it was asked for.
 */
public record AuditPage(PageHeader header, String from, String to, String actor, String action, List<AuditLog.Entry> entries,
        String error, AuditLog.Verification verification, int limit) {}
