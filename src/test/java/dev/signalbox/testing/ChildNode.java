package dev.signalbox.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Signalbox node in its own JVM process, so a test can kill it the way a machine dies:
 * SIGKILL, no shutdown hooks, calls cut off mid-flight.
 */
public final class ChildNode {

    private final Process process;
    private final Path log;

    private ChildNode(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ChildNode start(String databaseUrl, Map<String, String> settings) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.signalbox.Signalbox");
        command.addAll(Node.baseArguments(databaseUrl));
        settings.forEach((k, v) -> command.add("--" + k + "=" + v));
        try {
            Path log = Files.createTempFile("signalbox-child", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new ChildNode(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the process at once, as a power cut would (SIGKILL), and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    static String pathSeparator() {
        return File.pathSeparator;
    }
}
