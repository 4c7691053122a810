package dev.signalbox.networks;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Mastodon client API calls Signalbox makes, over plain HTTP, for any instance (the sandbox
 * included). Returns raw answers; mapping them to outcomes is the adapter's job.
 */
final class MastodonApi {

    record Answer(int status, JsonNode body, Map<String, String> headers) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase()));
        }

        String error() {
            JsonNode e = body == null ? null : body.get("error");
            return e == null || e.isNull() ? "HTTP " + status : e.asString();
        }
    }

    /** The wire failed before any answer: refused, reset, or timed out. */
    static final class WireFailure extends Exception {
        final boolean timedOut;

        WireFailure(String message, boolean timedOut, Throwable cause) {
            super(message, cause);
            this.timedOut = timedOut;
        }
    }

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;
    private final Duration timeout;

    MastodonApi(HttpClient http, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
    }

    Answer registerApp(String instance, String name, String redirectUri, String scopes, String website) throws WireFailure {
        return send(form(instance + "/api/v1/apps", null, Map.of(
                "client_name", name, "redirect_uris", redirectUri, "scopes", scopes, "website", website)).build());
    }

    /** The authorize step, without following its redirect: the answer carries the Location. */
    Answer authorize(String instance, Map<String, String> query) throws WireFailure {
        return send(HttpRequest.newBuilder(URI.create(instance + "/oauth/authorize?" + encode(query)))
                .timeout(timeout).GET().build());
    }

    Answer token(String instance, Map<String, String> form) throws WireFailure {
        return send(form(instance + "/oauth/token", null, form).build());
    }

    Answer revoke(String instance, String clientId, String clientSecret, String token) throws WireFailure {
        return send(form(instance + "/oauth/revoke", null,
                Map.of("client_id", clientId, "client_secret", clientSecret, "token", token)).build());
    }

    Answer verifyCredentials(String instance, String accessToken) throws WireFailure {
        return send(HttpRequest.newBuilder(URI.create(instance + "/api/v1/accounts/verify_credentials"))
                .timeout(timeout).header("Authorization", "Bearer " + accessToken).GET().build());
    }

    Answer instance(String instance) throws WireFailure {
        return send(HttpRequest.newBuilder(URI.create(instance + "/api/v2/instance")).timeout(timeout).GET().build());
    }

    /** {@link #verifyCredentials}, following redirects only to addresses {@code guard} accepts for {@code field}. */
    Answer verifyCredentials(String instance, String accessToken, SafeUrls guard, String field) throws WireFailure {
        return send(HttpRequest.newBuilder(URI.create(instance + "/api/v1/accounts/verify_credentials"))
                .timeout(timeout).header("Authorization", "Bearer " + accessToken).GET().build(),
                request -> guard.follow(field, request, this::once));
    }

    /** {@link #instance}, following redirects only to addresses {@code guard} accepts for {@code field}. */
    Answer instance(String instance, SafeUrls guard, String field) throws WireFailure {
        return send(HttpRequest.newBuilder(URI.create(instance + "/api/v2/instance")).timeout(timeout).GET().build(),
                request -> guard.follow(field, request, this::once));
    }

    Answer createStatus(String instance, String accessToken, String text, String idempotencyKey) throws WireFailure {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("status", text);
        form.put("visibility", "public");
        return send(form(instance + "/api/v1/statuses", accessToken, form)
                .header("Idempotency-Key", idempotencyKey).build());
    }

    Answer deleteStatus(String instance, String accessToken, String statusId) throws WireFailure {
        return send(HttpRequest.newBuilder(URI.create(instance + "/api/v1/statuses/" + URLEncoder.encode(statusId, StandardCharsets.UTF_8)))
                .timeout(timeout).header("Authorization", "Bearer " + accessToken).DELETE().build());
    }

    /** The sandbox's Facebook-like extension: {@code POST /api/v1/statuses/{id}/hide} or {@code /unhide}. */
    Answer setHidden(String instance, String accessToken, String statusId, boolean hidden) throws WireFailure {
        return send(form(instance + "/api/v1/statuses/" + URLEncoder.encode(statusId, StandardCharsets.UTF_8)
                + (hidden ? "/hide" : "/unhide"), accessToken, Map.of()).build());
    }

    private HttpRequest.Builder form(String url, String accessToken, Map<String, String> fields) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(fields)));
        if (accessToken != null) b.header("Authorization", "Bearer " + accessToken);
        return b;
    }

    private HttpResponse<String> once(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private Answer send(HttpRequest request) throws WireFailure {
        return send(request, this::once);
    }

    private Answer send(HttpRequest request, SafeUrls.Hop hop) throws WireFailure {
        try {
            Wire.Reply reply = Wire.exchange(hop::send, request, timeout);
            return new Answer(reply.status(), reply.body(), reply.headers());
        } catch (Wire.Failure f) {
            throw new WireFailure(f.getMessage(), f.timedOut(), f);
        }
    }

    /** Mastodon sends X-RateLimit-Reset as an ISO-8601 instant. */
    static Optional<Instant> rateLimitReset(Answer answer) {
        return answer.header("x-ratelimit-reset").flatMap(value -> {
            try {
                return Optional.of(java.time.OffsetDateTime.parse(value).toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }

    static String encode(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
