package io.durablestreams.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stays at one instant until a test advances it, so that TTL and expiry tests need
 * no waiting.
 *
 * <p>Thread-safety: safe for concurrent use, because server request threads read it while the
 * test thread advances it.
 */
public final class ForkTestClock extends Clock {

    private final AtomicReference<Instant> now;

    /**
     * Creates a clock that shows a fixed instant.
     *
     * @param start the instant to show until {@link #advance(Duration)} is called
     */
    public ForkTestClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /**
     * Moves the clock forward.
     *
     * @param amount how far to move it
     */
    public void advance(Duration amount) {
        now.updateAndGet(current -> current.plus(amount));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("ForkTestClock only runs in UTC");
    }
}
