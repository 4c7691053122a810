package dev.signalbox.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Access tokens for sandbox accounts the db-scheduler reference posts to, got through the
 * sandbox's own OAuth flow (register an app, authorize with login_hint, exchange the code).
 * They are separate accounts from the Signalbox profiles' so the two runs' counts never mix.
 */
final class SandboxTokens {

    static final String HANDLE_PREFIX = "dbs_";
    private static final String REDIRECT = "http://127.0.0.1/bench-callback";
    private static final int PARALLEL = 16;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final String sandbox;

    SandboxTokens(String sandboxUrl) {
        this.sandbox = sandboxUrl;
    }

    /** One token per account {@code dbs_0 … dbs_(n−1)}, in that order. */
    List<String> forAccounts(int n) throws Exception {
        JsonNode app = post("/api/v1/apps", Map.of("client_name", "db-scheduler bench", "redirect_uris", REDIRECT,
                "scopes", "read write:statuses"));
        String clientId = app.get("client_id").asString();
        String clientSecret = app.get("client_secret").asString();
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL)) {
            List<Future<String>> tokens = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String handle = HANDLE_PREFIX + i;
                tokens.add(pool.submit(() -> token(clientId, clientSecret, handle)));
            }
            List<String> out = new ArrayList<>(n);
            for (Future<String> t : tokens) out.add(t.get());
            return out;
        }
    }

    private String token(String clientId, String clientSecret, String handle) throws IOException, InterruptedException {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", clientId);
        query.put("redirect_uri", REDIRECT);
        query.put("scope", "read write:statuses");
        query.put("login_hint", handle);
        HttpResponse<String> authorized = http.send(HttpRequest.newBuilder(URI.create(sandbox + "/oauth/authorize?" + form(query)))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        String location = authorized.headers().firstValue("location").orElseThrow(() ->
                new IllegalStateException("sandbox authorize for " + handle + " answered " + authorized.statusCode() + ": " + authorized.body()));
        String code = queryParam(location, "code");
        JsonNode token = post("/oauth/token", Map.of("grant_type", "authorization_code", "code", code, "client_id", clientId,
                "client_secret", clientSecret, "redirect_uri", REDIRECT));
        return token.get("access_token").asString();
    }

    private JsonNode post(String path, Map<String, String> fields) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(sandbox + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields))).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("sandbox " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static String queryParam(String location, String name) {
        String query = URI.create(location).getRawQuery();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        throw new IllegalStateException("sandbox redirect " + location + " carries no " + name);
    }
}
