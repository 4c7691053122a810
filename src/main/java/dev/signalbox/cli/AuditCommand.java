package dev.signalbox.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code audit verify}: asks the server to walk the audit log's hash chain. */
@Command(name = "audit", description = "The audit log.", subcommands = AuditCommand.Verify.class)
class AuditCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check that no audit record was altered, inserted or deleted.",
                    "Exit status: 0 the chain is intact, 2 it is broken, 1 the server could not be asked."})
    static class Verify implements Callable<Integer> {

        @Mixin
        ServerClient server;

        @Override
        public Integer call() {
            ServerClient.Answer answer;
            try {
                answer = server.get("/api/v1/audit/verify");
            } catch (ServerClient.Unreachable e) {
                System.err.println(e.getMessage());
                return 1;
            }
            if (answer.status() != 200 || answer.json() == null) {
                System.err.println(ServerClient.refusal(answer));
                return 1;
            }
            long records = answer.json().get("records").asLong();
            if (answer.json().get("ok").asBoolean()) {
                System.out.println("Audit chain OK: " + records + " records");
                return 0;
            }
            System.out.println("Audit chain BROKEN at record " + answer.json().get("firstBadRecord").asLong() + ": "
                    + (answer.json().has("problem") ? answer.json().get("problem").asString() : "the record does not match the chain")
                    + " (" + records + " records before it are intact)");
            return 2;
        }
    }
}
