package dev.signalbox.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code contain}: starts a containment on a running Signalbox (POST /api/v1/containments) and
 * prints its counts; {@code --wait} follows it with a progress line until it is finished.
 * Exit code 0 when accepted (and, with --wait, finished with nothing failed), 1 when the job
 * finished with failures, 2 when the server refused the request.
 */
@Command(name = "contain", mixinStandardHelpOptions = true,
        description = {"Hide, delete or restore published posts in bulk (operators with the responder role).",
                "Talks to --server or SIGNALBOX_SERVER with the token in SIGNALBOX_TOKEN."})
class ContainCommand implements Callable<Integer> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    CommandSpec spec;

    @Option(names = "--server", description = "Signalbox base URL (default: SIGNALBOX_SERVER, else http://localhost:8080)")
    String server;

    @Option(names = "--token", description = "API token (default: SIGNALBOX_TOKEN)")
    String token;

    @Option(names = "--action", required = true, description = "hide, delete or restore")
    String action;

    @Option(names = "--network", description = "only posts on this network")
    String network;

    @Option(names = "--from", description = "only posts published at or after this ISO-8601 time")
    String from;

    @Option(names = "--to", description = "only posts published before this ISO-8601 time")
    String to;

    @Option(names = "--workspace", description = "only posts of this workspace (repeatable)")
    List<String> workspaces = new ArrayList<>();

    @Option(names = "--profile", description = "only posts of this profile (repeatable)")
    List<String> profiles = new ArrayList<>();

    @Option(names = "--post", description = "only this post (repeatable)")
    List<String> posts = new ArrayList<>();

    @Option(names = "--flagged-only", description = "only posts the detector flagged (none until a detector exists)")
    boolean flaggedOnly;

    @Option(names = "--reason", required = true, description = "why; shown to the posts' owners and audit-logged")
    String reason;

    @Option(names = "--dry-run", description = "count what would happen; change nothing")
    boolean dryRun;

    @Option(names = "--wait", description = "follow the job with a progress line until it finishes")
    boolean await;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String base = server != null ? server : System.getenv().getOrDefault("SIGNALBOX_SERVER", "http://localhost:8080");
        String token = this.token != null ? this.token : System.getenv("SIGNALBOX_TOKEN");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", action);
        if (network != null) body.put("network", network);
        if (from != null) body.put("from", from);
        if (to != null) body.put("to", to);
        if (!workspaces.isEmpty()) body.put("workspaceIds", workspaces);
        if (!profiles.isEmpty()) body.put("profileIds", profiles);
        if (!posts.isEmpty()) body.put("postIds", posts);
        if (flaggedOnly) body.put("flaggedOnly", true);
        body.put("dryRun", dryRun);
        body.put("reason", reason);

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> answer = http.send(request(base + "/api/v1/containments", token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200 && answer.statusCode() != 202) {
            err.println("Refused (HTTP " + answer.statusCode() + "): " + problem(answer.body()));
            return 2;
        }
        JsonNode job = JSON.readTree(answer.body());
        out.println(summary(job));
        if (job.path("unsupportedReasons").isObject()) {
            job.get("unsupportedReasons").properties().forEach(e -> out.println("  cannot: " + e.getValue().asInt() + " × " + e.getKey()));
        }
        if (dryRun || !await) {
            if (!dryRun) out.println("Follow it: GET " + base + "/api/v1/containments/" + job.get("id").asString());
            return 0;
        }
        String id = job.get("id").asString();
        while (!"finished".equals(job.get("status").asString())) {
            Thread.sleep(1000);
            job = JSON.readTree(http.send(request(base + "/api/v1/containments/" + id, token).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            out.print("\r" + progress(job));
            out.flush();
        }
        out.println();
        out.println(summary(job));
        return job.get("failed").asInt() == 0 ? 0 : 1;
    }

    private static HttpRequest.Builder request(String url, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (token != null && !token.isBlank()) b.header("Authorization", "Bearer " + token);
        return b;
    }

    static String summary(JsonNode job) {
        String networks = job.path("byNetwork").isObject()
                ? String.join(", ", job.get("byNetwork").properties().stream().map(e -> e.getKey() + " " + e.getValue().asInt()).toList())
                : "";
        return (job.path("id").isNull() || job.path("id").isMissingNode() ? "Dry run" : "Containment " + job.get("id").asString())
                + " (" + job.get("action").asString() + ", " + job.get("status").asString() + "): total " + job.get("total").asInt()
                + " [" + networks + "], done " + job.get("done").asInt() + " (skipped " + job.get("skipped").asInt() + ")"
                + ", pending " + job.get("pending").asInt() + ", failed " + job.get("failed").asInt()
                + ", cannot " + job.get("unsupportedCount").asInt() + ", rate-limit waits " + job.get("rateLimitWaits").asLong();
    }

    static String progress(JsonNode job) {
        int total = job.get("total").asInt();
        int left = job.get("pending").asInt();
        int percent = total == 0 ? 100 : (int) ((total - left) * 100L / total);
        int bars = percent / 5;
        return "[" + "#".repeat(bars) + " ".repeat(20 - bars) + "] " + percent + "%  done " + job.get("done").asInt() + "/" + total
                + "  failed " + job.get("failed").asInt() + "  waits " + job.get("rateLimitWaits").asLong() + "   ";
    }

    private static String problem(String body) {
        try {
            JsonNode p = JSON.readTree(body);
            return p.path("detail").asString(body);
        } catch (RuntimeException e) {
            return body;
        }
    }

}
