package dev.signalbox.bench;

import java.util.Set;

/**
 * What one benchmark run does, read from {@code -Dbench.*} system properties (the Maven profile
 * passes them through). Defaults are the sizes the issue asks for.
 */
record BenchSettings(String scenario, int posts, int profiles, int latencyMs, int rate, int seconds, int concurrency,
        String appXmx, boolean reference) {

    static final Set<String> SCENARIOS = Set.of("burst", "steady", "all", "halt", "mail");

    static BenchSettings fromSystemProperties() {
        BenchSettings settings = new BenchSettings(
                System.getProperty("bench.scenario", "all"),
                number("bench.posts", 100_000),
                number("bench.profiles", 1_000),
                number("bench.latencyMs", 50),
                number("bench.rate", 300),
                number("bench.seconds", 180),
                number("bench.concurrency", 256),
                System.getProperty("bench.appXmx", "512m"),
                Boolean.parseBoolean(System.getProperty("bench.reference", "true")));
        if (!SCENARIOS.contains(settings.scenario())) {
            throw new IllegalArgumentException("bench.scenario is '" + settings.scenario() + "'; use burst, steady, all, halt or mail");
        }
        if (settings.posts() < 1 || settings.profiles() < 1 || settings.rate() < 1 || settings.seconds() < 1) {
            throw new IllegalArgumentException("bench.posts, bench.profiles, bench.rate and bench.seconds must all be at least 1");
        }
        return settings;
    }

    boolean runsBurst() {
        return scenario.equals("burst") || scenario.equals("all");
    }

    boolean runsSteady() {
        return scenario.equals("steady") || scenario.equals("all");
    }

    /** How many halts the halt scenario places (bench.halts, default 30). */
    static int halts() {
        return number("bench.halts", 30);
    }

    /** A whole-number {@code -Dbench.*} property of one scenario, with its default. */
    static int property(String name, int fallback) {
        return number(name, fallback);
    }

    /** Posts in the unmeasured warm-up burst run through Signalbox and through db-scheduler before the measured ones (bench.warmupPosts). */
    int warmupPosts() {
        return number("bench.warmupPosts", 60_000);
    }

    int steadyPosts() {
        return rate * seconds;
    }

    private static int number(String name, int fallback) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) return fallback;
        try {
            return Integer.parseInt(value.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, is '" + value + "'");
        }
    }
}
