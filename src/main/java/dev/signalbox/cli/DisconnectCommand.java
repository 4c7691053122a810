package dev.signalbox.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code disconnect --network x --reason "…" [--only-from web]}: disconnects every profile of a
 * network through the server's API and prints the answer; {@code --show ID} prints a campaign,
 * {@code --lift ID} lifts its reconnect restriction. Exit code 0 on success, 1 when the server
 * refused (its problem is printed), 2 when it could not be reached.
 */
@Command(name = "disconnect", mixinStandardHelpOptions = true,
        description = {"Disconnect every profile of a network: revoke each token at the provider, erase it here, hold posts, tell owners.",
                "Talks to --server (or SIGNALBOX_SERVER) with SIGNALBOX_TOKEN (an operator's API token)."})
class DisconnectCommand implements Callable<Integer> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Option(names = "--server", description = "Signalbox's base URL; default SIGNALBOX_SERVER or http://localhost:8080")
    String server = System.getenv().getOrDefault("SIGNALBOX_SERVER", "http://localhost:8080");

    @Option(names = "--token", description = "An operator's API token; default SIGNALBOX_TOKEN")
    String token = System.getenv("SIGNALBOX_TOKEN");

    @Option(names = "--network", description = "The network to disconnect, e.g. x")
    String network;

    @Option(names = "--reason", description = "Why, in words customers read on their profiles and in the email")
    String reason;

    @Option(names = "--only-from", split = ",", description = "Restrict reconnecting to these clients (web, mobile, api) until lifted")
    List<String> onlyFrom;

    @Option(names = "--keep-incident-channels", description = "Leave Signalbox's own incident channels on this network connected")
    boolean keepIncidentChannels;

    @Option(names = "--show", paramLabel = "ID", description = "Print a disconnection's reconnect campaign instead")
    String show;

    @Option(names = "--lift", paramLabel = "ID", description = "Lift a disconnection's reconnect restriction instead")
    String lift;

    @Override
    public Integer call() {
        if (token == null || token.isBlank()) {
            System.err.println("Set SIGNALBOX_TOKEN (or --token) to an operator's API token (POST /api/v1/auth/token).");
            return 1;
        }
        String base = server.replaceAll("/+$", "");
        HttpRequest.Builder request;
        if (show != null) {
            request = HttpRequest.newBuilder(URI.create(base + "/api/v1/disconnections/" + show)).GET();
        } else if (lift != null) {
            request = HttpRequest.newBuilder(URI.create(base + "/api/v1/disconnections/" + lift + "/restriction")).DELETE();
        } else {
            ObjectNode body = JSON.createObjectNode();
            body.put("network", network);
            body.put("reason", reason);
            if (onlyFrom != null) body.putArray("reconnectClients").addAll(onlyFrom.stream().map(JSON.getNodeFactory()::textNode).toList());
            if (keepIncidentChannels) body.put("keepIncidentChannels", true);
            request = HttpRequest.newBuilder(URI.create(base + "/api/v1/disconnections"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        request.header("Authorization", "Bearer " + token).header("X-Signalbox-Client", "api").timeout(Duration.ofMinutes(5));
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            boolean ok = response.statusCode() / 100 == 2;
            (ok ? System.out : System.err).println(pretty(response.body()));
            return ok ? 0 : 1;
        } catch (IOException e) {
            System.err.println("Could not reach " + base + ": " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        }
    }

    private static String pretty(String body) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(body));
        } catch (RuntimeException notJson) {
            return body;
        }
    }
}
