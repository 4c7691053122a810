package dev.signalbox.networks.facebook;

import dev.signalbox.networks.Wire;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Graph API calls Signalbox makes for Pages, over plain HTTP, under one API version
 * ({@code /v21.0/…}). Every call made with an access token also carries its
 * {@code appsecret_proof}. Returns raw answers; mapping them is {@link FacebookAdapter}'s job.
 */
final class GraphApi {

    /** Graph's error document: {@code {"error":{"message","type","code","error_subcode","fbtrace_id"}}}. */
    record GraphError(String message, String type, int code, int subcode, String traceId) {}

    record Answer(int status, JsonNode body, Map<String, String> headers) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase()));
        }

        Optional<GraphError> error() {
            JsonNode e = body == null ? null : body.get("error");
            if (e == null || !e.isObject()) return Optional.empty();
            return Optional.of(new GraphError(e.path("message").asString("HTTP " + status), e.path("type").asString(null),
                    e.path("code").asInt(0), e.path("error_subcode").asInt(0), e.path("fbtrace_id").asString(null)));
        }

        /** Facebook's own words for a refusal. */
        String message() {
            return error().map(GraphError::message).orElse("HTTP " + status);
        }

        boolean ok() {
            return status / 100 == 2 && error().isEmpty();
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
    private final String base;
    private final String appSecret;

    GraphApi(HttpClient http, Duration timeout, String graphUrl, String version, String appSecret) {
        this.http = http;
        this.timeout = timeout;
        this.base = graphUrl.replaceAll("/+$", "") + "/" + version;
        this.appSecret = appSecret;
    }

    /**
     * {@code GET /oauth/access_token} for the login code. The two token calls authenticate the app
     * with its secret and carry no access token yet, so they have no proof to send.
     */
    Answer exchangeCode(String appId, String redirectUri, String code) throws WireFailure {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", appId);
        query.put("redirect_uri", redirectUri);
        query.put("client_secret", appSecret);
        query.put("code", code);
        return send(get("/oauth/access_token", query).build());
    }

    /** {@code GET /oauth/access_token?grant_type=fb_exchange_token}: a short-lived user token for a long-lived one. */
    Answer longLived(String appId, String shortLivedToken) throws WireFailure {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("grant_type", "fb_exchange_token");
        query.put("client_id", appId);
        query.put("client_secret", appSecret);
        query.put("fb_exchange_token", shortLivedToken);
        return send(get("/oauth/access_token", query).build());
    }

    Answer me(String userToken) throws WireFailure {
        return send(get("/me", signed(userToken, Map.of("fields", "id,name"))).build());
    }

    /** The Pages the person granted, with a Page token each (first 100; nobody connects more at once). */
    Answer accounts(String userId, String userToken) throws WireFailure {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("fields", "id,name,access_token");
        query.put("limit", "100");
        return send(get("/" + segment(userId) + "/accounts", signed(userToken, query)).build());
    }

    Answer createPost(String pageId, String pageToken, String message) throws WireFailure {
        return send(post("/" + segment(pageId) + "/feed", signed(pageToken, Map.of("message", message))).build());
    }

    Answer setHidden(String postId, String pageToken, boolean hidden) throws WireFailure {
        return send(post("/" + segment(postId), signed(pageToken, Map.of("is_hidden", Boolean.toString(hidden)))).build());
    }

    Answer deletePost(String postId, String pageToken) throws WireFailure {
        return send(HttpRequest.newBuilder(URI.create(base + "/" + segment(postId) + "?" + encode(signed(pageToken, Map.of()))))
                .timeout(timeout).DELETE().build());
    }

    /** {@code DELETE /{user-id}/permissions}: removes the app from the person's account, invalidating its tokens. */
    Answer revokePermissions(String userId, String userToken) throws WireFailure {
        return send(HttpRequest.newBuilder(URI.create(base + "/" + segment(userId) + "/permissions?" + encode(signed(userToken, Map.of()))))
                .timeout(timeout).DELETE().build());
    }

    /**
     * The parameters plus {@code access_token} and {@code appsecret_proof}. We send the classic
     * proof — hex HMAC-SHA256 of the access token keyed by the app secret — and not the newer
     * {@code access_token|appsecret_time} form: it is what every Graph version accepts and does not
     * depend on this node's clock agreeing with Facebook's within five minutes.
     */
    private Map<String, String> signed(String accessToken, Map<String, String> params) {
        Map<String, String> out = new LinkedHashMap<>(params);
        out.put("access_token", accessToken);
        out.put("appsecret_proof", proof(accessToken, appSecret));
        return out;
    }

    static String proof(String accessToken, String appSecret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(accessToken.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private HttpRequest.Builder get(String path, Map<String, String> query) {
        return HttpRequest.newBuilder(URI.create(base + path + "?" + encode(query))).timeout(timeout).GET();
    }

    private HttpRequest.Builder post(String path, Map<String, String> form) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form)));
    }

    private Answer send(HttpRequest request) throws WireFailure {
        try {
            Wire.Reply reply = Wire.exchange(http, request, timeout);
            return new Answer(reply.status(), reply.body(), reply.headers());
        } catch (Wire.Failure f) {
            throw new WireFailure(f.getMessage(), f);
        }
    }

    private static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    static String encode(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
