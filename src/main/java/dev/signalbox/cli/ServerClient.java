package dev.signalbox.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The CLI's connection to a Signalbox server: {@code --server} or {@code SIGNALBOX_SERVER} (default
 * http://localhost:8080), authenticated with {@code SIGNALBOX_TOKEN}. Problems come back as
 * {@link Failure} carrying the server's own words.
 */
final class ServerClient {

    static final JsonMapper JSON = JsonMapper.builder().build();

    record Answer(int status, JsonNode json) {}

    /** The server could not be reached, or refused the call; {@code exitCode} follows the usual sysexits spirit. */
    static final class Failure extends RuntimeException {
        final int exitCode;

        Failure(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String server;
    private final String token;

    ServerClient(String server, String token) {
        this.server = (server == null || server.isBlank() ? "http://localhost:8080" : server).replaceAll("/+$", "");
        this.token = token;
    }

    static ServerClient fromEnvironment(String serverOption) {
        String server = serverOption != null ? serverOption : System.getenv("SIGNALBOX_SERVER");
        String token = System.getenv("SIGNALBOX_TOKEN");
        if (token == null || token.isBlank()) {
            throw new Failure("Set SIGNALBOX_TOKEN to an operator's API token (POST /api/v1/auth/token issues one)", 64);
        }
        return new ServerClient(server, token);
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(server + path)).GET());
    }

    Answer post(String path, Object body) {
        return send(HttpRequest.newBuilder(URI.create(server + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    Answer delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(server + path)).DELETE());
    }

    /** The answer if its status is one of {@code ok}; otherwise a {@link Failure} with the server's detail and field errors. */
    Answer expect(Answer answer, int... ok) {
        for (int status : ok) if (answer.status() == status) return answer;
        StringBuilder message = new StringBuilder("Signalbox answered " + answer.status());
        if (answer.json() != null && answer.json().hasNonNull("detail")) message.append(": ").append(answer.json().get("detail").asString());
        throw new Failure(message.toString(), answer.status() == 401 || answer.status() == 403 || answer.status() == 404 ? 77 : 65);
    }

    private Answer send(HttpRequest.Builder request) {
        request.header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(2));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            String body = response.body();
            if (body != null && !body.isBlank() && response.headers().firstValue("content-type").orElse("").contains("json")) {
                json = JSON.readTree(body);
            }
            return new Answer(response.statusCode(), json);
        } catch (IOException e) {
            throw new Failure("Cannot reach Signalbox at " + server + " (" + e.getClass().getSimpleName() + "); check --server or SIGNALBOX_SERVER", 69);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("Interrupted", 130);
        }
    }
}
