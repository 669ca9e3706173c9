package io.durablestreams.subscriptions;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The delay before each webhook retry: exponential backoff that starts at 1 second and doubles
 * up to 60 seconds, with 20 % jitter so that many failing subscriptions do not retry in step.
 *
 * <p>Attempt 1 waits about 1 s, attempt 2 about 2 s, then 4, 8, 16, 32 and 60 s for every later
 * attempt. Jitter multiplies the base by a factor between 0.8 and 1.2; the result never exceeds
 * 60 s, so the delays run from 0.8 s to 60 s.
 *
 * <p>Thread-safety: immutable, and safe for concurrent use when the random source is.
 */
final class RetryBackoff {

    /** Base delay of the first retry. */
    static final Duration INITIAL = Duration.ofSeconds(1);
    /** Longest delay between two attempts. */
    static final Duration MAX = Duration.ofSeconds(60);
    /** Jitter as a fraction of the base delay, either way. */
    static final double JITTER = 0.2;

    private final DoubleSupplier random;

    /**
     * Creates a backoff with a random source.
     *
     * @param random returns values in [0, 1); a fixed value makes delays predictable in tests
     */
    RetryBackoff(DoubleSupplier random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Creates a backoff with {@link ThreadLocalRandom}.
     *
     * @return the backoff
     */
    static RetryBackoff withRandomJitter() {
        return new RetryBackoff(() -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * Returns the delay before a retry.
     *
     * @param attempt how many deliveries have failed in a row, at least 1
     * @return the delay
     */
    Duration delay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1; got " + attempt);
        }
        long baseMillis = MAX.toMillis();
        if (attempt <= 7) {
            baseMillis = Math.min(MAX.toMillis(), INITIAL.toMillis() << (attempt - 1));
        }
        double factor = 1 + (random.getAsDouble() * 2 - 1) * JITTER;
        long millis = Math.min(MAX.toMillis(), Math.round(baseMillis * factor));
        return Duration.ofMillis(millis);
    }
}
