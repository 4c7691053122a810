package dev.signalbox.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.platform.PgNotifications;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Holds the thread that reads a node's notifications, as a GC pause or a thread waiting for a core
 * would: notifications sent meanwhile reach the node but are not read.
 */
public final class NotificationStall {

    private NotificationStall() {}

    /**
     * Holds {@code notifications}' reading thread from a listener of {@code channel} (one the node already
     * listens on), for up to 10 s or until the returned latch is counted down. Returns once the thread is
     * held and has not read for longer than a node trusts a read (60 ms).
     */
    public static CountDownLatch hold(PgNotifications notifications, JdbcClient db, String channel) {
        String stall = "test-stall-" + UUID.randomUUID();
        CountDownLatch resume = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(1);
        notifications.listen(channel, payload -> {
            if (!payload.equals(stall)) return;
            held.countDown();
            try {
                resume.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        db.sql("select pg_notify(:channel, :payload)").param("channel", channel).param("payload", stall).query((rs, n) -> 1).single();
        try {
            assertThat(held.await(5, TimeUnit.SECONDS)).as("the notification thread is held").isTrue();
            Thread.sleep(150);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return resume;
    }
}
