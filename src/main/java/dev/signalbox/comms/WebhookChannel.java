package dev.signalbox.comms;

import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.BaseUrl;
import dev.signalbox.platform.Ids;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The "webhook" channel: one delivery per registered endpoint, inserted in the update's
 * transaction with its JSON payload fixed, and sent by {@link WebhookDelivery}. The payload:
 * <pre>{"event": "incident.update",
 *  "incident": {id, title, severity, status, networks},
 *  "update": {id, status, html, text, statusPageUrl, publishedAt}}</pre>
 * {@code html} is the sanitised HTML of the status page, {@code text} the same as plain text.
 * With no endpoint registered publishing is refused with 422 naming {@code channels}.
 */
@Component
class WebhookChannel implements UpdateChannel {

    static final String NAME = "webhook";
    static final String EVENT = "incident.update";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient db;
    private final BaseUrl baseUrl;

    WebhookChannel(JdbcClient db, BaseUrl baseUrl) {
        this.db = db;
        this.baseUrl = baseUrl;
    }

    @Override
    public String channel() {
        return NAME;
    }

    @Override
    public String accept(PublishedUpdate update) {
        List<String> endpoints = db.sql("select id from webhook_endpoints where removed_at is null order by created_at, id")
                .query(String.class).list();
        if (endpoints.isEmpty()) {
            throw ApiProblem.invalid("channels", "'webhook' needs at least one registered endpoint (POST /api/v1/webhooks {url}); "
                    + "none is, so there is nowhere to send. Register one, or leave webhook out");
        }
        String payload = payload(update);
        for (String endpoint : endpoints) {
            db.sql("""
                    insert into webhook_deliveries (id, endpoint_id, update_id, payload, state, next_attempt_at, created_at)
                    values (:id, :endpoint, :update, :payload, 'queued', :now, :now)""")
                    .param("id", Ids.next("whd", update.publishedAt().toEpochMilli())).param("endpoint", endpoint).param("update", update.id())
                    .param("payload", payload).param("now", Webhooks.odt(update.publishedAt())).update();
        }
        return "queued";
    }

    String payload(PublishedUpdate update) {
        Map<String, Object> incident = new LinkedHashMap<>();
        incident.put("id", update.incidentId());
        incident.put("title", update.incidentTitle());
        incident.put("severity", update.severity());
        incident.put("status", update.status());
        incident.put("networks", update.incidentNetworks());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", update.id());
        body.put("status", update.status());
        body.put("html", update.html());
        body.put("text", MessageBody.toPlainText(update.markdown()));
        body.put("statusPageUrl", baseUrl.get() + StatusPages.PAGE + "#" + update.incidentId());
        body.put("publishedAt", DateTimeFormatter.ISO_INSTANT.format(update.publishedAt()));
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event", EVENT);
        event.put("incident", incident);
        event.put("update", body);
        return JSON.writeValueAsString(event);
    }
}
