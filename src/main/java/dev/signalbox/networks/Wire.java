package dev.signalbox.networks;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One HTTP exchange with a network, as every adapter's client needs it: the answer with its body
 * parsed as JSON when it is JSON, headers by lower-case name, and a failure that says in words
 * what went wrong on the wire (never with a credential in it).
 */
public final class Wire {

    /** A network's answer. {@code body} is null when there was none or it was not JSON. */
    public record Reply(int status, JsonNode body, Map<String, String> headers) {}

    /** The wire failed before any answer: refused, reset, timed out or interrupted. */
    public static final class Failure extends Exception {
        private final boolean timedOut;

        Failure(String message, boolean timedOut, Throwable cause) {
            super(message, cause);
            this.timedOut = timedOut;
        }

        public boolean timedOut() {
            return timedOut;
        }
    }

    /** How one request is sent; lets a caller put redirect checks (see {@link SafeUrls}) in between. */
    @FunctionalInterface
    public interface Sender {
        HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException;
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Wire() {}

    public static Reply exchange(HttpClient http, HttpRequest request, Duration timeout) throws Failure {
        return exchange(r -> http.send(r, HttpResponse.BodyHandlers.ofString()), request, timeout);
    }

    public static Reply exchange(Sender sender, HttpRequest request, Duration timeout) throws Failure {
        try {
            return read(sender.send(request));
        } catch (IOException | InterruptedException e) {
            throw failure(e, timeout);
        }
    }

    /** Words for what went wrong, e.g. "no answer within 700 ms". Restores the interrupt flag. */
    public static Failure failure(Exception e, Duration timeout) {
        if (e instanceof HttpTimeoutException) return new Failure("no answer within " + timeout.toMillis() + " ms", true, e);
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new Failure("interrupted", false, e);
        }
        return new Failure("connection failed (" + e.getClass().getSimpleName() + ")", false, e);
    }

    public static Reply read(HttpResponse<String> response) {
        Map<String, String> headers = response.headers().map().entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .collect(Collectors.toMap(e -> e.getKey().toLowerCase(), e -> e.getValue().getFirst(), (a, b) -> a));
        JsonNode body = null;
        String text = response.body();
        if (text != null && !text.isBlank()) {
            try {
                body = JSON.readTree(text);
            } catch (RuntimeException e) {
                body = null; // not JSON (an HTML error page, say): the status code decides
            }
        }
        return new Reply(response.statusCode(), body, headers);
    }
}
