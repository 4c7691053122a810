package dev.signalbox.comms;

import dev.signalbox.platform.BaseUrl;
import dev.signalbox.platform.PgNotifications;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.util.HtmlUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * The public status page, its Atom feed and its JSON as precomputed bytes, so a crowd of readers
 * costs no database query. Rebuilt on this node right after a change commits, on every other node
 * when the NOTIFY on {@value #CHANNEL} arrives, and every 30 seconds as a safety net (a missed
 * notification, incidents ageing out of the 30-day window). Each body's ETag is a hash of its
 * bytes, so every node gives the same answer the same ETag.
 */
@Component
class StatusSnapshot {

    static final String CHANNEL = "signalbox_status";
    static final Duration RESOLVED_WINDOW = Duration.ofDays(30);
    private static final Logger log = LoggerFactory.getLogger(StatusSnapshot.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One representation: its bytes, strong ETag and media type. */
    record Body(byte[] bytes, String etag, String contentType) {}

    record Snapshot(long version, Instant lastModified, String overall, Body html, Body atom, Body json) {}

    private final Incidents incidents;
    private final TemplateEngine templates;
    private final BaseUrl baseUrl;
    private final JdbcClient db;
    private final Clock clock;
    private final AtomicLong versions = new AtomicLong();
    private volatile Snapshot current;
    private final ExecutorService rebuilds =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("status-rebuild").factory());
    private final AtomicBoolean rebuildQueued = new AtomicBoolean();

    StatusSnapshot(Incidents incidents, TemplateEngine templates, BaseUrl baseUrl, JdbcClient db, Clock clock, PgNotifications notifications) {
        this.incidents = incidents;
        this.templates = templates;
        this.baseUrl = baseUrl;
        this.db = db;
        this.clock = clock;
        notifications.listen(CHANNEL, payload -> rebuildSoon());
    }

    /**
     * Another node's change: rebuilt on a thread of its own, not on the one that hands out every
     * notification this node hears, where a halt's announcement would wait for the rebuild. At most
     * one waits: it reads whatever has committed by the time it runs.
     */
    private void rebuildSoon() {
        if (!rebuildQueued.compareAndSet(false, true)) return;
        rebuilds.execute(() -> {
            rebuildQueued.set(false);
            try {
                rebuild();
            } catch (RuntimeException e) {
                log.warn("Could not rebuild the status page after another node's change; the safety net will", e);
            }
        });
    }

    Snapshot current() {
        Snapshot s = current;
        return s != null ? s : rebuild();
    }

    @EventListener(ApplicationReadyEvent.class)
    void ready() {
        rebuild();
    }

    @Scheduled(fixedDelay = 30_000, initialDelay = 30_000)
    void safetyNet() {
        try {
            rebuild();
        } catch (RuntimeException e) {
            log.warn("Could not rebuild the status page; still serving the previous one", e);
        }
    }

    /** After a change commits: rebuild here at once, and tell the other nodes. */
    @TransactionalEventListener
    void changed(Incidents.StatusChanged event) {
        rebuild();
        db.sql("select pg_notify(:channel, :payload)").param("channel", CHANNEL).param("payload", event.incidentId())
                .query((rs, n) -> 1).single();
    }

    synchronized Snapshot rebuild() {
        Instant now = clock.instant();
        List<Incidents.Incident> shown = incidents.forStatusPage(now.minus(RESOLVED_WINDOW)).stream().map(StatusSnapshot::publicOnly).toList();
        List<Incidents.Incident> open = shown.stream().filter(i -> !i.resolved()).toList();
        List<Incidents.Incident> resolved = shown.stream().filter(Incidents.Incident::resolved).toList();
        String overall = open.stream().anyMatch(i -> i.severity().equals("critical")) ? "major_outage" : open.isEmpty() ? "operational" : "degraded";
        String label = switch (overall) {
            case "operational" -> "All systems operational";
            case "degraded" -> "Some services are affected: see the incidents below";
            default -> "Major outage: see the incidents below";
        };
        Instant lastModified = shown.stream().map(Incidents.Incident::updatedAt).max(Instant::compareTo)
                .orElse(Instant.EPOCH).truncatedTo(ChronoUnit.SECONDS);
        String base = baseUrl.get();

        StringOutput html = new StringOutput();
        templates.render("status.jte", new StatusPage(overall, label, open, resolved, base + StatusPages.FEED, base + StatusPages.JSON), html);
        Snapshot s = new Snapshot(versions.incrementAndGet(), lastModified, overall,
                body(html.toString(), "text/html;charset=UTF-8"),
                body(atom(shown, lastModified, base), "application/atom+xml;charset=UTF-8"),
                body(json(overall, shown, lastModified), "application/json"));
        current = s;
        return s;
    }

    /** Only updates that were sent to the status page are public (an operators-only note is not). */
    private static Incidents.Incident publicOnly(Incidents.Incident i) {
        return new Incidents.Incident(i.id(), i.title(), i.severity(), i.status(), i.networks(), i.startedAt(), i.resolvedAt(), i.updatedAt(),
                i.updates().stream().filter(u -> u.channels().stream().anyMatch(c -> c.channel().equals("statuspage"))).toList());
    }

    private static Body body(String text, String contentType) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return new Body(bytes, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"", contentType);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String atom(List<Incidents.Incident> shown, Instant updated, String base) {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
        x.append("  <id>").append(esc(base + StatusPages.PAGE)).append("</id>\n");
        x.append("  <title>Signalbox status</title>\n");
        x.append("  <updated>").append(updated).append("</updated>\n");
        x.append("  <link rel=\"self\" type=\"application/atom+xml\" href=\"").append(esc(base + StatusPages.FEED)).append("\"/>\n");
        x.append("  <link rel=\"alternate\" type=\"text/html\" href=\"").append(esc(base + StatusPages.PAGE)).append("\"/>\n");
        x.append("  <author><name>Signalbox</name></author>\n");
        List<Incidents.Update> updates = new ArrayList<>();
        Map<String, Incidents.Incident> incidentOf = new LinkedHashMap<>();
        for (Incidents.Incident i : shown) {
            for (Incidents.Update u : i.updates()) {
                updates.add(u);
                incidentOf.put(u.id(), i);
            }
        }
        updates.sort((a, b) -> b.publishedAt().compareTo(a.publishedAt()));
        for (Incidents.Update u : updates) {
            Incidents.Incident i = incidentOf.get(u.id());
            x.append("  <entry>\n");
            x.append("    <id>").append(esc(base + StatusPages.PAGE + "#" + u.id())).append("</id>\n");
            x.append("    <title>").append(esc(StatusPage.label(u.status()) + ": " + i.title())).append("</title>\n");
            x.append("    <updated>").append(u.publishedAt().truncatedTo(ChronoUnit.SECONDS)).append("</updated>\n");
            x.append("    <link rel=\"alternate\" type=\"text/html\" href=\"").append(esc(base + StatusPages.PAGE + "#" + i.id())).append("\"/>\n");
            x.append("    <content type=\"html\">").append(esc(u.html())).append("</content>\n");
            x.append("  </entry>\n");
        }
        return x.append("</feed>\n").toString();
    }

    private static String esc(String s) {
        return HtmlUtils.htmlEscape(s, "UTF-8");
    }

    private static String json(String overall, List<Incidents.Incident> shown, Instant updated) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Incidents.Incident i : shown) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", i.id());
            m.put("title", i.title());
            m.put("severity", i.severity());
            m.put("status", i.status());
            m.put("networks", i.networks());
            m.put("startedAt", i.startedAt().toString());
            m.put("resolvedAt", i.resolvedAt() == null ? null : i.resolvedAt().toString());
            m.put("updates", i.updates().stream().map(u -> {
                Map<String, Object> um = new LinkedHashMap<>();
                um.put("id", u.id());
                um.put("status", u.status());
                um.put("publishedAt", u.publishedAt().toString());
                um.put("html", u.html());
                return um;
            }).toList());
            list.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("status", overall);
        root.put("updatedAt", updated.toString());
        root.put("incidents", list);
        return JSON.writeValueAsString(root);
    }
}
