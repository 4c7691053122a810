package dev.signalbox.sandbox;

import dev.signalbox.platform.BaseUrl;
import java.net.URI;
import org.springframework.stereotype.Component;

/** The sandbox's public addresses, under this Signalbox's base URL. */
@Component
class SandboxLinks {

    static final String PROFILE_PAGE = "/sandbox/@{username}";
    static final String STATUS_PAGE = "/sandbox/@{username}/{id}";

    private final BaseUrl baseUrl;

    SandboxLinks(BaseUrl baseUrl) {
        this.baseUrl = baseUrl;
    }

    String domain() {
        String host = URI.create(baseUrl.get()).getHost();
        int port = URI.create(baseUrl.get()).getPort();
        return port < 0 ? host : host + ":" + port;
    }

    String profile(String username) {
        return baseUrl.get() + "/sandbox/@" + username;
    }

    String status(String username, long id) {
        return profile(username) + "/" + id;
    }

    String statusUri(String username, long id) {
        return baseUrl.get() + "/sandbox/users/" + username + "/statuses/" + id;
    }
}
