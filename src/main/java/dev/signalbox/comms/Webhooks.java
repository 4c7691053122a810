package dev.signalbox.comms;

import dev.signalbox.audit.AuditLog;
import dev.signalbox.networks.ConnectFailure;
import dev.signalbox.networks.SafeUrls;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.Ids;
import dev.signalbox.vault.SealedColumn;
import dev.signalbox.vault.TokenVault;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Outgoing webhook endpoints for chat tools, registered by operators. Each endpoint gets a
 * signing secret, shown once when it is registered and otherwise kept sealed by the token vault;
 * every delivery is signed {@code X-Signalbox-Signature: sha256=<hex HMAC-SHA256(secret, body)>}.
 * Addresses pass the same SSRF rules as customers' server addresses ({@link SafeUrls}): public
 * https only, unless {@code signalbox.networks.allow-private-addresses} is on.
 */
@Service
class Webhooks {

    static final String SECRET_PREFIX = "whsec_";
    static final String AAD_PREFIX = "webhook_endpoints:";

    record Endpoint(String id, String url, String description, String createdBy, Instant createdAt) {}

    /** A newly registered endpoint and its secret: the only time the secret leaves the vault. */
    record Registered(Endpoint endpoint, String secret) {}

    record Delivery(String id, String updateId, String incidentId, String state, int attempts, Integer lastStatus, String lastError,
            Instant createdAt, Instant nextAttemptAt, Instant deliveredAt) {}

    private final JdbcClient db;
    private final TokenVault vault;
    private final SafeUrls safeUrls;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    Webhooks(JdbcClient db, TokenVault vault, SafeUrls safeUrls, AuditLog audit, Clock clock) {
        this.db = db;
        this.vault = vault;
        this.safeUrls = safeUrls;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional
    Registered register(String url, String description, AuditLog.Actor actor) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        String checked = null;
        if (url != null && url.length() > 2000) errors.add(new ApiProblem.FieldError("url", "must be at most 2000 characters"));
        else {
            try {
                checked = safeUrls.check("url", url).toString();
            } catch (ConnectFailure refused) {
                errors.add(new ApiProblem.FieldError(refused.field(), refused.getMessage()));
            }
        }
        if (description != null && description.length() > 200) errors.add(new ApiProblem.FieldError("description", "must be at most 200 characters"));
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);
        Instant now = clock.instant();
        String id = Ids.next("whk", now.toEpochMilli());
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String secret = SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String desc = description == null || description.isBlank() ? null : description.strip();
        db.sql("""
                insert into webhook_endpoints (id, url, description, secret, created_by_email, created_at)
                values (:id, :url, :description, :secret, :by, :now)""")
                .param("id", id).param("url", checked).param("description", desc).param("secret", vault.seal(secret, AAD_PREFIX + id))
                .param("by", actor.email()).param("now", odt(now)).update();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("url", checked);
        details.put("description", desc);
        audit.record(actor, "comms.webhook.register", "webhook", id, desc, details);
        return new Registered(new Endpoint(id, checked, desc, actor.email(), now), secret);
    }

    List<Endpoint> list() {
        return db.sql("select id, url, description, created_by_email, created_at from webhook_endpoints where removed_at is null order by created_at, id")
                .query(Webhooks::endpoint).list();
    }

    /** Stops deliveries to the endpoint (queued ones fail with that reason) and erases its secret; its history stays. */
    @Transactional
    Endpoint remove(String id, AuditLog.Actor actor) {
        Endpoint endpoint = find(id);
        Instant now = clock.instant();
        db.sql("update webhook_endpoints set removed_at = :now, secret = null where id = :id and removed_at is null")
                .param("now", odt(now)).param("id", id).update();
        db.sql("""
                update webhook_deliveries set state = 'failed', last_error = 'the endpoint was removed', claimed_by = null
                where endpoint_id = :id and state in ('queued', 'sending')""")
                .param("id", id).update();
        audit.record(actor, "comms.webhook.remove", "webhook", id, endpoint.description(), Map.of("url", endpoint.url()));
        return endpoint;
    }

    /** The endpoint's deliveries, newest first; a removed endpoint keeps its history. */
    List<Delivery> deliveries(String endpointId) {
        boolean known = db.sql("select exists (select 1 from webhook_endpoints where id = :id)").param("id", endpointId).query(Boolean.class).single();
        if (!known) throw ApiProblem.notFound("Webhook " + endpointId);
        return db.sql("""
                select d.id, d.update_id, u.incident_id, d.state, d.attempts, d.last_status, d.last_error, d.created_at, d.next_attempt_at, d.delivered_at
                from webhook_deliveries d join incident_updates u on u.id = d.update_id
                where d.endpoint_id = :id order by d.created_at desc, d.id desc limit 500""")
                .param("id", endpointId)
                .query((rs, n) -> new Delivery(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                        (Integer) rs.getObject(6), rs.getString(7), instant(rs, 8), rs.getString(4).equals("queued") ? instant(rs, 9) : null,
                        instant(rs, 10)))
                .list();
    }

    private Endpoint find(String id) {
        return db.sql("select id, url, description, created_by_email, created_at from webhook_endpoints where id = :id and removed_at is null")
                .param("id", id).query(Webhooks::endpoint).optional().orElseThrow(() -> ApiProblem.notFound("Webhook " + id));
    }

    /** {@code sha256=} and the hex HMAC-SHA256 of {@code body} under {@code secret} (its UTF-8 bytes, prefix included). */
    static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static Endpoint endpoint(ResultSet rs, int n) throws SQLException {
        return new Endpoint(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs, 5));
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime odt(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** Key rotation re-seals the endpoints' secrets with the profiles' tokens. */
    @Configuration(proxyBeanMethods = false)
    static class SealedSecrets {
        @Bean
        SealedColumn webhookSecrets() {
            return new SealedColumn("webhook_endpoints", "id", "secret", AAD_PREFIX);
        }
    }
}
