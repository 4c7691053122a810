package dev.signalbox.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.Api;
import dev.signalbox.testing.SignalboxTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * With the default configuration (private addresses refused), user-supplied instance and PDS
 * URLs that point inside the operator's network are refused by name, before any request is sent,
 * and nothing is stored.
 */
class ConnectRefusalsTest extends SignalboxTest {

    @LocalServerPort
    int port;

    @Test
    void instances_on_private_loopback_or_metadata_addresses_are_refused_naming_the_field() {
        Api owner = Api.at(port).newCustomer("Sam");
        String workspace = owner.createWorkspace("SSRF");
        for (String instance : new String[] {"https://127.0.0.1", "https://10.1.2.3", "https://169.254.169.254", "https://[::1]",
                "https://localhost:" + port}) {
            refused(owner.post("/api/v1/workspaces/" + workspace + "/profiles",
                    "{\"network\":\"mastodon\",\"instance\":\"" + instance + "\",\"accessToken\":\"t0ken-that-is-long-enough\"}"), "instance");
        }
        refused(owner.post("/api/v1/workspaces/" + workspace + "/profiles",
                "{\"network\":\"mastodon\",\"instance\":\"http://mastodon.example\",\"accessToken\":\"t0ken\"}"), "instance");
        refused(owner.post("/api/v1/workspaces/" + workspace + "/profiles",
                "{\"network\":\"mastodon\",\"instance\":\"not a url at all\",\"accessToken\":\"t0ken\"}"), "instance");
        refused(owner.post("/api/v1/workspaces/" + workspace + "/profiles",
                "{\"network\":\"bluesky\",\"pds\":\"https://192.168.0.10\",\"handle\":\"a.bsky.social\",\"appPassword\":\"abcd-efgh-ijkl-mnop\"}"), "pds");
        assertThat(owner.get("/api/v1/workspaces/" + workspace + "/profiles").json()).isEmpty();
    }

    @Test
    void browser_networks_say_where_to_connect_instead() {
        Api owner = Api.at(port).newCustomer("Sam");
        String workspace = owner.createWorkspace("Browser");
        Api.Answer answer = owner.post("/api/v1/workspaces/" + workspace + "/profiles", "{\"network\":\"x\",\"handle\":\"acme\"}");
        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.body()).contains("/connect/x?workspace=" + workspace);
    }

    static void refused(Api.Answer answer, String field) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(422);
        JsonNode error = answer.json().get("errors").get(0);
        assertThat(error.get("field").asString()).isEqualTo(field);
        assertThat(error.get("message").asString()).isNotBlank();
    }
}
