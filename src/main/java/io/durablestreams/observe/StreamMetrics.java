package io.durablestreams.observe;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.durablestreams.store.StreamStore;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;

/**
 * The server's metrics, published through Helidon's metrics endpoint ({@code /observe/metrics}):
 * streams held, appends and appended bytes, live readers connected, and live waits started.
 *
 * <p>Thread-safety: safe for concurrent use; meters are thread-safe.
 */
public final class StreamMetrics {

    private final Counter appends;
    private final Counter appendedBytes;
    private final Counter liveWaits;
    /**
     * The store whose stream count the gauge reports. Meters are registered once per registry,
     * so the gauge reads through this reference to follow the most recently created store.
     */
    private static final AtomicReference<StreamStore> CURRENT_STORE = new AtomicReference<>();
    private static final AtomicInteger LIVE_READERS = new AtomicInteger();

    /**
     * Registers the meters.
     *
     * @param registry the registry to register in, usually {@code Metrics.globalRegistry()}
     * @param store the store whose stream count is published
     */
    public StreamMetrics(MeterRegistry registry, StreamStore store) {
        Objects.requireNonNull(store, "store");
        appends = registry.getOrCreate(Counter.builder("durable_streams.appends")
                .description("Appends stored, duplicates of idempotent producers excluded"));
        appendedBytes = registry.getOrCreate(Counter.builder("durable_streams.appended_bytes")
                .description("Bytes of request bodies stored by appends and creates")
                .baseUnit("bytes"));
        liveWaits = registry.getOrCreate(Counter.builder("durable_streams.live_waits")
                .description("Times a long-poll or SSE reader waited for new data"));
        CURRENT_STORE.set(store);
        registry.getOrCreate(Gauge.builder("durable_streams.streams", CURRENT_STORE,
                        current -> current.get() == null ? 0 : current.get().size())
                .description("Streams held, soft-deleted ones included"));
        registry.getOrCreate(Gauge.builder("durable_streams.live_readers", LIVE_READERS,
                        AtomicInteger::doubleValue)
                .description("Long-poll and SSE readers connected now"));
    }

    /**
     * Counts one stored append.
     *
     * @param bytes the size of its body
     */
    public void appended(long bytes) {
        appends.increment();
        appendedBytes.increment(bytes);
    }

    /** Counts a live reader that connected. */
    public void liveReaderStarted() {
        LIVE_READERS.incrementAndGet();
    }

    /** Counts a live reader that left. */
    public void liveReaderEnded() {
        LIVE_READERS.decrementAndGet();
    }

    /** Counts one wait of a live reader for new data. */
    public void liveWaitStarted() {
        liveWaits.increment();
    }
}
