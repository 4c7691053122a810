package dev.signalbox.accounts;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser-like visitor of the dashboard for tests outside the web package: keeps cookies,
 * follows redirects and sends back the CSRF token of the last page read (as web's DashboardSession does).
 */
final class Browser {

    record Page(int status, String body, URI uri) {
        String find(String regex) {
            Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(body);
            if (!m.find()) throw new AssertionError("No match for " + regex + " on " + uri + ":\n" + body);
            return m.group(1);
        }
    }

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final String base;
    private String csrf;

    Browser(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    Page get(String path) {
        return remember(send(HttpRequest.newBuilder(URI.create(base + path)).GET()));
    }

    /** Submits a form of the last page read, with its CSRF token. Pairs are name, value, … */
    Page post(String path, String... pairs) {
        StringBuilder body = new StringBuilder("_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8));
        for (int i = 0; i < pairs.length; i += 2) {
            body.append('&').append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return remember(send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body.toString()))));
    }

    private Page remember(Page page) {
        Matcher m = CSRF.matcher(page.body());
        if (m.find()) csrf = m.group(1);
        return page;
    }

    private Page send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Page(response.statusCode(), response.body(), response.uri());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
