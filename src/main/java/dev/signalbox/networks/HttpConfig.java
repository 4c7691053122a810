package dev.signalbox.networks;

import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one HTTP client all adapters share: HTTP/1.1, no automatic redirects, bounded waits. */
@Configuration(proxyBeanMethods = false)
class HttpConfig {

    @Bean
    MastodonApi mastodonApi(@Value("${signalbox.networks.connect-timeout:PT5S}") Duration connect,
            @Value("${signalbox.networks.request-timeout:PT20S}") Duration request) {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connect)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        return new MastodonApi(http, request);
    }
}
