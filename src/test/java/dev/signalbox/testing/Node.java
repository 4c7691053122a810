package dev.signalbox.testing;

import dev.signalbox.Signalbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One Signalbox node started in this JVM on its own port, as a production node would be:
 * several of them on one PostgreSQL form a cluster.
 */
public final class Node implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private Node(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static Node start(String databaseUrl, Map<String, String> settings) {
        return start(baseArguments(databaseUrl), settings);
    }

    /** A node whose time comes from {@code clock} (e.g. a {@link SettableClock} shared by the nodes of a test cluster). */
    public static Node start(String databaseUrl, Map<String, String> settings, Clock clock) {
        List<String> args = new ArrayList<>(baseArguments(databaseUrl));
        settings.forEach((k, v) -> args.add("--" + k + "=" + v));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(Signalbox.class)
                .initializers(c -> c.getBeanFactory().registerSingleton("clock", clock))
                .run(args.toArray(String[]::new));
        return new Node(context);
    }

    /** A node whose token vault uses a key file in its data folder (the embedded default), not a configured key. */
    public static Node startWithKeyFile(String databaseUrl, Map<String, String> settings) {
        List<String> args = baseArguments(databaseUrl).stream()
                .filter(a -> !a.startsWith("--signalbox.master-key=") && !(settings.containsKey("signalbox.data-dir") && a.startsWith("--signalbox.data-dir=")))
                .toList();
        return start(args, settings);
    }

    private static Node start(List<String> base, Map<String, String> settings) {
        List<String> args = new ArrayList<>(base);
        settings.forEach((k, v) -> args.add("--" + k + "=" + v));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(Signalbox.class)
                .run(args.toArray(String[]::new));
        return new Node(context);
    }

    /** The settings every node of a test cluster shares: the database and the master key. */
    public static List<String> baseArguments(String databaseUrl) {
        try {
            return List.of(
                    "--server.port=0",
                    "--signalbox.database.url=" + databaseUrl,
                    "--signalbox.database.user=postgres",
                    "--signalbox.database.pool-size=20",
                    "--signalbox.data-dir=" + Files.createTempDirectory("signalbox-node"),
                    "--signalbox.master-key=" + SignalboxTest.TEST_MASTER_KEY,
                    "--logging.level.root=WARN");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    public Api api() {
        return Api.at(port());
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** Publishes an application event on this node, as one of its own components would (e.g. a bounce report). */
    public void publish(Object event) {
        context.publishEvent(event);
    }

    @Override
    public void close() {
        context.close();
    }
}
