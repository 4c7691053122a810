package dev.signalbox.comms;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The crowd's way to the status page: a servlet filter ahead of every other one serves the
 * snapshot's bytes for the page, the Atom feed and the JSON — a reader costs a map lookup and a
 * byte copy, not a trip through security, observation and MVC — with the security headers the
 * rest of the site sends. A page request that carries a session goes on to {@link StatusPages}
 * (a signed-in customer sees comment forms); other methods fall through to the application.
 */
@Configuration(proxyBeanMethods = false)
class StatusFastPath {

    @Bean
    FilterRegistrationBean<Filter> statusPagesFilter(StatusSnapshot snapshot) {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(new Serve(snapshot));
        registration.addUrlPatterns(StatusPages.PAGE, StatusPages.FEED, StatusPages.JSON);
        registration.setName("statusPages");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /** Writes the snapshot's bytes for GET and HEAD; passes anything else on. */
    static final class Serve implements Filter {

        private final StatusSnapshot snapshot;

        Serve(StatusSnapshot snapshot) {
            this.snapshot = snapshot;
        }

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            String method = request.getMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                chain.doFilter(req, res);
                return;
            }
            String path = request.getRequestURI().substring(request.getContextPath().length());
            if (path.equals(StatusPages.PAGE) && request.getRequestedSessionId() != null) {
                chain.doFilter(req, res); // maybe signed in: the page may carry forms for this reader
                return;
            }
            StatusSnapshot.Snapshot s = snapshot.current();
            StatusSnapshot.Body body = switch (path) {
                case StatusPages.FEED -> s.atom();
                case StatusPages.JSON -> s.json();
                default -> s.html();
            };
            HttpServletResponse response = (HttpServletResponse) res;
            response.setHeader("ETag", body.etag());
            response.setDateHeader("Last-Modified", s.lastModified().toEpochMilli());
            response.setHeader("Cache-Control", "public, max-age=10");
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setHeader("X-Frame-Options", "DENY");
            response.setHeader("Referrer-Policy", "no-referrer");
            if (StatusPages.notModified(request, body.etag(), s.lastModified())) {
                response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
                return;
            }
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(body.contentType());
            response.setContentLength(body.bytes().length);
            if (!head) response.getOutputStream().write(body.bytes());
        }
    }
}
