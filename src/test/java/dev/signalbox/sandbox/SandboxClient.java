package dev.signalbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A Mastodon client of the sandbox over real HTTP, as the Mastodon adapter talks to it. */
final class SandboxClient {

    static final String REDIRECT = "https://signalbox.test/callback";
    static final JsonMapper JSON = JsonMapper.builder().build();

    record App(String clientId, String clientSecret, String name) {}

    record Answer(int status, JsonNode json, String body, HttpResponse<String> response) {}

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final String base;

    SandboxClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    static String uniqueHandle(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    App registerApp(String name) {
        Answer answer = postForm("/sandbox/api/v1/apps", null, Map.of(
                "client_name", name, "redirect_uris", REDIRECT, "scopes", "read write:statuses", "website", "https://signalbox.dev"));
        assertThat(answer.status()).isEqualTo(200);
        return new App(answer.json().get("client_id").asString(), answer.json().get("client_secret").asString(), name);
    }

    /** GET /oauth/authorize; the raw answer so tests can look at the redirect. */
    HttpResponse<String> authorize(App app, String loginHint, String state, String challenge) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", app.clientId());
        query.put("redirect_uri", REDIRECT);
        query.put("scope", "read write:statuses");
        query.put("state", state);
        if (challenge != null) {
            query.put("code_challenge", challenge);
            query.put("code_challenge_method", "S256");
        }
        if (loginHint != null) query.put("login_hint", loginHint);
        return send(HttpRequest.newBuilder(URI.create(base + "/sandbox/oauth/authorize?" + form(query))).GET().build());
    }

    /** The query parameters of a redirect's Location. */
    static Map<String, String> redirectParameters(HttpResponse<String> response) {
        String location = response.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?");
        return java.util.Arrays.stream(URI.create(location).getRawQuery().split("&"))
                .map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
    }

    Answer exchange(App app, String code, String verifier) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", "authorization_code");
        fields.put("code", code);
        fields.put("client_id", app.clientId());
        fields.put("client_secret", app.clientSecret());
        fields.put("redirect_uri", REDIRECT);
        if (verifier != null) fields.put("code_verifier", verifier);
        return postForm("/sandbox/oauth/token", null, fields);
    }

    /** Registers nothing: runs authorize + token with PKCE for the handle and returns the access token. */
    String connect(App app, String handle) {
        String verifier = "verifier-" + UUID.randomUUID() + UUID.randomUUID();
        HttpResponse<String> authorized = authorize(app, handle, "s", Secrets.s256Challenge(verifier));
        assertThat(authorized.statusCode()).isEqualTo(302);
        Answer token = exchange(app, redirectParameters(authorized).get("code"), verifier);
        assertThat(token.status()).as(token.body()).isEqualTo(200);
        return token.json().get("access_token").asString();
    }

    Answer get(String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (token != null) request.header("Authorization", "Bearer " + token);
        return answer(send(request.build()));
    }

    Answer page(String path) {
        return answer(send(HttpRequest.newBuilder(URI.create(base + path)).GET().build()));
    }

    Answer post(String token, String text, String idempotencyKey) {
        Map<String, String> headers = idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey);
        return postForm("/sandbox/api/v1/statuses", token, Map.of("status", text, "visibility", "public"), headers);
    }

    Answer postForm(String path, String token, Map<String, String> fields) {
        return postForm(path, token, fields, Map.of());
    }

    Answer postForm(String path, String token, Map<String, String> fields, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields)));
        if (token != null) request.header("Authorization", "Bearer " + token);
        headers.forEach(request::header);
        return answer(send(request.build()));
    }

    Answer postJson(String path, String token, Map<String, Object> fields) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(fields)));
        if (token != null) request.header("Authorization", "Bearer " + token);
        return answer(send(request.build()));
    }

    Answer delete(String path, String token) {
        return answer(send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token).DELETE().build()));
    }

    private static Answer answer(HttpResponse<String> response) {
        String body = response.body();
        JsonNode json = null;
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (type.contains("json") && !body.isEmpty()) json = JSON.readTree(body);
        return new Answer(response.statusCode(), json, body, response);
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
