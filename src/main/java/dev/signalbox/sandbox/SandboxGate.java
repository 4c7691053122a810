package dev.signalbox.sandbox;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * In front of every {@code /sandbox/api/**} call: the configured latency, then Mastodon-style rate
 * limiting — {@code limit} requests per fixed window of {@code windowSeconds} (aligned to the
 * epoch) per account, or per remote address without a live token. Every limited response
 * carries X-RateLimit-Limit, -Remaining and -Reset (ISO-8601 end of the window); over the limit
 * the answer is 429 {@code {"error":"Too many requests"}}.
 *
 * <p>The counters live in this node's memory only: with several nodes each grants the full
 * limit, so an account may make up to nodes × limit calls per window.
 */
final class SandboxGate extends OncePerRequestFilter {

    /** Request attribute: the {@link Instant} the request arrived, before the simulated latency. */
    static final String RECEIVED_AT = SandboxGate.class.getName() + ".receivedAt";
    private static final int PRUNE_ABOVE = 10_000;

    private record Window(long startEpochSecond, int used) {}

    private final long latencyMs;
    private final int limit;
    private final long windowSeconds;
    private final Clock clock;
    private final SandboxAuth auth;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    SandboxGate(long latencyMs, int limit, long windowSeconds, Clock clock, SandboxAuth auth) {
        if (windowSeconds <= 0) throw new IllegalArgumentException("signalbox.sandbox.rate-window-seconds must be above 0, is " + windowSeconds);
        this.latencyMs = latencyMs;
        this.limit = limit;
        this.windowSeconds = windowSeconds;
        this.clock = clock;
        this.auth = auth;
    }

    static String bearer(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        request.setAttribute(RECEIVED_AT, clock.instant());
        if (latencyMs > 0) {
            try {
                Thread.sleep(latencyMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServletException("Interrupted during the simulated sandbox latency", e);
            }
        }
        if (limit > 0 && !admit(request, response)) {
            response.setStatus(429);
            response.setContentType("application/json");
            response.getWriter().write("{\"error\":\"Too many requests\"}");
            return;
        }
        chain.doFilter(request, response);
    }

    /** Counts the call against its window and sets the headers; false when it is over the limit. */
    private boolean admit(HttpServletRequest request, HttpServletResponse response) {
        String token = bearer(request);
        String caller = (token == null ? java.util.Optional.<Grant>empty() : auth.grant(token))
                .map(g -> "account:" + g.accountId())
                .orElseGet(() -> "address:" + request.getRemoteAddr());
        long now = clock.instant().getEpochSecond();
        long start = now - Math.floorMod(now, windowSeconds);
        if (windows.size() > PRUNE_ABOVE) windows.values().removeIf(w -> w.startEpochSecond() < start);
        Window window = windows.compute(caller, (key, current) -> current == null || current.startEpochSecond() != start
                ? new Window(start, 1) : new Window(start, current.used() + 1));
        response.setHeader("X-RateLimit-Limit", Integer.toString(limit));
        response.setHeader("X-RateLimit-Remaining", Integer.toString(Math.max(0, limit - window.used())));
        response.setHeader("X-RateLimit-Reset", Instant.ofEpochSecond(start + windowSeconds).toString());
        return window.used() <= limit;
    }
}
