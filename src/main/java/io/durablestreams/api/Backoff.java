package io.durablestreams.api;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter between retries of a failed read: the n-th retry waits a
 * random time between half and all of {@code min(max, initial * 2^(n-1))}, so that many
 * clients that lost the same server do not all come back at once.
 *
 * @param initial the base delay of the first retry
 * @param max the largest base delay
 */
public record Backoff(Duration initial, Duration max) {

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException when a delay is not positive, {@code max} is less than
     *         {@code initial}, or {@code max} is longer than one day
     */
    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0
                || max.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("Backoff needs 0 < initial <= max <= 1 day; got"
                    + " initial " + initial + ", max " + max);
        }
    }

    /**
     * Returns the default backoff: 100 ms for the first retry, growing to 10 s.
     *
     * @return the backoff
     */
    public static Backoff defaults() {
        return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    }

    /**
     * Returns the delay before a retry.
     *
     * @param attempt the retry's number, from 1
     * @return a random delay between half and all of the attempt's base delay
     */
    public Duration delay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1; got " + attempt);
        }
        long maxNanos = max.toNanos();
        long baseNanos = initial.toNanos();
        for (int i = 1; i < attempt && baseNanos < maxNanos; i++) {
            baseNanos = Math.min(maxNanos, baseNanos * 2);
        }
        long half = baseNanos / 2;
        return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(baseNanos - half + 1));
    }
}
