package io.durablestreams.store;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import io.durablestreams.json.InvalidJsonException;
import io.durablestreams.json.JsonMessages;

/**
 * All streams of a server, by path: creation, forking, deletion and expiry, with one background
 * reaper that removes expired streams.
 *
 * <p>Thread-safety: safe for concurrent use. Lookups go through a {@link ConcurrentHashMap}, so
 * the append and read paths take no store-wide lock. Changes to which streams exist (create,
 * delete, expire) take the {@link #lifecycle} lock, because a fork's reference on its source
 * must be counted in the same step that creates or removes the fork: otherwise a source could
 * be cleaned up while a fork is being created from it. Lock order: lifecycle, then a stream's
 * own lock; a stream never takes the lifecycle lock.
 */
public final class StreamStore implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(StreamStore.class.getName());

    private final ConcurrentHashMap<String, DurableStream> streams = new ConcurrentHashMap<>();
    private final List<StreamEvents> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ReentrantLock lifecycle = new ReentrantLock();
    private final Storage storage;
    private final Clock clock;
    private final ScheduledExecutorService reaper;

    /**
     * Creates an in-memory store and starts its reaper.
     *
     * @param clock source of the current time, for TTL and expiry
     * @param reapInterval how often the reaper looks for expired streams
     */
    public StreamStore(Clock clock, Duration reapInterval) {
        this(new MemoryStorage(), clock, reapInterval);
    }

    /**
     * Creates a store on the given storage, loads the streams it holds, removes those that
     * expired meanwhile, and starts the reaper.
     *
     * @param storage where streams are kept
     * @param clock source of the current time, for TTL and expiry
     * @param reapInterval how often the reaper looks for expired streams
     */
    public StreamStore(Storage storage, Clock clock, Duration reapInterval) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.clock = Objects.requireNonNull(clock, "clock");
        recover();
        this.reaper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("stream-reaper").daemon().factory());
        long intervalMillis = reapInterval.toMillis();
        reaper.scheduleWithFixedDelay(this::reapExpiredSafely, intervalMillis, intervalMillis,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Adds a listener for stream changes.
     *
     * @param listener the listener
     */
    public void addListener(StreamEvents listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Appends to a stream and notifies listeners; the HTTP layer and the Java API append through
     * here so that features built on the store see every change.
     *
     * @param stream a stream of this store
     * @param append the request
     * @return the outcome
     */
    public AppendResult append(DurableStream stream, Append append) {
        AppendResult result = stream.append(append);
        if (!result.duplicate()) {
            for (StreamEvents listener : listeners) {
                listener.appended(stream, result.tail());
            }
        }
        return result;
    }

    /**
     * Creates a stream or a fork, or confirms that an identical one exists.
     *
     * @param path the stream's path
     * @param request the create request
     * @return the stream and whether this call created it
     * @throws StreamConflictException when a different stream exists at the path, the path is
     *         held by a soft-deleted stream, or a fork conflicts with its source
     * @throws StreamNotFoundException when the fork source does not exist
     * @throws InvalidRequestException when the body or the fork position is invalid
     */
    public CreateResult create(String path, CreateRequest request) {
        return create(path, request, Integer.MAX_VALUE);
    }

    /**
     * Creates a stream or a fork, or confirms that an identical one exists, unless the store
     * already holds {@code maxStreams} streams. The count is checked under the same lock that
     * adds the stream, so concurrent creates never take the store past the limit.
     *
     * @param path the stream's path
     * @param request the create request
     * @param maxStreams streams the store may hold at most
     * @return the stream and whether this call created it
     * @throws StreamLimitException when a new stream would exceed the limit
     * @throws StreamConflictException when a different stream exists at the path, the path is
     *         held by a soft-deleted stream, or a fork conflicts with its source
     * @throws StreamNotFoundException when the fork source does not exist
     * @throws InvalidRequestException when the body or the fork position is invalid
     */
    public CreateResult create(String path, CreateRequest request, int maxStreams) {
        CreateResult result = createLocked(path, request, maxStreams);
        if (result.created()) {
            for (StreamEvents listener : listeners) {
                listener.created(result.stream());
            }
        }
        return result;
    }

    private CreateResult createLocked(String path, CreateRequest request, int maxStreams) {
        Optional<List<byte[]>> records = Optional.empty();
        if (request.fork().isEmpty()) {
            // Parsed before taking the lifecycle lock, so large bodies do not hold up others.
            records = Optional.of(records(plainConfig(request), request.body()));
        }
        lifecycle.lock();
        try {
            Optional<ForkPoint> forkPoint = Optional.empty();
            StreamConfig config = plainConfig(request);
            if (request.fork().isPresent()) {
                ForkRequest fork = request.fork().get();
                DurableStream source = forkSource(fork.sourcePath());
                config = forkConfig(source, request);
                forkPoint = Optional.of(new ForkPoint(source, forkPosition(source, fork)));
            }
            List<byte[]> initial = records.isPresent()
                    ? records.get()
                    : records(config, request.body());

            DurableStream existing = liveOrNull(path);
            if (existing != null) {
                if (existing.isSoftDeleted()) {
                    throw new StreamConflictException("Stream " + path + " was deleted but its"
                            + " forks still read it, so the path cannot be reused yet");
                }
                if (!existing.matches(config, request.close(), forkPoint)) {
                    throw new StreamConflictException("Stream " + path + " already exists with"
                            + " a different content type, TTL, expiry, retention, closure status"
                            + " or fork origin");
                }
                return new CreateResult(existing, false);
            }
            if (streams.size() >= maxStreams) {
                throw new StreamLimitException(maxStreams);
            }

            DurableStream stream = newStream(path, config, forkPoint, initial, request.close());
            streams.put(path, stream);
            forkPoint.ifPresent(f -> f.source().addForks(1));
            LOGGER.log(Level.DEBUG, () -> "Created stream " + path);
            return new CreateResult(stream, true);
        } finally {
            lifecycle.unlock();
        }
    }

    /**
     * Returns a live stream.
     *
     * @param path the stream's path
     * @return the stream
     * @throws StreamNotFoundException when none exists or it has expired
     * @throws StreamGoneException when it was deleted but forks still read it
     */
    public DurableStream require(String path) {
        DurableStream stream = streams.get(path);
        if (stream != null && stream.isExpired(clock.instant()) && !stream.isSoftDeleted()) {
            expire(path, stream);
            stream = streams.get(path);
        }
        if (stream == null) {
            throw new StreamNotFoundException(path);
        }
        if (stream.isSoftDeleted()) {
            throw new StreamGoneException(path);
        }
        return stream;
    }

    /**
     * Finds a live stream.
     *
     * @param path the stream's path
     * @return the stream, or empty when none exists, it has expired or it is soft-deleted
     */
    public Optional<DurableStream> find(String path) {
        try {
            return Optional.of(require(path));
        } catch (StreamNotFoundException | StreamGoneException e) {
            return Optional.empty();
        }
    }

    /**
     * Deletes a stream and wakes its live readers. A stream that forks still read is only
     * soft-deleted, and cleaned up when its last fork goes.
     *
     * @param path the stream's path
     * @throws StreamNotFoundException when no live stream exists at the path
     * @throws StreamGoneException when the stream is already soft-deleted
     */
    public void delete(String path) {
        lifecycle.lock();
        try {
            DurableStream stream = require(path);
            remove(stream);
        } finally {
            lifecycle.unlock();
        }
        for (StreamEvents listener : listeners) {
            listener.deleted(path);
        }
    }

    /**
     * Removes every expired stream.
     *
     * @return how many streams expired
     */
    public int reapExpired() {
        int expired = 0;
        Instant now = clock.instant();
        for (var entry : streams.entrySet()) {
            DurableStream stream = entry.getValue();
            if (stream.isExpired(now) && !stream.isSoftDeleted() && expire(entry.getKey(), stream)) {
                expired++;
            }
        }
        return expired;
    }

    /**
     * Returns the paths of the live streams, for features that match streams by path, such as
     * subscriptions. Soft-deleted streams and streams that have expired are left out.
     *
     * @return a snapshot of the paths, in no particular order
     */
    public List<String> paths() {
        Instant now = clock.instant();
        List<String> paths = new ArrayList<>();
        for (var entry : streams.entrySet()) {
            DurableStream stream = entry.getValue();
            if (!stream.isSoftDeleted() && !stream.isExpired(now)) {
                paths.add(entry.getKey());
            }
        }
        return paths;
    }

    /**
     * Returns how many streams the store holds, soft-deleted and expired ones not yet reaped
     * included.
     *
     * @return the number of streams
     */
    public int size() {
        return streams.size();
    }

    /**
     * Ends the live reads of every stream: waiting long-polls return at once with their current
     * position and SSE responses end after a final control event, so that clients reconnect to
     * a server that is up. Appends still work until {@link #close()}.
     */
    public void shutDownLiveReaders() {
        streams.values().forEach(DurableStream::shutDownLiveReaders);
    }

    /** Stops the reaper and closes the storage, syncing what is pending. */
    @Override
    public void close() {
        reaper.shutdownNow();
        recordAccessTimes();
        storage.close();
    }

    /**
     * Checks whether the storage can take writes now.
     *
     * @return a short description of the problem, or empty when writes work
     */
    public Optional<String> writeProblem() {
        return storage.writeProblem();
    }

    /**
     * Returns a description of the storage, for the start-up log.
     *
     * @return the description
     */
    public String storageDescription() {
        return storage.description();
    }

    /** Rebuilds every stored stream, sources before their forks, then reaps expired ones. */
    private void recover() {
        long started = System.nanoTime();
        List<RecoveredStream> found = storage.recover();
        Map<String, DurableStream> byId = new HashMap<>();
        List<RecoveredStream> pending = new ArrayList<>(found);
        long bytes = 0;
        while (!pending.isEmpty()) {
            int before = pending.size();
            for (Iterator<RecoveredStream> it = pending.iterator(); it.hasNext(); ) {
                RecoveredStream recovered = it.next();
                Optional<String> sourceId = recovered.meta().forkSourceId();
                if (sourceId.isPresent() && !byId.containsKey(sourceId.get())) {
                    continue;
                }
                Optional<ForkPoint> forkPoint = sourceId.map(id -> new ForkPoint(byId.get(id),
                        recovered.meta().forkPosition()));
                DurableStream stream = new DurableStream(recovered.meta(), recovered.log(),
                        forkPoint, clock);
                for (RecoveredStream.StoredAppend append : recovered.appends()) {
                    stream.replay(append.state(), append.end());
                }
                stream.restoreLastAccess(recovered.lastAccessMillis());
                if (recovered.softDeleted()) {
                    stream.markSoftDeleted();
                }
                forkPoint.ifPresent(f -> f.source().addForks(1));
                byId.put(recovered.meta().id(), stream);
                streams.put(recovered.meta().path(), stream);
                bytes += recovered.log().tail() - recovered.log().start();
                it.remove();
            }
            if (pending.size() == before) {
                // A fork whose source is gone cannot be read; keep the rest of the store usable.
                for (RecoveredStream orphan : pending) {
                    LOGGER.log(Level.WARNING, "Dropping fork " + orphan.meta().path()
                            + ": its source stream is missing from storage");
                    storage.delete(orphan.meta(), orphan.log());
                }
                break;
            }
        }
        int expired = reapExpired();
        cleanUpUnreferencedSoftDeletes();
        streams.values().forEach(DurableStream::applyRetention);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        if (!found.isEmpty()) {
            LOGGER.log(Level.INFO, "Recovered " + streams.size() + " streams (" + bytes
                    + " bytes) in " + elapsedMillis + " ms; removed " + expired
                    + " that expired while the server was down");
        }
    }

    /** Removes soft-deleted streams that no fork reads any more, as after a crash mid-cascade. */
    private void cleanUpUnreferencedSoftDeletes() {
        lifecycle.lock();
        try {
            for (DurableStream stream : List.copyOf(streams.values())) {
                if (stream.isSoftDeleted() && stream.forkCount() == 0) {
                    remove(stream);
                }
            }
        } finally {
            lifecycle.unlock();
        }
    }

    /** Hands storage the last access times of TTL streams that changed since last time. */
    private void recordAccessTimes() {
        for (DurableStream stream : streams.values()) {
            if (stream.config().ttlSeconds().isPresent()) {
                stream.takeUnrecordedAccess()
                        .ifPresent(millis -> storage.recordAccess(stream.meta(), millis));
            }
        }
    }

    private DurableStream forkSource(String sourcePath) {
        try {
            return require(sourcePath);
        } catch (StreamGoneException e) {
            throw new StreamConflictException("Fork source " + sourcePath + " was deleted");
        }
    }

    /** Returns the fork's settings: the source's content type and the expiry inheritance rules. */
    private static StreamConfig forkConfig(DurableStream source, CreateRequest request) {
        StreamConfig inherited = source.config();
        if (request.contentType().isPresent()
                && !inherited.acceptsContentType(request.contentType().get())) {
            throw new StreamConflictException("Content type " + request.contentType().get()
                    + " does not match the fork source's content type " + inherited.contentType());
        }
        if (request.ttlSeconds().isPresent() || request.expiresAt().isPresent()) {
            return new StreamConfig(inherited.contentType(), request.ttlSeconds(),
                    request.expiresAt(), request.retention());
        }
        return new StreamConfig(inherited.contentType(), inherited.ttlSeconds(),
                inherited.expiresAt(), request.retention());
    }

    /** Resolves the divergence offset and sub-offset to a position in the source's view. */
    private static long forkPosition(DurableStream source, ForkRequest fork) {
        long tail = source.tail();
        if (fork.offset().isEmpty() && fork.subOffset() > 0) {
            throw new InvalidRequestException("Stream-Fork-Sub-Offset needs Stream-Fork-Offset");
        }
        long anchor = fork.offset().orElse(tail);
        if (anchor > tail) {
            throw new InvalidRequestException("Stream-Fork-Offset " + Offsets.format(anchor)
                    + " is beyond the tail of " + source.path() + " at " + Offsets.format(tail));
        }
        if (anchor < source.earliest()) {
            throw new OffsetNotRetainedException(source.path(), source.earliest());
        }
        if (source.config().isJson() && !source.isRecordBoundary(anchor)) {
            throw new InvalidRequestException("Stream-Fork-Offset " + Offsets.format(anchor)
                    + " is not a message boundary of " + source.path());
        }
        if (fork.subOffset() == 0) {
            return anchor;
        }

        long batchEnd = source.batchEnd(anchor);
        if (source.config().isJson()) {
            long position = anchor;
            for (long i = 0; i < fork.subOffset(); i++) {
                if (position >= batchEnd) {
                    throw subOffsetPastBoundary(fork, source);
                }
                position = source.recordEnd(position, 0);
            }
            return position;
        }
        if (fork.subOffset() > batchEnd - anchor) {
            throw subOffsetPastBoundary(fork, source);
        }
        return anchor + fork.subOffset();
    }

    private static InvalidRequestException subOffsetPastBoundary(ForkRequest fork,
                                                                 DurableStream source) {
        return new InvalidRequestException("Stream-Fork-Sub-Offset " + fork.subOffset()
                + " is past the end of the append that follows the fork offset in "
                + source.path());
    }

    private static StreamConfig plainConfig(CreateRequest request) {
        return new StreamConfig(request.contentType().orElse(StreamConfig.DEFAULT_CONTENT_TYPE),
                request.ttlSeconds(), request.expiresAt(), request.retention());
    }

    private static List<byte[]> records(StreamConfig config, byte[] body) {
        if (body.length == 0) {
            return List.of();
        }
        if (!config.isJson()) {
            return List.of(body);
        }
        try {
            return JsonMessages.split(body, true);
        } catch (InvalidJsonException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    private DurableStream newStream(String path, StreamConfig config,
                                    Optional<ForkPoint> forkPoint, List<byte[]> records,
                                    boolean close) {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        StreamMeta meta = new StreamMeta(path, id, config,
                forkPoint.map(f -> f.source().id()), forkPoint.map(ForkPoint::position).orElse(0L),
                clock.millis());
        DurableStream stream = new DurableStream(meta, storage.create(meta), forkPoint, clock);
        if (!records.isEmpty() || close) {
            stream.append(new Append(Optional.of(config.contentType()), records, close,
                    Optional.empty(), Optional.empty()));
        }
        return stream;
    }

    /** Returns the stream at a path, expiring it first when due. Lifecycle lock held. */
    private DurableStream liveOrNull(String path) {
        DurableStream stream = streams.get(path);
        if (stream != null && !stream.isSoftDeleted() && stream.isExpired(clock.instant())) {
            remove(stream);
            stream = streams.get(path);
        }
        return stream;
    }

    private boolean expire(String path, DurableStream stream) {
        lifecycle.lock();
        try {
            if (streams.get(path) != stream || stream.isSoftDeleted()) {
                return false;
            }
            LOGGER.log(Level.DEBUG, () -> "Stream " + path + " expired");
            remove(stream);
            return true;
        } finally {
            lifecycle.unlock();
        }
    }

    /**
     * Deletes a stream, or soft-deletes it while forks read it, then releases its reference on
     * its source, cleaning up sources whose last fork this was, up the chain. Lifecycle lock held.
     */
    private void remove(DurableStream stream) {
        assert lifecycle.isHeldByCurrentThread();
        if (stream.forkCount() > 0) {
            storage.markSoftDeleted(stream.meta());
            stream.markSoftDeleted();
            return;
        }
        // Storage first: when it fails, the stream stays as it was instead of vanishing until
        // the next restart brings it back.
        storage.delete(stream.meta(), stream.log());
        DurableStream current = stream;
        boolean stored = true;
        while (true) {
            if (!stored) {
                try {
                    storage.delete(current.meta(), current.log());
                } catch (StorageException e) {
                    LOGGER.log(Level.WARNING, "Deleting the data of soft-deleted stream "
                            + current.path() + " failed; it is removed at the next start: "
                            + e.getMessage());
                }
            }
            stored = false;
            streams.remove(current.path(), current);
            current.markDeleted();
            Optional<ForkPoint> origin = current.forkPoint();
            if (origin.isEmpty()) {
                return;
            }
            DurableStream source = origin.get().source();
            source.addForks(-1);
            if (source.forkCount() > 0 || !source.isSoftDeleted()) {
                return;
            }
            current = source;
        }
    }

    private void reapExpiredSafely() {
        try {
            int expired = reapExpired();
            recordAccessTimes();
            streams.values().forEach(DurableStream::applyRetention);
            if (expired > 0) {
                LOGGER.log(Level.DEBUG, () -> "Reaped " + expired + " expired streams");
            }
        } catch (RuntimeException e) {
            // A failure must not cancel the schedule, or expired streams would pile up.
            LOGGER.log(Level.WARNING, "Reaping expired streams failed", e);
        }
    }
}
