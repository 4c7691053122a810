package dev.signalbox.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The Signalbox app as a separate JVM, started from this harness's own class path with a heap
 * limit and a GC log. It both publishes and, because the sandbox network is served by the app
 * itself, receives: the realistic one-box case.
 */
final class SignalboxProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path gcLog;
    private final Path output;

    private SignalboxProcess(Process process, int port, Path gcLog, Path output) {
        this.process = process;
        this.port = port;
        this.gcLog = gcLog;
        this.output = output;
    }

    static SignalboxProcess start(BenchSettings settings, String databaseUrl, Path workDir) throws IOException {
        return start(settings, databaseUrl, workDir, randomKey(), List.of());
    }

    /**
     * One node of a cluster: every node of a cluster shares {@code masterKey}; {@code extra} are more
     * Spring-style settings (e.g. {@code --signalbox.sandbox.url=…}).
     */
    static SignalboxProcess start(BenchSettings settings, String databaseUrl, Path workDir, String masterKey, List<String> extra)
            throws IOException {
        Files.createDirectories(workDir);
        int port = freePort();
        Path gcLog = workDir.resolve("signalbox-gc.log");
        Path output = workDir.resolve("signalbox.log");
        Path dataDir = Files.createDirectories(workDir.resolve("data"));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        // bench.networkNice: run the network's own JVM (the one with dispatch off) at a lower CPU priority
        if (extra.contains("--signalbox.dispatch.enabled=false") && Integer.getInteger("bench.networkNice", 0) != 0) {
            command.addAll(List.of("nice", "-n", String.valueOf(Integer.getInteger("bench.networkNice"))));
        }
        command.addAll(List.of(java,
                "-Xmx" + settings.appXmx(),
                "-Xlog:gc:file=" + gcLog + ":utctime"));
        // bench.appJvmArgs: extra JVM options for the app, e.g. a JFR recording for profiling.
        String jvmArgs = System.getProperty("bench.appJvmArgs", "").trim();
        if (!jvmArgs.isEmpty()) {
            for (String arg : jvmArgs.split("\\s+")) command.add(arg.replace("{dir}", workDir.toString()));
        }
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"),
                "dev.signalbox.Signalbox",
                "--server.port=" + port,
                "--signalbox.database.url=" + databaseUrl,
                "--signalbox.database.user=postgres",
                "--signalbox.data-dir=" + dataDir,
                "--signalbox.master-key=" + masterKey,
                "--signalbox.sandbox.latency-ms=" + settings.latencyMs(),
                "--signalbox.dispatch.concurrency=" + settings.concurrency()));
        command.addAll(extra);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        // Ctrl-C on the harness must not leave the app running.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        SignalboxProcess app = new SignalboxProcess(process, port, gcLog, output);
        app.awaitHealthy(Duration.ofMinutes(3));
        return app;
    }

    int port() {
        return port;
    }

    /** The lines of this JVM's output that contain {@code text}, e.g. a halt's step timings by its id. */
    List<String> logLines(String text) throws IOException {
        try (var lines = Files.lines(output)) {
            return lines.filter(line -> line.contains(text)).toList();
        }
    }

    long pid() {
        return process.pid();
    }

    String sandboxUrl() {
        return "http://127.0.0.1:" + port + "/sandbox";
    }

    /** Heap figures from the GC log, for collections that began within [from, to]. */
    HeapUse heapBetween(Instant from, Instant to) throws IOException {
        return HeapUse.fromGcLog(Files.readAllLines(gcLog), from, to);
    }

    private void awaitHealthy(Duration within) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Signalbox exited with code " + process.exitValue() + " while starting; see " + output);
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains("UP")) return;
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for Signalbox to start", e);
            }
            sleep(250);
        }
        throw new IllegalStateException("Signalbox did not answer /actuator/health UP within " + within.toSeconds() + " s; see " + output);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
