package dev.signalbox.mail;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One node's sending rate, shared by all of its SMTP senders: each batch reserves the next free
 * slice of time for its messages and waits until that slice begins. 0 messages per second means
 * no limit. Wall-clock pacing (System.nanoTime), not domain time.
 */
final class SendRate {

    private final double perSecond;
    private long nextFreeNanos = System.nanoTime();

    SendRate(double perSecond) {
        this.perSecond = perSecond;
    }

    double perSecond() {
        return perSecond;
    }

    /** Blocks until {@code messages} may be sent without exceeding the rate. */
    void acquire(int messages) {
        if (perSecond <= 0) return;
        long start;
        synchronized (this) {
            long now = System.nanoTime();
            start = Math.max(now, nextFreeNanos);
            nextFreeNanos = start + (long) (messages * TimeUnit.SECONDS.toNanos(1) / perSecond);
        }
        long wait;
        while ((wait = start - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.currentThread().isInterrupted()) return;
        }
    }
}
