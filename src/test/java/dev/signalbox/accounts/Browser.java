package dev.signalbox.accounts;

import dev.signalbox.testing.FormBrowser;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The accounts tests' view of a {@link FormBrowser}: pages as records with a {@link Page#find}
 * helper, and no checked exceptions.
 */
final class Browser {

    record Page(int status, String body, URI uri) {
        String find(String regex) {
            Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(body);
            if (!m.find()) throw new AssertionError("No match for " + regex + " on " + uri + ":\n" + body);
            return m.group(1);
        }
    }

    private final FormBrowser browser;

    Browser(int port) {
        this.browser = new FormBrowser(port);
    }

    Page get(String path) {
        return page(() -> browser.get(path));
    }

    /** Submits a form of the last page read, with its CSRF token. Pairs are name, value, … */
    Page post(String path, String... pairs) {
        return page(() -> browser.post(path, pairs));
    }

    private static Page page(Callable<HttpResponse<String>> request) {
        try {
            HttpResponse<String> response = request.call();
            return new Page(response.statusCode(), response.body(), response.uri());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
