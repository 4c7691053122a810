package dev.signalbox.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.accounts.TestTotp;
import dev.signalbox.testing.Api;
import dev.signalbox.testing.Node;
import dev.signalbox.testing.TestPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The halt control from the dashboard and from the command line, as operators and customers see them. */
class CommandPageTest {

    static final String ADMIN = "commander@example.com";
    static final String PASSWORD = "correct horse battery";
    static Node node;
    static String token;

    /** The first operator is provisioned with a TOTP secret, as automation would do; each 30-s code is accepted once. */
    @BeforeAll
    static void start() {
        node = Node.start(TestPostgres.freshDatabaseUrl(), Map.of("signalbox.admin.email", ADMIN, "signalbox.admin.password", PASSWORD,
                "signalbox.admin.totp-secret", TestTotp.SECRET));
        token = Api.at(node.port()).post("/api/v1/auth/token", "{\"email\":\"" + ADMIN + "\",\"password\":\"" + PASSWORD
                + "\",\"totp\":\"" + TestTotp.code(TestTotp.SECRET, 0) + "\"}").text("token");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void an_operator_halts_from_the_command_page_and_customers_see_the_banner() {
        DashboardSession customer = new DashboardSession(node.port());
        customer.signUp("Cleo", DashboardSession.unique("cleo") + "@example.com");
        String workspace = customer.post(WorkspacePages.CREATE, "name", "Cleo's shop").path().replace("/workspaces/", "");
        customer.get("/workspaces/" + workspace);
        customer.post("/workspaces/" + workspace + "/profiles", "network", "sandbox", "handle", DashboardSession.unique("cleo_"));
        assertThat(customer.get("/").body()).doesNotContain("Posting is paused");
        assertThat(customer.get(CommandPages.COMMAND).status()).isEqualTo(404);

        DashboardSession operator = new DashboardSession(node.port());
        operator.get(SignInPages.LOGIN);
        operator.post(SignInPages.LOGIN, "username", ADMIN, "password", PASSWORD, "totp", TestTotp.code(TestTotp.SECRET, 1));
        DashboardSession.Page command = operator.get(CommandPages.COMMAND);
        assertThat(command.body()).contains("Posting is running: no active halt.");

        DashboardSession.Page unconfirmed = operator.post(CommandPages.HALT, "scope", "global", "target", "", "reason", "spam going out");
        assertThat(unconfirmed.status()).isEqualTo(422);
        assertThat(unconfirmed.body()).contains("tick the box to confirm");
        assertThat(Api.at(node.port()).as(token()).get("/api/v1/halts?active=true").json().get("halts")).isEmpty();

        DashboardSession.Page halted = operator.post(CommandPages.HALT, "scope", "global", "target", "", "reason", "spam going out", "confirm", "true");
        assertThat(halted.status()).isEqualTo(200);
        assertThat(halted.body()).contains("Halted global", "nothing in this scope is in flight", "spam going out");
        assertThat(customer.get("/").body()).contains("Posting is paused by Signalbox while we handle an incident");

        String id = halted.find("action=\"/command/halts/([^/]+)/lift\"");
        DashboardSession.Page lifted = operator.post(CommandPages.lift(id), "reason", "contained");
        assertThat(lifted.body()).contains("Lifted the global halt", "Posting is running: no active halt.");
        assertThat(customer.get("/").body()).doesNotContain("Posting is paused");
    }

    @Test
    void the_command_line_halts_shows_status_and_lifts_through_the_api() throws Exception {
        String server = "http://127.0.0.1:" + node.port();
        String token = token();

        Run halt = cli(token, "halt", "--scope", "network", "--target", "sandbox", "--reason", "drill from the terminal", "--server", server);
        assertThat(halt.exit()).as(halt.output()).isZero();
        assertThat(halt.output()).contains("Halted network sandbox", "nothing in this scope is in flight", "post(s) were in flight");
        Matcher id = Pattern.compile("signalbox lift (\\S+)").matcher(halt.output());
        assertThat(id.find()).isTrue();

        Run status = cli(token, "status", "--server", server);
        assertThat(status.output()).contains("1 active halt(s):", "network sandbox", "drill from the terminal");

        Run lift = cli(token, "lift", id.group(1), "--reason", "drill over", "--server", server);
        assertThat(lift.exit()).as(lift.output()).isZero();
        assertThat(lift.output()).contains("Lifted " + id.group(1));
        Run again = cli(token, "lift", id.group(1), "--reason", "drill over", "--server", server);
        assertThat(again.exit()).isNotZero();
        assertThat(again.output()).contains("already lifted");

        Run badScope = cli(token, "halt", "--scope", "planet", "--reason", "x", "--server", server);
        assertThat(badScope.exit()).isNotZero();
        assertThat(badScope.output()).contains("'planet' is not a scope");
        Run noToken = cli(null, "status", "--server", server);
        assertThat(noToken.exit()).isEqualTo(64);
        assertThat(noToken.output()).contains("Set SIGNALBOX_TOKEN");
        Run noServer = cli(token, "status", "--server", "http://127.0.0.1:1");
        assertThat(noServer.exit()).isEqualTo(69);
        assertThat(noServer.output()).contains("Could not connect to http://127.0.0.1:1");
    }

    static String token() {
        return token;
    }

    record Run(int exit, String output) {}

    /** Runs `java -jar signalbox.jar ARGS` as the operator would: a separate process, the token in its environment. */
    static Run cli(String token, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), "dev.signalbox.Signalbox"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("SIGNALBOX_TOKEN");
        builder.environment().remove("SIGNALBOX_SERVER");
        if (token != null) builder.environment().put("SIGNALBOX_TOKEN", token);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), output);
    }
}
