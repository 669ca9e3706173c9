package io.durablestreams.store;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * All streams of a server, by path, with one background reaper that removes expired streams.
 *
 * <p>Thread-safety: safe for concurrent use. The path map is a {@link ConcurrentHashMap}; there
 * is no store-wide lock on the append or read path. Expired streams are also dropped lazily when
 * a request finds them, so the reaper's interval only bounds how long their memory stays held.
 */
public final class StreamStore implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(StreamStore.class.getName());

    private final ConcurrentHashMap<String, DurableStream> streams = new ConcurrentHashMap<>();
    private final Clock clock;
    private final ScheduledExecutorService reaper;

    /**
     * Creates an empty store and starts its reaper.
     *
     * @param clock source of the current time, for TTL and expiry
     * @param reapInterval how often the reaper looks for expired streams
     */
    public StreamStore(Clock clock, Duration reapInterval) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reaper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("stream-reaper").daemon().factory());
        long intervalMillis = reapInterval.toMillis();
        reaper.scheduleWithFixedDelay(this::reapExpiredSafely, intervalMillis, intervalMillis,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Creates a stream, or confirms that an identical one exists.
     *
     * @param path the stream's path
     * @param config the requested configuration
     * @param records initial records, possibly none
     * @param close whether the stream starts closed
     * @return the stream and whether this call created it
     * @throws StreamConflictException when a stream with different settings exists at the path
     */
    public CreateResult create(String path, StreamConfig config, List<byte[]> records,
                               boolean close) {
        while (true) {
            DurableStream fresh = newStream(path, config, records, close);
            DurableStream existing = streams.putIfAbsent(path, fresh);
            if (existing == null) {
                LOGGER.log(Level.DEBUG, () -> "Created stream " + path);
                return new CreateResult(fresh, true);
            }
            if (existing.isExpired(clock.instant())) {
                remove(path, existing);
                continue;
            }
            if (!existing.matches(config, close)) {
                throw new StreamConflictException("Stream " + path
                        + " already exists with a different content type, TTL, expiry or"
                        + " closure status");
            }
            return new CreateResult(existing, false);
        }
    }

    /**
     * Finds a live stream.
     *
     * @param path the stream's path
     * @return the stream, or empty when none exists or it has expired
     */
    public Optional<DurableStream> find(String path) {
        DurableStream stream = streams.get(path);
        if (stream == null) {
            return Optional.empty();
        }
        if (stream.isExpired(clock.instant())) {
            remove(path, stream);
            return Optional.empty();
        }
        return Optional.of(stream);
    }

    /**
     * Deletes a stream and wakes its live readers.
     *
     * @param path the stream's path
     * @return true when a live stream was deleted
     */
    public boolean delete(String path) {
        Optional<DurableStream> stream = find(path);
        return stream.isPresent() && remove(path, stream.get());
    }

    /**
     * Removes every expired stream.
     *
     * @return how many streams were removed
     */
    public int reapExpired() {
        int removed = 0;
        var now = clock.instant();
        for (var entry : streams.entrySet()) {
            if (entry.getValue().isExpired(now) && remove(entry.getKey(), entry.getValue())) {
                removed++;
            }
        }
        return removed;
    }

    /**
     * Returns how many streams the store holds, expired ones not yet reaped included.
     *
     * @return the number of streams
     */
    public int size() {
        return streams.size();
    }

    /** Stops the reaper. */
    @Override
    public void close() {
        reaper.shutdownNow();
    }

    private DurableStream newStream(String path, StreamConfig config, List<byte[]> records,
                                    boolean close) {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        DurableStream stream = new DurableStream(path, id, config, new MemoryLog(0), clock);
        if (!records.isEmpty() || close) {
            stream.append(new Append(Optional.of(config.contentType()), records, close,
                    Optional.empty(), Optional.empty()));
        }
        return stream;
    }

    private boolean remove(String path, DurableStream stream) {
        if (!streams.remove(path, stream)) {
            return false;
        }
        stream.markDeleted();
        return true;
    }

    private void reapExpiredSafely() {
        try {
            int removed = reapExpired();
            if (removed > 0) {
                LOGGER.log(Level.DEBUG, () -> "Reaped " + removed + " expired streams");
            }
        } catch (RuntimeException e) {
            // A failure must not cancel the schedule, or expired streams would pile up.
            LOGGER.log(Level.WARNING, "Reaping expired streams failed", e);
        }
    }
}
