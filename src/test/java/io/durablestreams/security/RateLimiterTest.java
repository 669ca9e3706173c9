package io.durablestreams.security;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token buckets per key, driven by a fake monotonic clock so that refills are exact.
 */
class RateLimiterTest {

    /** An arbitrary start, far from 0, so that no code can rely on the clock starting at 0. */
    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

    @Test
    void burstIsAllowedThenRejected() {
        RateLimiter limiter = limiter(1, 3, 100);

        for (int i = 1; i <= 3; i++) {
            assertEquals(0, limiter.acquire("client"), "request " + i + " of a burst of 3 must"
                    + " be allowed");
        }
        assertTrue(limiter.acquire("client") > 0, "request 4 after a burst of 3, with no time"
                + " passed, must be rejected");
    }

    @Test
    void keysHaveSeparateBuckets() {
        RateLimiter limiter = limiter(1, 1, 100);

        assertEquals(0, limiter.acquire("a"), "the first request of key a must be allowed");
        assertTrue(limiter.acquire("a") > 0, "the second request of key a must be rejected");
        assertEquals(0, limiter.acquire("b"), "key b must have its own bucket");
    }

    @Test
    void bucketRefillsAtConfiguredRate() {
        RateLimiter limiter = limiter(2, 1, 100);
        assertEquals(0, limiter.acquire("client"), "the first request must be allowed");
        assertTrue(limiter.acquire("client") > 0, "the bucket must be empty after the burst");

        advance(TimeUnit.MILLISECONDS.toNanos(400));
        assertTrue(limiter.acquire("client") > 0, "after 0.4 s at 2 per second only 0.8 of a"
                + " token is back, so the request must still be rejected");

        advance(TimeUnit.MILLISECONDS.toNanos(100));
        assertEquals(0, limiter.acquire("client"), "after 0.5 s at 2 per second one token is"
                + " back, so the request must be allowed");
        assertTrue(limiter.acquire("client") > 0, "the refilled token must be used up");
    }

    @Test
    void refillStopsAtBurst() {
        RateLimiter limiter = limiter(10, 2, 100);
        limiter.acquire("client");
        limiter.acquire("client");

        advance(TimeUnit.HOURS.toNanos(1));

        assertEquals(0, limiter.acquire("client"), "request 1 after a long idle time must be"
                + " allowed");
        assertEquals(0, limiter.acquire("client"), "request 2 after a long idle time must be"
                + " allowed");
        assertTrue(limiter.acquire("client") > 0, "request 3 must be rejected: an idle bucket"
                + " holds at most the burst of 2");
    }

    @Test
    void rejectedRequestsDoNotConsumeTokens() {
        RateLimiter limiter = limiter(1, 1, 100);
        limiter.acquire("client");
        for (int i = 0; i < 5; i++) {
            limiter.acquire("client");
        }

        advance(TimeUnit.SECONDS.toNanos(1));

        assertEquals(0, limiter.acquire("client"), "one second after the bucket emptied, one"
                + " request must be allowed however many were rejected meanwhile");
    }

    @Test
    void retryAfterIsWholeSecondsUntilNextToken() {
        RateLimiter limiter = limiter(0.5, 1, 100);
        limiter.acquire("client");

        assertEquals(2, limiter.acquire("client"), "at 0.5 tokens per second an empty bucket"
                + " needs 2 s for the next token");

        advance(TimeUnit.MILLISECONDS.toNanos(500));
        assertEquals(2, limiter.acquire("client"), "0.75 of a token is missing after 0.5 s,"
                + " which rounds up to 2 s");

        advance(TimeUnit.MILLISECONDS.toNanos(1000));
        assertEquals(1, limiter.acquire("client"), "0.25 of a token is missing after 1.5 s,"
                + " which rounds up to 1 s");
    }

    @Test
    void retryAfterIsAtLeastOneSecond() {
        RateLimiter limiter = limiter(1000, 1, 100);
        limiter.acquire("client");

        assertEquals(1, limiter.acquire("client"), "a wait of 1 ms must be reported as 1 s,"
                + " because Retry-After has whole seconds and 0 would mean retry at once");
    }

    @Test
    void invalidRateOrBurstIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> limiter(0, 1, 100),
                "a rate of 0 per second must be rejected");
        assertThrows(IllegalArgumentException.class, () -> limiter(-1, 1, 100),
                "a negative rate must be rejected");
        assertThrows(IllegalArgumentException.class, () -> limiter(1, 0, 100),
                "a burst of 0 must be rejected");
    }

    @Test
    void idleKeysAreDroppedAtMaxKeys() throws ReflectiveOperationException {
        RateLimiter limiter = limiter(1, 1, 3);
        limiter.acquire("a");
        limiter.acquire("b");
        limiter.acquire("c");
        advance(TimeUnit.SECONDS.toNanos(1));

        limiter.acquire("d");

        assertTrue(trackedKeys(limiter) <= 3, "a new key at the limit of 3 tracked keys must"
                + " drop the idle ones; tracked keys: " + trackedKeys(limiter));
        assertTrue(buckets(limiter).containsKey("d"), "the new key must be tracked");
    }

    @Test
    void trackedKeysStayBoundedUnderKeyRotation() throws ReflectiveOperationException {
        RateLimiter limiter = limiter(1, 1, 10);

        for (int i = 0; i < 1000; i++) {
            limiter.acquire("client-" + i);
            // Each bucket is full again after one second, which makes it idle.
            advance(TimeUnit.SECONDS.toNanos(1));
        }

        assertTrue(trackedKeys(limiter) <= 10, "1000 keys that each go idle must not grow the"
                + " map past its limit of 10; tracked keys: " + trackedKeys(limiter));
    }

    @Test
    void drainedKeyKeepsItsLimit() {
        RateLimiter limiter = limiter(1, 2, 3);
        limiter.acquire("attacker");
        limiter.acquire("attacker");

        for (int i = 0; i < 50; i++) {
            limiter.acquire("other-" + i);
        }

        assertTrue(limiter.acquire("attacker") > 0, "a key whose bucket is empty must stay"
                + " limited when many new keys push the limiter past its key limit");
    }

    private RateLimiter limiter(double perSecond, int burst, int maxKeys) {
        return new RateLimiter(perSecond, burst, maxKeys, nanos::get);
    }

    private void advance(long deltaNanos) {
        nanos.addAndGet(deltaNanos);
    }

    private static int trackedKeys(RateLimiter limiter) throws ReflectiveOperationException {
        return buckets(limiter).size();
    }

    /**
     * Reads the limiter's private bucket map, because the number of tracked keys is a memory
     * bound that the class promises but does not expose.
     */
    private static Map<?, ?> buckets(RateLimiter limiter)
            throws ReflectiveOperationException {
        Field buckets = RateLimiter.class.getDeclaredField("buckets");
        buckets.setAccessible(true);
        return (Map<?, ?>) buckets.get(limiter);
    }
}
