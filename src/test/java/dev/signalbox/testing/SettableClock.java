package dev.signalbox.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that runs with real time from an offset the test can move forward, for schedules of hours
 * or days: {@link #advance} jumps ahead, and time keeps flowing from there. Thread-safe; share one
 * between nodes of a test cluster ({@link Node#start(String, java.util.Map, Clock)}) so they agree.
 */
public final class SettableClock extends Clock {

    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    public void advance(Duration by) {
        if (by.isNegative()) throw new IllegalArgumentException("time only moves forward here, not by " + by);
        offset.accumulateAndGet(by, Duration::plus);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("Signalbox keeps time in UTC");
    }
}
