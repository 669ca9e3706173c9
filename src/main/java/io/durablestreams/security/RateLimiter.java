package io.durablestreams.security;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token-bucket rate limits per client key (an address or a credential): each key may make
 * {@code burst} requests at once and then {@code perSecond} requests per second.
 *
 * <p>Thread-safety: safe for concurrent use; each bucket is updated under its own monitor. The
 * number of tracked keys is bounded: past {@code maxKeys}, buckets that are full again (idle
 * clients) are dropped.
 */
public final class RateLimiter {

    private final double perSecond;
    private final double burst;
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * Creates a limiter.
     *
     * @param perSecond sustained requests per second per key, positive
     * @param burst requests a key may make at once, at least 1
     * @param maxKeys keys tracked before idle ones are dropped
     * @param nanoTime source of monotonic time, {@code System::nanoTime} outside tests
     */
    public RateLimiter(double perSecond, int burst, int maxKeys, LongSupplier nanoTime) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("Rate limit needs a positive rate and a burst of"
                    + " at least 1; got " + perSecond + " and " + burst);
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes one request from a key's bucket.
     *
     * @param key the client key
     * @return 0 when the request may proceed, otherwise the whole seconds to wait before retrying
     */
    public long acquire(String key) {
        long now = nanoTime.getAsLong();
        if (buckets.size() >= maxKeys && !buckets.containsKey(key)) {
            dropIdle(now);
        }
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        synchronized (bucket) {
            bucket.refill(now, perSecond, burst);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            double missing = 1 - bucket.tokens;
            return Math.max(1, (long) Math.ceil(missing / perSecond));
        }
    }

    private void dropIdle(long now) {
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket bucket = it.next();
            synchronized (bucket) {
                bucket.refill(now, perSecond, burst);
                if (bucket.tokens >= burst) {
                    it.remove();
                }
            }
        }
    }

    private static final class Bucket {
        private double tokens;
        private long updatedNanos;

        private Bucket(double tokens, long updatedNanos) {
            this.tokens = tokens;
            this.updatedNanos = updatedNanos;
        }

        private void refill(long now, double perSecond, double burst) {
            double elapsedSeconds = (now - updatedNanos) / 1e9;
            tokens = Math.min(burst, tokens + elapsedSeconds * perSecond);
            updatedNanos = now;
        }
    }
}
