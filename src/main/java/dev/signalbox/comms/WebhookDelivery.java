package dev.signalbox.comms;

import dev.signalbox.networks.ConnectFailure;
import dev.signalbox.networks.SafeUrls;
import dev.signalbox.vault.TokenVault;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Sends webhook deliveries, on any number of nodes. Due deliveries are claimed with
 * {@code FOR UPDATE SKIP LOCKED} and a lease longer than a request may take, in the statement that
 * counts the attempt; a delivery is settled only by the node holding its claim (and that attempt).
 * Each is POSTed as JSON with {@code X-Signalbox-Signature}, {@code X-Signalbox-Timestamp} (epoch
 * seconds) and {@code X-Signalbox-Delivery} (the delivery id, the same on every attempt: receivers
 * use it to drop a repeat). A 2xx answer delivers it. A 5xx, 408, 429, timeout or connection failure
 * is retried after {@code retry-base × 2^(attempt-1)} (capped at an hour) up to {@code max-attempts},
 * then failed with the last reason; any other answer (4xx, a redirect — never followed) or an
 * address that no longer passes the SSRF rules fails it at once with the reason.
 *
 * <p>A node that dies after the receiver answered but before settling leaves the claim to expire and
 * the delivery is sent again with the same {@code X-Signalbox-Delivery}: at least once, never lost.
 */
@Component
class WebhookDelivery {

    private static final Logger log = LoggerFactory.getLogger(WebhookDelivery.class);
    static final int BATCH = 50;

    record Claimed(String id, String updateId, String url, String sealedSecret, String endpointId, String payload, int attempts) {}

    private final JdbcClient db;
    private final TokenVault vault;
    private final SafeUrls safeUrls;
    private final ChannelStates states;
    private final Clock clock;
    private final HttpClient http;
    private final Duration timeout;
    private final int maxAttempts;
    private final long retryBaseMillis;
    private final String node = host() + "-" + UUID.randomUUID().toString().substring(0, 8);

    WebhookDelivery(JdbcClient db, TokenVault vault, SafeUrls safeUrls, ChannelStates states, Clock clock,
            @Value("${signalbox.webhooks.timeout-ms:10000}") long timeoutMillis,
            @Value("${signalbox.webhooks.max-attempts:8}") int maxAttempts,
            @Value("${signalbox.webhooks.retry-base-ms:2000}") long retryBaseMillis) {
        this.db = db;
        this.vault = vault;
        this.safeUrls = safeUrls;
        this.states = states;
        this.clock = clock;
        this.timeout = Duration.ofMillis(timeoutMillis);
        this.maxAttempts = maxAttempts;
        this.retryBaseMillis = retryBaseMillis;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    @Scheduled(fixedDelayString = "${signalbox.webhooks.poll-interval-ms:250}")
    void deliver() {
        List<Claimed> batch;
        do {
            batch = claim();
            if (batch.isEmpty()) return;
            try (ExecutorService each = Executors.newVirtualThreadPerTaskExecutor()) {
                for (Claimed c : batch) each.submit(() -> send(c));
            }
        } while (batch.size() == BATCH);
    }

    List<Claimed> claim() {
        Instant now = clock.instant();
        return db.sql("""
                with due as (
                    select id from webhook_deliveries
                    where (state = 'queued' and next_attempt_at <= :now) or (state = 'sending' and claim_expires_at < :now)
                    order by next_attempt_at, id limit :batch for update skip locked)
                update webhook_deliveries d set state = 'sending', claimed_by = :node, claim_expires_at = :lease, attempts = d.attempts + 1
                from due, webhook_endpoints e
                where d.id = due.id and e.id = d.endpoint_id
                returning d.id, d.update_id, e.url, e.secret, e.id, d.payload, d.attempts""")
                .param("now", Webhooks.odt(now)).param("batch", BATCH).param("node", node)
                .param("lease", Webhooks.odt(now.plus(timeout.multipliedBy(2)).plusSeconds(30)))
                .query((rs, n) -> new Claimed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getInt(7)))
                .list();
    }

    private void send(Claimed c) {
        try {
            if (c.attempts() > maxAttempts) {
                settle(c, "failed", null, "gave up after " + maxAttempts + " attempts (the node sending the last one stopped)", null);
                return;
            }
            if (c.sealedSecret() == null) {
                settle(c, "failed", null, "the endpoint was removed", null);
                return;
            }
            URI target;
            try {
                target = safeUrls.check("url", c.url());
            } catch (ConnectFailure refused) {
                settle(c, "failed", null, "the address is refused now: " + refused.getMessage(), null);
                return;
            }
            byte[] body = c.payload().getBytes(StandardCharsets.UTF_8);
            String secret = vault.open(c.sealedSecret(), Webhooks.AAD_PREFIX + c.endpointId());
            HttpRequest request = HttpRequest.newBuilder(target).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Signalbox-Webhooks/1")
                    .header("X-Signalbox-Signature", Webhooks.signature(secret, body))
                    .header("X-Signalbox-Timestamp", Long.toString(clock.instant().getEpochSecond()))
                    .header("X-Signalbox-Delivery", c.id())
                    .header("X-Signalbox-Event", WebhookChannel.EVENT)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            int status;
            try {
                status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (HttpTimeoutException e) {
                retryOrFail(c, null, "no answer within " + timeout.toMillis() + " ms");
                return;
            } catch (IOException e) {
                retryOrFail(c, null, "could not reach " + target.getHost() + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                return;
            }
            if (status >= 200 && status < 300) settle(c, "delivered", status, null, null);
            else if (status >= 500 || status == 408 || status == 429) retryOrFail(c, status, "the endpoint answered HTTP " + status);
            else if (status >= 300 && status < 400) settle(c, "failed", status, "the endpoint answered with a redirect (HTTP " + status
                    + "); redirects are not followed: register the address it redirects to", null);
            else settle(c, "failed", status, "the endpoint refused the delivery (HTTP " + status + ")", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("Webhook delivery {} failed unexpectedly (attempt {})", c.id(), c.attempts(), e);
            retryOrFail(c, null, "Signalbox could not send it: " + e.getClass().getSimpleName());
        }
    }

    private void retryOrFail(Claimed c, Integer status, String reason) {
        if (c.attempts() >= maxAttempts) {
            settle(c, "failed", status, reason + "; gave up after " + c.attempts() + " attempts", null);
        } else {
            long delay = retryBaseMillis << Math.min(c.attempts() - 1, 20);
            settle(c, "queued", status, reason, clock.instant().plusMillis(Math.min(delay, Duration.ofHours(1).toMillis())));
        }
    }

    /** Records the attempt's outcome, only while this node still holds the claim for this attempt. */
    private void settle(Claimed c, String state, Integer status, String error, Instant next) {
        Instant now = clock.instant();
        int settled = db.sql("""
                update webhook_deliveries set state = :state, last_status = :status, last_error = :error,
                       next_attempt_at = coalesce(:next, next_attempt_at), claimed_by = null, claim_expires_at = null,
                       delivered_at = case when :state = 'delivered' then :now else delivered_at end
                where id = :id and claimed_by = :node and attempts = :attempts and state = 'sending'""")
                .param("state", state).param("status", status).param("error", error).param("next", Webhooks.odt(next))
                .param("now", Webhooks.odt(now)).param("id", c.id()).param("node", node).param("attempts", c.attempts()).update();
        if (settled == 0) {
            log.warn("Webhook delivery {} attempt {} was taken over before it settled ({}); the other claim decides", c.id(), c.attempts(), state);
            return;
        }
        if (!state.equals("queued")) states.webhookSettled(c.updateId());
        if (!state.equals("delivered")) log.info("Webhook delivery {} attempt {}: {} ({})", c.id(), c.attempts(), error, state);
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "node";
        }
    }
}
