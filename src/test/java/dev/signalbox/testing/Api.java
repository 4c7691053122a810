package dev.signalbox.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A test's view of Signalbox's REST API over real HTTP, as a script or the CLI would call it. */
public final class Api {

    public record Answer(int status, JsonNode json, String body) {
        public String text(String field) {
            return json.get(field).asString();
        }
    }

    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final String base;
    private final String token;

    public Api(String base, String token) {
        this.base = base;
        this.token = token;
    }

    public static Api at(int port) {
        return new Api("http://127.0.0.1:" + port, null);
    }

    /** The bearer token this client sends. */
    public String bearer() {
        return token;
    }

    public Api as(String bearer) {
        return new Api(base, bearer);
    }

    /** Signs up a new customer with a unique email and returns an API client holding their token. */
    public Api newCustomer(String name) {
        String email = name.toLowerCase().replaceAll("[^a-z]", "") + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Answer created = post("/api/v1/users", "{\"email\":\"" + email + "\",\"password\":\"correct-horse-battery\",\"name\":\"" + name + "\"}");
        if (created.status() != 201) throw new IllegalStateException("sign-up failed: " + created.body());
        Answer token = post("/api/v1/auth/token", "{\"email\":\"" + email + "\",\"password\":\"correct-horse-battery\"}");
        return as(token.text("token"));
    }

    public String createWorkspace(String name) {
        return expect(201, post("/api/v1/workspaces", "{\"name\":\"" + name + "\"}")).text("id");
    }

    public String connectSandbox(String workspaceId, String handle) {
        return expect(201, post("/api/v1/workspaces/" + workspaceId + "/profiles",
                "{\"network\":\"sandbox\",\"handle\":\"" + handle + "\"}")).text("id");
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public Answer post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Answer put(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Answer patch(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    public Answer delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    public static Answer expect(int status, Answer answer) {
        if (answer.status() != status) {
            throw new AssertionError("expected HTTP " + status + " but got " + answer.status() + ": " + answer.body());
        }
        return answer;
    }

    private Answer send(HttpRequest.Builder request) {
        if (token != null) request.header("Authorization", "Bearer " + token);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            if (response.body() != null && !response.body().isBlank()
                    && response.headers().firstValue("content-type").orElse("").contains("json")) {
                json = JSON.readTree(response.body());
            }
            return new Answer(response.statusCode(), json, response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String quote(String s) {
        return JSON.writeValueAsString(s);
    }
}
