package io.durablestreams.api;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {

    @Test
    void delayDoublesWithinJitterRange() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

        for (int round = 0; round < 100; round++) {
            for (int attempt = 1; attempt <= 5; attempt++) {
                long base = 100L << (attempt - 1);
                long delay = backoff.delay(attempt).toMillis();

                assertTrue(delay >= base / 2, "attempt " + attempt + " waited " + delay + " ms");
                assertTrue(delay <= base, "attempt " + attempt + " waited " + delay + " ms");
            }
        }
    }

    @Test
    void delayStopsGrowingAtMax() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));

        for (int round = 0; round < 100; round++) {
            long delay = backoff.delay(1000).toMillis();

            assertTrue(delay >= 500, "waited " + delay + " ms");
            assertTrue(delay <= 1000, "waited " + delay + " ms");
        }
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ofSeconds(1), Duration.ofDays(2)));
        assertThrows(IllegalArgumentException.class, () -> Backoff.defaults().delay(0));
    }
}
