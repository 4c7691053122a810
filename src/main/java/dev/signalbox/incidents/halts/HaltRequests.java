package dev.signalbox.incidents.halts;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * A request that places a halt is handled on a platform thread of its own, from its first filter on.
 *
 * <p>Requests run on virtual threads. Under full dispatch load a node has a call's virtual thread
 * runnable for every post in flight, and a request's virtual thread waits its turn behind them
 * each time it blocks: on its bearer token's lookup, its body, its connection from the pool, and
 * then for the whole placing of the halt (publishing.Halts#place runs on the caller's thread).
 * Measured on three nodes dispatching flat out, handling took up to 161 ms before the halt code
 * began, and publish calls kept starting meanwhile. A platform thread is scheduled by the operating
 * system as soon as what it waits for is there. Security, 2FA and every other filter run as for any
 * request, only on this thread; the request's own virtual thread waits for it.
 */
@Configuration(proxyBeanMethods = false)
class HaltRequests {

    @Bean
    FilterRegistrationBean<Filter> haltRequestsOnPlatformThreads() {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(new OnPlatformThread());
        registration.addUrlPatterns("/api/v1/halts", "/command/halts"); // the API and the Command page's form (web.CommandPages.HALT)
        registration.setName("haltRequestsOnPlatformThreads");
        // ahead of every filter that keeps state in its thread (security context, observations, request context)
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    /** Runs the rest of the chain for POSTs on a platform thread and waits for it; anything else passes on here. */
    static final class OnPlatformThread implements Filter {

        private final ExecutorService handlers =
                Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("halt-request-", 0).factory());

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            if (!Thread.currentThread().isVirtual() || !((HttpServletRequest) req).getMethod().equals("POST")) {
                chain.doFilter(req, res);
                return;
            }
            Future<Void> handled = handlers.submit(() -> {
                chain.doFilter(req, res);
                return null;
            });
            try {
                handled.get();
            } catch (InterruptedException e) {
                handled.cancel(true);
                Thread.currentThread().interrupt();
                throw new ServletException("interrupted while the halt request was handled (the halt may still be placed; see GET /api/v1/halts)", e);
            } catch (ExecutionException e) {
                switch (e.getCause()) {
                    case IOException io -> throw io;
                    case ServletException servlet -> throw servlet;
                    case RuntimeException runtime -> throw runtime;
                    case Error error -> throw error;
                    default -> throw new ServletException(e.getCause());
                }
            }
        }
    }
}
