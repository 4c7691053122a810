package dev.signalbox.networks.x;

import dev.signalbox.networks.Wire;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The X API v2 calls Signalbox makes, over plain HTTP. Returns raw answers; mapping them to
 * outcomes is {@link XAdapter}'s job. Tokens travel only in headers and bodies, never in a URL.
 */
final class XApi {

    record Answer(int status, JsonNode body, Map<String, String> headers) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase()));
        }

        /** X's own words: the problem's {@code detail}, else its title, a v1-style error message, or the status. */
        String problem() {
            if (body != null) {
                for (String field : new String[] {"detail", "error_description", "title"}) {
                    JsonNode v = body.get(field);
                    if (v != null && v.isString() && !v.asString().isBlank()) return v.asString();
                }
                JsonNode first = body.path("errors").path(0);
                if (first.hasNonNull("message")) return first.get("message").asString();
                if (first.hasNonNull("detail")) return first.get("detail").asString();
                JsonNode error = body.get("error");
                if (error != null && error.isString()) return error.asString();
            }
            return "HTTP " + status;
        }

        /** {@code x-rate-limit-reset}, in Unix seconds. */
        Optional<Instant> rateLimitReset() {
            return header("x-rate-limit-reset").flatMap(XApi::epochSeconds);
        }
    }

    /** The wire failed before any answer: refused, reset, or timed out. */
    static final class WireFailure extends Exception {
        WireFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;
    private final Duration timeout;
    private final String apiUrl;

    XApi(HttpClient http, Duration timeout, String apiUrl) {
        this.http = http;
        this.timeout = timeout;
        this.apiUrl = apiUrl.replaceAll("/+$", "");
    }

    /** {@code POST /2/oauth2/token}, authenticated as the confidential client with HTTP Basic. */
    Answer token(String clientId, String clientSecret, Map<String, String> form) throws WireFailure {
        return send(formPost("/2/oauth2/token", form).header("Authorization", basic(clientId, clientSecret)).build());
    }

    /** {@code POST /2/oauth2/revoke} for one token. */
    Answer revoke(String clientId, String clientSecret, String token, String hint) throws WireFailure {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("token", token);
        form.put("token_type_hint", hint);
        return send(formPost("/2/oauth2/revoke", form).header("Authorization", basic(clientId, clientSecret)).build());
    }

    Answer me(String accessToken) throws WireFailure {
        return send(bearer(HttpRequest.newBuilder(URI.create(apiUrl + "/2/users/me")), accessToken).GET().build());
    }

    Answer createTweet(String accessToken, String text) throws WireFailure {
        String json = JSON.writeValueAsString(Map.of("text", text));
        return send(bearer(HttpRequest.newBuilder(URI.create(apiUrl + "/2/tweets")), accessToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build());
    }

    Answer deleteTweet(String accessToken, String tweetId) throws WireFailure {
        return send(bearer(HttpRequest.newBuilder(URI.create(apiUrl + "/2/tweets/" + URLEncoder.encode(tweetId, StandardCharsets.UTF_8))), accessToken)
                .DELETE().build());
    }

    private HttpRequest.Builder bearer(HttpRequest.Builder builder, String accessToken) {
        return builder.timeout(timeout).header("Authorization", "Bearer " + accessToken);
    }

    private HttpRequest.Builder formPost(String path, Map<String, String> fields) {
        return HttpRequest.newBuilder(URI.create(apiUrl + path)).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(fields)));
    }

    /** RFC 6749 §2.3.1: id and secret are form-encoded, then joined and Base64-encoded. */
    static String basic(String clientId, String clientSecret) {
        String pair = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private Answer send(HttpRequest request) throws WireFailure {
        try {
            Wire.Reply reply = Wire.exchange(http, request, timeout);
            return new Answer(reply.status(), reply.body(), reply.headers());
        } catch (Wire.Failure f) {
            throw new WireFailure(f.getMessage(), f);
        }
    }

    static String encode(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static Optional<Instant> epochSeconds(String value) {
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
