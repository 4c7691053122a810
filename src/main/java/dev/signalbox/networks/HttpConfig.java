package dev.signalbox.networks;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one HTTP client all adapters share: HTTP/1.1, no automatic redirects, bounded waits. */
@Configuration(proxyBeanMethods = false)
class HttpConfig {

    @Bean
    NetworkHttp networkHttp(@Value("${signalbox.networks.connect-timeout:PT5S}") Duration connect,
            @Value("${signalbox.networks.request-timeout:PT20S}") Duration request) {
        return NetworkHttp.of(connect, request);
    }

    @Bean
    MastodonApi mastodonApi(NetworkHttp http) {
        return new MastodonApi(http.client(), http.requestTimeout());
    }
}
