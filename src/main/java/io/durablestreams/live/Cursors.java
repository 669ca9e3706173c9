package io.durablestreams.live;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Computes the {@code Stream-Cursor} values of live responses.
 *
 * <p>A cursor is the number of whole 20-second intervals since 2024-10-09T00:00:00Z, as a decimal
 * string. Cursors let CDNs collapse identical long-polls while guaranteeing that cache keys keep
 * moving: when a client echoes a cursor that is not behind the current interval, the response
 * carries a cursor advanced by a random 1 to 3600 seconds' worth of intervals, so a client never
 * sees the same cursor twice.
 *
 * <p>Thread-safety: immutable and safe for concurrent use.
 */
public final class Cursors {

    /** Start of interval 0. */
    public static final Instant EPOCH = Instant.parse("2024-10-09T00:00:00Z");

    /** Length of one interval. */
    public static final Duration INTERVAL = Duration.ofSeconds(20);

    private static final long MAX_JITTER_SECONDS = 3600;

    private final Clock clock;

    /**
     * Creates a cursor source.
     *
     * @param clock source of the current time
     */
    public Cursors(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Returns the cursor for a live response.
     *
     * @param echoed the {@code cursor} query parameter the client sent, if any
     * @return a cursor greater than {@code echoed} when that is a number
     */
    public String next(Optional<String> echoed) {
        long current = currentInterval();
        Optional<Long> previous = echoed.flatMap(Cursors::parse);
        if (previous.isEmpty() || previous.get() < current) {
            return Long.toString(current);
        }
        long jitterSeconds = ThreadLocalRandom.current().nextLong(1, MAX_JITTER_SECONDS + 1);
        long jitterIntervals = Math.max(1, ceilDiv(jitterSeconds, INTERVAL.toSeconds()));
        return Long.toString(previous.get() + jitterIntervals);
    }

    /**
     * Returns the number of the interval that contains the current time.
     *
     * @return the interval number
     */
    public long currentInterval() {
        Duration sinceEpoch = Duration.between(EPOCH, clock.instant());
        return Math.floorDiv(sinceEpoch.toMillis(), INTERVAL.toMillis());
    }

    private static Optional<Long> parse(String cursor) {
        if (cursor.isEmpty() || cursor.length() > 18) {
            return Optional.empty();
        }
        for (int i = 0; i < cursor.length(); i++) {
            if (!Character.isDigit(cursor.charAt(i)) || cursor.charAt(i) > '9') {
                return Optional.empty();
            }
        }
        return Optional.of(Long.parseLong(cursor));
    }

    private static long ceilDiv(long dividend, long divisor) {
        return -Math.floorDiv(-dividend, divisor);
    }
}
