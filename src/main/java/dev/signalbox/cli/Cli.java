package dev.signalbox.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of `java -jar signalbox.jar COMMAND`. With no command the jar serves instead. */
@Command(name = "signalbox", mixinStandardHelpOptions = true, version = "Signalbox 0.1",
        description = "Signalbox operator commands. Run with no arguments to start the server.",
        subcommands = {HaltCommands.Halt.class, HaltCommands.Lift.class, HaltCommands.Status.class, ContainCommand.class,
                DisconnectCommand.class, AuditCommand.class, KeysCommand.class, CommandLine.HelpCommand.class})
public final class Cli {

    private Cli() {}

    /** True when the arguments name a command rather than server options like {@code --server.port=9090}. */
    public static boolean isCommand(String[] args) {
        if (args.length == 0) return false;
        return !args[0].startsWith("--") || args[0].equals("--help") || args[0].equals("--version");
    }

    public static int run(String[] args) {
        return new CommandLine(new Cli()).execute(args);
    }
}
