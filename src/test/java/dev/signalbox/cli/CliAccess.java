package dev.signalbox.cli;

/** Lets tests run the command line in-process, as `java -jar signalbox.jar …` would. */
public final class CliAccess {

    private CliAccess() {}

    public static int run(String... args) {
        return Cli.run(args);
    }
}
