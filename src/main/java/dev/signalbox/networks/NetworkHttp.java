package dev.signalbox.networks;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The HTTP client every adapter shares (HTTP/1.1, no automatic redirects, bounded connect time)
 * and the longest any one request may wait for its answer.
 */
public record NetworkHttp(HttpClient client, Duration requestTimeout) {

    /** A client as the application builds it; tests use it with short timeouts. */
    public static NetworkHttp of(Duration connectTimeout, Duration requestTimeout) {
        return new NetworkHttp(HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build(), requestTimeout);
    }
}
