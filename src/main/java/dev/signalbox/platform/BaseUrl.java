package dev.signalbox.platform;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The public address of this Signalbox, for links in pages, emails and OAuth callbacks:
 * {@code SIGNALBOX_BASE_URL}, or — when unset — this node on localhost at the port it actually
 * listens on (so a node started on a random port still links to itself).
 */
@Component
public class BaseUrl {

    private final String configured;
    private final Environment environment;

    BaseUrl(@Value("${signalbox.base-url:}") String configured, Environment environment) {
        this.configured = configured.replaceAll("/+$", "");
        this.environment = environment;
    }

    /** Without a trailing slash, e.g. {@code https://signalbox.example.com}. */
    public String get() {
        if (!configured.isBlank()) return configured;
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        return "http://localhost:" + port;
    }
}
