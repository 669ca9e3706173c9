package io.durablestreams.subscriptions;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RetryBackoffTest {

    @Test
    void backoffDoublesFromOneToSixtySeconds() {
        RetryBackoff backoff = new RetryBackoff(() -> 0.5);
        long[] expectedSeconds = {1, 2, 4, 8, 16, 32, 60, 60, 60};
        for (int attempt = 1; attempt <= expectedSeconds.length; attempt++) {
            assertEquals(Duration.ofSeconds(expectedSeconds[attempt - 1]), backoff.delay(attempt),
                    "attempt " + attempt);
        }
        assertEquals(Duration.ofSeconds(60), backoff.delay(1000));
    }

    @Test
    void jitterStaysWithinTwentyPercent() {
        RetryBackoff lowest = new RetryBackoff(() -> 0.0);
        RetryBackoff highest = new RetryBackoff(() -> 0.999999);
        assertEquals(Duration.ofMillis(800), lowest.delay(1));
        assertEquals(Duration.ofMillis(1200), highest.delay(1));
        assertEquals(Duration.ofMillis(25600), lowest.delay(6));
        assertEquals(Duration.ofMillis(38400), highest.delay(6));
        assertEquals(Duration.ofMillis(48000), lowest.delay(7));
    }

    @Test
    void jitterNeverExceedsSixtySeconds() {
        RetryBackoff highest = new RetryBackoff(() -> 0.999999);
        assertEquals(Duration.ofSeconds(60), highest.delay(7));
        assertEquals(Duration.ofSeconds(60), highest.delay(50));
    }

    @Test
    void backoffRejectsAttemptZero() {
        RetryBackoff backoff = new RetryBackoff(() -> 0.5);
        assertThrows(IllegalArgumentException.class, () -> backoff.delay(0));
    }
}
