package dev.signalbox.web;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One browser-like visitor of the dashboard over real HTTP: keeps cookies, follows redirects and
 * sends back the CSRF token of the last page it read, as a browser submitting that page's form would.
 */
final class DashboardSession {

    record Page(int status, String body, URI uri) {

        String path() {
            return uri.getPath();
        }

        /** The first capture group of {@code regex} in the body, or an assertion failure naming what was missing. */
        String find(String regex) {
            Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(body);
            if (!m.find()) throw new AssertionError("No match for " + regex + " on " + uri + ":\n" + body);
            return m.group(1);
        }

        /** Like {@link #find} but with HTML entities turned back into the characters a reader sees. */
        String text(String regex) {
            return find(regex).replace("&#39;", "'").replace("&#34;", "\"").replace("&quot;", "\"")
                    .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        }
    }

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    private final String base;
    private String csrf;

    DashboardSession(int port) {
        this("http://127.0.0.1:" + port);
    }

    /** A visitor of {@code base}, e.g. {@code http://localhost:8080}: cookies belong to that host name only. */
    DashboardSession(String base) {
        this.base = base;
    }

    Page get(String path) {
        return remember(send(HttpRequest.newBuilder(URI.create(base + path)).GET()));
    }

    /** Submits a form from the last page read, with its CSRF token. Pairs are name, value, name, value … */
    Page post(String path, String... pairs) {
        if (csrf == null) throw new IllegalStateException("Read a page with a form before posting to " + path);
        List<String> all = new ArrayList<>(List.of(pairs));
        all.add("_csrf");
        all.add(csrf);
        return postRaw(path, all.toArray(String[]::new));
    }

    /** Submits a form exactly as given: no CSRF token unless the pairs carry one. */
    Page postRaw(String path, String... pairs) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (!body.isEmpty()) body.append('&');
            body.append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return remember(send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))));
    }

    /** Signs up a fresh customer and lands on the home page. */
    Page signUp(String name, String email) {
        get(SignInPages.SIGNUP);
        return post(SignInPages.SIGNUP, "name", name, "email", email, "password", "correct horse battery");
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

    static String unique(String prefix) {
        return prefix + Long.toString(System.nanoTime(), 36) + (int) (Math.random() * 1000);
    }
}
