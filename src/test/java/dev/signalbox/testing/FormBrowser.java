package dev.signalbox.testing;

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
 * A browser-like visitor of the dashboard over real HTTP: keeps cookies, follows redirects, and
 * sends forms with the CSRF token of the last page it read.
 */
public class FormBrowser {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final String base;
    private String csrf;

    public FormBrowser(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** Reads a page; {@code headers} are name, value, … */
    public HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (headers.length > 0) request.headers(headers);
        return remember(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    }

    /** Submits a form with the CSRF token of the last page read; {@code pairs} are name, value, … */
    public HttpResponse<String> post(String path, String... pairs) throws Exception {
        return remember(send(path, "_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8) + "&" + form(pairs)));
    }

    /** Submits a form as htmx does (with {@code HX-Request}); the answer is a fragment, so the page's token is kept. */
    public HttpResponse<String> postAsHtmx(String path, String... pairs) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded").header("HX-Request", "true")
                .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8) + "&" + form(pairs))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Submits a form without any CSRF token, as a forged cross-site request would. */
    public HttpResponse<String> postWithoutCsrf(String path, String... pairs) throws Exception {
        return send(path, form(pairs));
    }

    private HttpResponse<String> send(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String form(String... pairs) {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) form.append('&');
            form.append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return form.toString();
    }

    private HttpResponse<String> remember(HttpResponse<String> response) {
        Matcher m = CSRF.matcher(response.body());
        if (m.find()) csrf = m.group(1);
        return response;
    }
}
