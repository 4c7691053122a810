package dev.signalbox.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** The kill switch from a terminal: {@code halt}, {@code lift} and {@code status}, through the REST API. */
final class HaltCommands {

    private HaltCommands() {}

    abstract static class Remote implements Callable<Integer> {
        @Mixin
        ServerClient client;

        @Override
        public Integer call() {
            try {
                client.requireToken();
                return run(client);
            } catch (ServerClient.Failure f) {
                System.err.println(f.getMessage());
                return f.exitCode;
            } catch (ServerClient.Unreachable u) {
                System.err.println(u.getMessage());
                return 69;
            }
        }

        abstract int run(ServerClient client);
    }

    @Command(name = "halt", mixinStandardHelpOptions = true,
            description = "Stop all posting in a scope. Returns once nothing in the scope is in flight on any node.")
    static final class Halt extends Remote {
        @Option(names = "--scope", required = true, description = "global, network, workspace or profile")
        String scope;

        @Option(names = "--target", description = "the network name, workspace id or profile id (not for global)")
        String target;

        @Option(names = "--reason", required = true, description = "why; kept in the audit log")
        String reason;

        @Override
        int run(ServerClient client) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("scope", scope);
            if (target != null) body.put("target", target);
            body.put("reason", reason);
            long started = System.nanoTime();
            JsonNode halt = client.expect(client.post("/api/v1/halts", body), 201).json();
            System.out.printf("Halted %s%s: %s (%d ms)%n", scope, target == null ? "" : " " + target, halt.get("id").asString(),
                    (System.nanoTime() - started) / 1_000_000);
            System.out.println("Quiescent at " + halt.get("quiescentAt").asString() + "; nothing in this scope is in flight.");
            JsonNode inFlight = halt.get("inFlightAtHalt");
            System.out.println(inFlight.size() + " post(s) were in flight when the halt was placed" + (inFlight.isEmpty() ? "." : ":"));
            for (JsonNode p : inFlight) System.out.println("  " + p.get("postId").asString() + "  " + p.get("outcome").asString());
            System.out.println("Lift with: signalbox lift " + halt.get("id").asString() + " --reason \"…\"");
            return 0;
        }
    }

    @Command(name = "lift", mixinStandardHelpOptions = true, description = "Lift a halt; held posts then go out in order, once each.")
    static final class Lift extends Remote {
        @Parameters(index = "0", description = "the halt's id")
        String id;

        @Option(names = "--reason", required = true, description = "why posting may resume; kept in the audit log")
        String reason;

        @Override
        int run(ServerClient client) {
            String path = "/api/v1/halts/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8)
                    + "?reason=" + java.net.URLEncoder.encode(reason, java.nio.charset.StandardCharsets.UTF_8);
            JsonNode halt = client.expect(client.delete(path), 200).json();
            System.out.println("Lifted " + halt.get("id").asString() + " (" + halt.get("scope").asString()
                    + (halt.get("target").isNull() ? "" : " " + halt.get("target").asString()) + ").");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Active halts.")
    static final class Status extends Remote {
        @Override
        int run(ServerClient client) {
            JsonNode halts = client.expect(client.get("/api/v1/halts?active=true"), 200).json().get("halts");
            if (halts.isEmpty()) {
                System.out.println("Posting is running: no active halt.");
                return 0;
            }
            System.out.println(halts.size() + " active halt(s):");
            for (JsonNode h : halts) {
                System.out.printf("  %s  %s%s  since %s  by %s  — %s%n", h.get("id").asString(), h.get("scope").asString(),
                        h.get("target").isNull() ? "" : " " + h.get("target").asString(), h.get("createdAt").asString(),
                        h.get("createdBy").asString(), h.get("reason").asString());
            }
            return 0;
        }
    }
}
