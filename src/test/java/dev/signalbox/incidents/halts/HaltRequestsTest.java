package dev.signalbox.incidents.halts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ServletException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * A halt request, arriving on a virtual thread like every request, is handled on a platform thread
 * (see {@link HaltRequests}); what the handler writes or throws reaches the caller unchanged.
 */
class HaltRequestsTest {

    private final HaltRequests.OnPlatformThread filter = new HaltRequests.OnPlatformThread();

    @Test
    void a_halt_posted_on_a_virtual_thread_is_handled_on_a_platform_thread_and_answered_as_the_handler_wrote() throws Exception {
        AtomicReference<Thread> handledOn = new AtomicReference<>();
        MockHttpServletResponse response = new MockHttpServletResponse();
        onVirtualThread(() -> filter.doFilter(new MockHttpServletRequest("POST", "/api/v1/halts"), response, (req, res) -> {
            handledOn.set(Thread.currentThread());
            ((MockHttpServletResponse) res).setStatus(201);
            res.getWriter().write("{\"id\":\"hlt_1\"}");
        }));
        assertThat(handledOn.get().isVirtual()).as("the halt's handler ran on a virtual thread").isFalse();
        assertThat(response.getStatus()).isEqualTo(201);
        assertThat(response.getContentAsString()).isEqualTo("{\"id\":\"hlt_1\"}");
    }

    @Test
    void what_the_handler_throws_reaches_the_container_as_it_was_thrown() {
        ServletException refused = new ServletException("refused");
        assertThatThrownBy(() -> onVirtualThread(() -> filter.doFilter(new MockHttpServletRequest("POST", "/command/halts"),
                new MockHttpServletResponse(), (req, res) -> {
                    throw refused;
                }))).isSameAs(refused);
        IllegalStateException broken = new IllegalStateException("broken");
        assertThatThrownBy(() -> onVirtualThread(() -> filter.doFilter(new MockHttpServletRequest("POST", "/api/v1/halts"),
                new MockHttpServletResponse(), (req, res) -> {
                    throw broken;
                }))).isSameAs(broken);
    }

    @Test
    void reading_the_halts_stays_on_the_requests_own_thread() throws Exception {
        AtomicReference<Thread> handledOn = new AtomicReference<>();
        AtomicReference<Thread> requestThread = new AtomicReference<>();
        onVirtualThread(() -> {
            requestThread.set(Thread.currentThread());
            filter.doFilter(new MockHttpServletRequest("GET", "/api/v1/halts"), new MockHttpServletResponse(),
                    (req, res) -> handledOn.set(Thread.currentThread()));
        });
        assertThat(handledOn.get()).isSameAs(requestThread.get());
    }

    interface Work {
        void run() throws Exception;
    }

    /** Runs the work on a virtual thread, as Tomcat runs a request, and rethrows what it threw. */
    private static void onVirtualThread(Work work) throws Exception {
        AtomicReference<Exception> thrown = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                work.run();
            } catch (Exception e) {
                thrown.set(e);
            }
        }).join();
        if (thrown.get() != null) throw thrown.get();
    }
}
