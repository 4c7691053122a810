package dev.signalbox.sandbox;

import java.net.URI;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** The sandbox's public addresses, under {@code signalbox.base-url}. */
@Component
class SandboxLinks {

    static final String PROFILE_PAGE = "/sandbox/@{username}";
    static final String STATUS_PAGE = "/sandbox/@{username}/{id}";

    private final String baseUrl;

    SandboxLinks(@Value("${signalbox.base-url}") String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    String domain() {
        String host = URI.create(baseUrl).getHost();
        int port = URI.create(baseUrl).getPort();
        return port < 0 ? host : host + ":" + port;
    }

    String profile(String username) {
        return baseUrl + "/sandbox/@" + username;
    }

    String status(String username, long id) {
        return profile(username) + "/" + id;
    }

    String statusUri(String username, long id) {
        return baseUrl + "/sandbox/users/" + username + "/statuses/" + id;
    }
}
