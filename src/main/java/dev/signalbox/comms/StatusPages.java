package dev.signalbox.comms;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The public status page, Atom feed and JSON: no login, no JavaScript, no database query per
 * request (see {@link StatusSnapshot}). They are served by a servlet filter ahead of every other
 * one — a crowd of readers costs a map lookup and a byte copy each, not a trip through security,
 * observation and MVC — with the same security headers the rest of the site sends. Answers 304 to
 * a matching If-None-Match (or, without one, an If-Modified-Since not older than the snapshot),
 * and lets caches keep a copy for 10 seconds. Other methods on these paths fall through to the
 * application (and get its usual answers).
 */
@Configuration(proxyBeanMethods = false)
class StatusPages {

    static final String PAGE = "/status";
    static final String FEED = "/status/feed.atom";
    static final String JSON = "/status.json";

    @Bean
    FilterRegistrationBean<Filter> statusPagesFilter(StatusSnapshot snapshot) {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(new Serve(snapshot));
        registration.addUrlPatterns(PAGE, FEED, JSON);
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
            StatusSnapshot.Snapshot s = snapshot.current();
            StatusSnapshot.Body body = switch (request.getRequestURI().substring(request.getContextPath().length())) {
                case FEED -> s.atom();
                case JSON -> s.json();
                default -> s.html();
            };
            HttpServletResponse response = (HttpServletResponse) res;
            response.setHeader("ETag", body.etag());
            response.setDateHeader("Last-Modified", s.lastModified().toEpochMilli());
            response.setHeader("Cache-Control", "public, max-age=10");
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setHeader("X-Frame-Options", "DENY");
            response.setHeader("Referrer-Policy", "no-referrer");
            if (notModified(request, body.etag(), s.lastModified())) {
                response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
                return;
            }
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(body.contentType());
            response.setContentLength(body.bytes().length);
            if (!head) response.getOutputStream().write(body.bytes());
        }
    }

    /** RFC 9110 §13.1: If-None-Match (weak comparison) decides when present; otherwise If-Modified-Since. */
    static boolean notModified(HttpServletRequest request, String etag, Instant lastModified) {
        String ifNoneMatch = request.getHeader("If-None-Match");
        if (ifNoneMatch != null) {
            return Arrays.stream(ifNoneMatch.split(",")).map(String::strip).map(t -> t.startsWith("W/") ? t.substring(2) : t)
                    .anyMatch(t -> t.equals("*") || t.equals(etag));
        }
        String ifModifiedSince = request.getHeader("If-Modified-Since");
        if (ifModifiedSince == null) return false;
        try {
            Instant since = ZonedDateTime.parse(ifModifiedSince, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return !lastModified.isAfter(since);
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
