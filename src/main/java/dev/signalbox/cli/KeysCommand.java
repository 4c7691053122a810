package dev.signalbox.cli;

import dev.signalbox.Signalbox;
import dev.signalbox.audit.AuditLog;
import dev.signalbox.vault.KeyRotation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.support.TransactionTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code keys rotate}: re-seals every stored secret under a new master key. Runs locally against
 * the database the configuration names (SIGNALBOX_DATABASE_URL, or the embedded one in
 * SIGNALBOX_DATA_DIR — then Signalbox itself must be stopped, since the embedded database
 * belongs to one process).
 */
@Command(name = "keys", description = "Token vault keys.", subcommands = KeysCommand.Rotate.class)
class KeysCommand {

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Re-seal every secret under a new master key.",
                    "Key file (default): a new key is generated in the data folder; the old one is kept until every secret is re-sealed.",
                    "SIGNALBOX_MASTER_KEY: set it to the new key and SIGNALBOX_OLD_MASTER_KEYS to the old one on every node first, then run this."})
    static class Rotate implements Callable<Integer> {

        /** Spring-style settings, e.g. {@code --signalbox.data-dir=/srv/signalbox}; environment variables work too. */
        @Unmatched
        List<String> settings = new ArrayList<>();

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>(settings);
            args.add("--signalbox.dispatch.enabled=false");
            args.add("--spring.main.banner-mode=off");
            args.add("--logging.level.root=WARN");
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Signalbox.class)
                    .web(WebApplicationType.NONE).run(args.toArray(String[]::new))) {
                KeyRotation.Result result = context.getBean(KeyRotation.class).rotate(System.out::println);
                AuditLog audit = context.getBean(AuditLog.class);
                context.getBean(TransactionTemplate.class).executeWithoutResult(tx -> audit.record(
                        new AuditLog.Actor(null, "cli:" + System.getProperty("user.name", "unknown"), host()), "keys.rotate", "vault",
                        result.keyId(), null, java.util.Map.of("resealed", result.resealed())));
                System.out.println("Done: " + result.resealed() + " secrets re-sealed under key " + result.keyId() + ".");
                return 0;
            } catch (RuntimeException e) {
                System.err.println("Key rotation stopped: " + rootMessage(e));
                System.err.println("Nothing is lost: every secret still opens with the keys kept; run the command again.");
                return 1;
            }
        }

        private static String host() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return "local";
            }
        }

        private static String rootMessage(Throwable e) {
            Throwable t = e;
            while (t.getCause() != null) t = t.getCause();
            return t.getMessage();
        }
    }
}
