package dev.signalbox.comms;

import dev.signalbox.audit.AuditLog;
import java.time.Instant;
import java.util.List;

/** An update as its channels receive it: stored, not yet committed, with its incident's headline facts. */
record PublishedUpdate(String id, String incidentId, String incidentTitle, String severity, List<String> incidentNetworks,
        String status, String markdown, String html, String audience, Instant publishedAt, AuditLog.Actor author) {}
