package dev.signalbox.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How operator commands reach a Signalbox server: mix it into a command with
 * {@code @Mixin ServerClient server;}. The server is {@code --server}, else SIGNALBOX_SERVER, else
 * http://localhost:8080. The API token is SIGNALBOX_TOKEN, else the first line of
 * {@code --token-file} (never a plain option: command lines show up in process lists).
 */
public final class ServerClient {

    /** The server could not be reached at all; the message says where and why, for the operator to act on. */
    public static final class Unreachable extends RuntimeException {
        Unreachable(String message) {
            super(message);
        }
    }

    /** The call could not be made or was refused; {@code exitCode} is what the command should exit with. */
    static final class Failure extends RuntimeException {
        final int exitCode;

        Failure(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    /** An answer of the server: status and, when it sent JSON, the body parsed. */
    public record Answer(int status, JsonNode json, String body) {
        /** The problem's {@code detail}, or the body, for printing. */
        public String detail() {
            return json != null && json.has("detail") ? json.get("detail").asString() : body;
        }
    }

    static final JsonMapper JSON = JsonMapper.builder().build();

    @Option(names = "--server", paramLabel = "URL", description = "Signalbox server (default: $SIGNALBOX_SERVER or http://localhost:8080)")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the API token (default: $SIGNALBOX_TOKEN)")
    Path tokenFile;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public URI base() {
        String url = server != null ? server : System.getenv().getOrDefault("SIGNALBOX_SERVER", "http://localhost:8080");
        try {
            URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (uri.getScheme() == null || uri.getHost() == null) throw new IllegalArgumentException();
            return uri;
        } catch (IllegalArgumentException e) {
            throw new Unreachable("'" + url + "' is not a server URL; give one like https://signalbox.example.com with --server or SIGNALBOX_SERVER");
        }
    }

    String token() {
        String token = System.getenv("SIGNALBOX_TOKEN");
        if (token != null && !token.isBlank()) return token.trim();
        if (tokenFile == null) return null;
        try {
            return Files.readAllLines(tokenFile).stream().findFirst().orElse("").trim();
        } catch (IOException e) {
            throw new Unreachable("Could not read the token file " + tokenFile + ": " + e.getMessage());
        }
    }

    /** Fails at once, before any call, when no token was given. */
    void requireToken() {
        String token = token();
        if (token == null || token.isBlank()) {
            throw new Failure("Set SIGNALBOX_TOKEN (or --token-file) to an operator's API token (POST /api/v1/auth/token issues one)", 64);
        }
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).GET());
    }

    public Answer post(String path, Object body) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public Answer delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).DELETE());
    }

    /** The answer if its status is one of {@code ok}; otherwise a {@link Failure} saying what the server said. */
    Answer expect(Answer answer, int... ok) {
        for (int status : ok) if (answer.status() == status) return answer;
        throw new Failure(refusal(answer), answer.status() == 401 || answer.status() == 403 || answer.status() == 404 ? 77 : 65);
    }

    private Answer send(HttpRequest.Builder request) {
        request.timeout(Duration.ofMinutes(2)).header("Accept", "application/json");
        String token = token();
        if (token != null) request.header("Authorization", "Bearer " + token);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            if (response.headers().firstValue("content-type").orElse("").contains("json") && !response.body().isBlank()) {
                json = JSON.readTree(response.body());
            }
            return new Answer(response.statusCode(), json, response.body());
        } catch (ConnectException e) {
            throw new Unreachable("Could not connect to " + base() + " (is Signalbox running there? set --server or SIGNALBOX_SERVER)");
        } catch (HttpTimeoutException e) {
            throw new Unreachable(base() + " did not answer in time");
        } catch (IOException e) {
            throw new Unreachable("Could not talk to " + base() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("Interrupted while waiting for " + base());
        }
    }

    /** The line to print when the server refused a call: what it said, and what to do about a missing or rejected token. */
    public static String refusal(Answer answer) {
        return switch (answer.status()) {
            case 401 -> "The server refused the API token: set SIGNALBOX_TOKEN to an operator's token (POST /api/v1/auth/token issues one)";
            case 404 -> "The server does not know this call for this token: it needs an operator's token (" + answer.detail() + ")";
            default -> "The server answered " + answer.status() + ": " + answer.detail();
        };
    }
}
