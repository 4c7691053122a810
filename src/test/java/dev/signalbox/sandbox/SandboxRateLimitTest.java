package dev.signalbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.sandbox.SandboxClient.Answer;
import java.net.http.HttpHeaders;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

@TestPropertySource(properties = {"signalbox.sandbox.rate-limit=3", "signalbox.sandbox.rate-window-seconds=3600"})
class SandboxRateLimitTest extends SandboxHttpTest {

    @LocalServerPort
    int port;

    @Test
    void the_fourth_call_in_a_window_of_three_is_refused_with_the_rate_limit_headers() {
        SandboxClient client = new SandboxClient(port);
        String token = client.connect(client.registerApp("Busy app"), SandboxClient.uniqueHandle("busy"));

        for (int call = 1; call <= 3; call++) {
            Answer ok = client.get("/sandbox/api/v1/accounts/verify_credentials", token);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.response().headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(3 - call));
        }
        Answer refused = client.get("/sandbox/api/v1/accounts/verify_credentials", token);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().get("error").asString()).isEqualTo("Too many requests");
        HttpHeaders headers = refused.response().headers();
        assertThat(headers.firstValue("X-RateLimit-Limit")).hasValue("3");
        assertThat(headers.firstValue("X-RateLimit-Remaining")).hasValue("0");
        Instant reset = Instant.parse(headers.firstValue("X-RateLimit-Reset").orElseThrow());
        assertThat(reset).isAfter(Instant.now()).isBefore(Instant.now().plusSeconds(3601));
    }
}
