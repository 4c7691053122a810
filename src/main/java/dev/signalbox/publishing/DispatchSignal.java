package dev.signalbox.publishing;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.stereotype.Component;

/** Wakes this node's dispatcher early: new work arrived, or capacity came free. */
@Component
class DispatchSignal {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean pending;

    void postsChanged() {
        lock.lock();
        try {
            pending = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code millis} for a signal; returns at once if one came since the last wait. */
    void await(long millis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
            while (!pending && nanos > 0) nanos = changed.awaitNanos(nanos);
            pending = false;
        } finally {
            lock.unlock();
        }
    }
}
