package dev.signalbox.networks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SafeUrlsTest {

    /** Resolves a few made-up names without DNS; literals resolve as usual. */
    static final Function<String, InetAddress[]> FAKE_DNS = host -> {
        Map<String, String> names = Map.of("evil.example", "10.0.0.1", "public.example", "93.184.215.14",
                "mixed.example", "93.184.215.14,192.168.1.10");
        try {
            if (names.containsKey(host)) {
                String[] ips = names.get(host).split(",");
                InetAddress[] out = new InetAddress[ips.length];
                for (int i = 0; i < ips.length; i++) out[i] = InetAddress.getByName(ips[i]);
                return out;
            }
            if (host.endsWith(".example")) throw new UnknownHostException(host);
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
    };

    final SafeUrls strict = new SafeUrls(false, FAKE_DNS);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "https://10.0.0.5|10.0.0.5, private network 10.0.0.0/8",
            "https://172.20.1.1|private network 172.16.0.0/12",
            "https://192.168.0.1|private network 192.168.0.0/16",
            "https://127.0.0.1:8443|loopback",
            "https://localhost|loopback",
            "https://169.254.169.254/latest/meta-data|169.254.169.254, link-local 169.254.0.0/16, where cloud metadata services live",
            "https://[::1]|loopback",
            "https://[fe80::1]|link-local fe80::/10",
            "https://[fd12:3456::1]|unique-local fc00::/7",
            "https://[::ffff:10.0.0.1]|10.0.0.1",
            "https://100.64.0.1|carrier-grade NAT 100.64.0.0/10",
            "https://0.0.0.0|0.0.0.0",
            "https://evil.example|10.0.0.1, private network 10.0.0.0/8",
            "https://mixed.example|192.168.1.10"})
    void private_loopback_and_metadata_addresses_are_refused_naming_the_field_and_the_rule(String url, String rule) {
        assertThatThrownBy(() -> strict.check("instance", url))
                .isInstanceOfSatisfying(ConnectFailure.class, f -> {
                    assertThat(f.field()).isEqualTo("instance");
                    assertThat(f.getMessage()).contains("names a private or loopback address").contains(rule)
                            .contains("Signalbox only connects to public servers");
                });
    }

    @Test
    void a_public_https_address_passes() {
        assertThat(strict.check("pds", "https://public.example/xrpc")).isEqualTo(URI.create("https://public.example/xrpc"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://public.example|must start with https://",
            "ftp://public.example|must start with https://",
            "https://user:pw@public.example|must not contain a user name or password",
            "https://nowhere.example|could not be found (DNS)",
            "https:///path|names no host",
            "not a url|is not a valid URL"})
    void plain_http_user_info_and_unknown_hosts_are_refused(String url, String message) {
        assertThatThrownBy(() -> strict.check("pds", url))
                .isInstanceOfSatisfying(ConnectFailure.class, f -> {
                    assertThat(f.field()).isEqualTo("pds");
                    assertThat(f.getMessage()).contains(message).doesNotContain("pw");
                });
    }

    @Test
    void the_operator_switch_lets_loopback_and_plain_http_through() {
        SafeUrls open = new SafeUrls(true, FAKE_DNS);
        assertThat(open.check("instance", "http://127.0.0.1:8080").getPort()).isEqualTo(8080);
        assertThat(open.check("instance", "https://evil.example").getHost()).isEqualTo("evil.example");
        assertThatThrownBy(() -> open.check("instance", "ftp://127.0.0.1")).isInstanceOf(ConnectFailure.class);
    }

    @Test
    void a_redirect_to_a_private_address_is_refused_before_it_is_followed() throws Exception {
        WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort());
        server.start();
        try {
            server.stubFor(get("/api/v2/instance").willReturn(aResponse().withStatus(302)
                    .withHeader("Location", "https://169.254.169.254/latest/meta-data")));
            // The first hop is the caller's, already checked; only the Location is judged here.
            SafeUrls guard = new SafeUrls(false, FAKE_DNS);
            NetworkHttp http = NetworkHttp.of(Duration.ofSeconds(2), Duration.ofSeconds(2));
            HttpRequest first = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v2/instance")).GET().build();
            assertThatThrownBy(() -> guard.follow("instance", first,
                    r -> http.client().send(r, HttpResponse.BodyHandlers.ofString())))
                    .isInstanceOfSatisfying(ConnectFailure.class, f -> {
                        assertThat(f.field()).isEqualTo("instance");
                        assertThat(f.getMessage()).contains("169.254.169.254").contains("names a private or loopback address");
                    });
            assertThat(server.getAllServeEvents()).hasSize(1);
        } finally {
            server.stop();
        }
    }

    @Test
    void redirects_to_accepted_addresses_are_followed_at_most_three_times() throws Exception {
        WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort());
        server.start();
        try {
            SafeUrls open = new SafeUrls(true, FAKE_DNS);
            NetworkHttp http = NetworkHttp.of(Duration.ofSeconds(2), Duration.ofSeconds(2));
            server.stubFor(get("/a").willReturn(aResponse().withStatus(301).withHeader("Location", "/b")));
            server.stubFor(get("/b").willReturn(aResponse().withStatus(200).withBody("here")));
            server.stubFor(get("/loop").willReturn(aResponse().withStatus(302).withHeader("Location", "/loop")));
            SafeUrls.Hop hop = r -> http.client().send(r, HttpResponse.BodyHandlers.ofString());

            assertThat(open.follow("instance", HttpRequest.newBuilder(URI.create(server.baseUrl() + "/a")).build(), hop).body())
                    .isEqualTo("here");
            assertThatThrownBy(() -> open.follow("instance", HttpRequest.newBuilder(URI.create(server.baseUrl() + "/loop")).build(), hop))
                    .isInstanceOfSatisfying(ConnectFailure.class, f -> assertThat(f.getMessage()).contains("more than 3 times"));
        } finally {
            server.stop();
        }
    }
}
