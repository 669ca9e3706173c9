package io.durablestreams.store;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

/**
 * One stream: its configuration, its data and the writer state that decides which appends it
 * accepts.
 *
 * <p>Thread-safety: safe for concurrent use. One {@link ReentrantLock} per stream guards the
 * fields under "Guarded by lock"; every append, close and delete runs under it, so writer-state
 * validation and the append it admits are one atomic step. Live readers wait on the
 * {@link #dataChanged} condition, which every state change signals. Reads copy their bytes after
 * releasing the lock, which is safe because stored bytes below the tail never change.
 */
public final class DurableStream {

    private final StreamMeta meta;
    private final String path;
    private final String id;
    private final StreamConfig config;
    private final Clock clock;
    private final StreamLog log;
    private final Optional<ForkPoint> forkPoint;

    private final ReentrantLock lock = new ReentrantLock();

    /**
     * Signalled whenever the tail moves, the stream closes or it is deleted. All waiters are
     * woken ({@code signalAll}) because each waits on its own position and all may be satisfied.
     */
    private final Condition dataChanged = lock.newCondition();

    /** Number of live forks that read this stream. Guarded by the store's lifecycle lock. */
    private int forkCount;

    // Guarded by lock.
    private boolean shuttingDown;
    private boolean softDeleted;
    private boolean closed;
    /** Tail after the append that closed the stream; readers see closure once data reaches it. */
    private long finalPosition;
    private ProducerId closedBy;
    private boolean deleted;
    private String lastStreamSeq;
    private final Map<String, ProducerState> producers = new HashMap<>();

    /** Live readers (long-poll or SSE) being served now; they keep a sliding TTL from expiring. */
    private final AtomicInteger liveReaders = new AtomicInteger();

    /** Last read or write, for the sliding TTL. Written without the lock by readers. */
    private volatile long lastAccessMillis;
    /** The last access time handed to storage. Written only by the store's reaper. */
    private volatile long recordedAccessMillis;

    DurableStream(StreamMeta meta, StreamLog log, Optional<ForkPoint> forkPoint, Clock clock) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.path = meta.path();
        this.id = meta.id();
        this.config = meta.config();
        this.log = Objects.requireNonNull(log, "log");
        this.forkPoint = Objects.requireNonNull(forkPoint, "forkPoint");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lastAccessMillis = clock.millis();
    }

    /**
     * Returns the stream's path below the mount point.
     *
     * @return the path
     */
    public String path() {
        return path;
    }

    /**
     * Returns an identifier unique to this incarnation of the stream, so that a stream deleted
     * and created again at the same path never shares entity tags with its predecessor.
     *
     * @return the identifier
     */
    public String id() {
        return id;
    }

    /**
     * Returns what storage keeps about this stream.
     *
     * @return the metadata
     */
    public StreamMeta meta() {
        return meta;
    }

    /**
     * Returns the configuration the stream was created with.
     *
     * @return the configuration
     */
    public StreamConfig config() {
        return config;
    }

    /**
     * Returns the current tail position.
     *
     * @return the tail
     */
    public long tail() {
        return log.tail();
    }

    /**
     * Tells whether the stream is closed.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        lock.lock();
        try {
            return closedForReaders();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the time when the stream expires unless a read or write comes before then.
     *
     * @return the expiry instant, or empty for a stream without TTL or expiry time
     */
    public Optional<Instant> expiry() {
        if (config.expiresAt().isPresent()) {
            return config.expiresAt();
        }
        if (config.ttlSeconds().isPresent()) {
            long ttlMillis = Math.multiplyExact(config.ttlSeconds().getAsLong(), 1000L);
            return Optional.of(Instant.ofEpochMilli(lastAccessMillis + ttlMillis));
        }
        return Optional.empty();
    }

    /**
     * Tells whether the stream has expired.
     *
     * @param now the current time
     * @return true when its expiry time has passed
     */
    public boolean isExpired(Instant now) {
        if (config.expiresAt().isEmpty() && liveReaders.get() > 0) {
            return false;
        }
        return expiry().map(at -> !now.isBefore(at)).orElse(false);
    }

    /**
     * Registers a live reader. While any is registered, a sliding TTL does not run out, so a
     * stream that readers follow stays alive without new data. An absolute expiry time still
     * applies.
     */
    public void liveReaderStarted() {
        liveReaders.incrementAndGet();
        touch();
    }

    /**
     * Returns how many live readers are registered now.
     *
     * @return the count
     */
    public int liveReaderCount() {
        return liveReaders.get();
    }

    /** Unregisters a live reader and restarts the sliding TTL from now. */
    public void liveReaderEnded() {
        touch();
        liveReaders.decrementAndGet();
    }

    /** Restarts the sliding TTL window; called by every read and write, never by HEAD. */
    public void touch() {
        lastAccessMillis = clock.millis();
    }

    /**
     * Appends data, closes the stream, or both, after checking the request against the stream's
     * closure, content type, idempotent-producer state and {@code Stream-Seq}, in that order.
     *
     * @param append the parsed request
     * @return the outcome
     * @throws StreamClosedException when the stream is closed and the request is not a repeat of
     *         the close
     * @throws StreamConflictException when the content type or {@code Stream-Seq} conflicts
     * @throws ProducerFencedException when the producer epoch is stale
     * @throws ProducerSequenceGapException when the producer sequence skips ahead
     * @throws InvalidRequestException when a new producer epoch does not start at sequence 0
     * @throws StreamDeletedException when the stream was deleted meanwhile
     */
    public AppendResult append(Append append) {
        long written;
        boolean visible;
        AppendResult result;
        lock.lock();
        try {
            checkNotDeleted();
            // Every write restarts the sliding TTL, also a repeated close or a duplicate batch.
            touch();
            if (closed) {
                return repeatOfClose(append);
            }
            if (!append.isCloseOnly()) {
                checkContentType(append);
            }

            Optional<ProducerId> producer = append.producer();
            if (producer.isPresent()) {
                Optional<AppendResult> duplicate = checkProducer(producer.get());
                if (duplicate.isPresent()) {
                    return duplicate.get();
                }
            }
            append.streamSeq().ifPresent(this::checkStreamSeq);

            WriterState state = new WriterState(producer, append.streamSeq(), append.close(),
                    clock.millis());
            written = log.append(append.records(), state);
            applyWriterState(state, written);
            result = new AppendResult(written, closed, false, producer);
            visible = log.tail() >= written;
            if (visible) {
                applyRetentionLocked();
                dataChanged.signalAll();
            }
        } finally {
            lock.unlock();
        }

        // Waiting for the sync outside the lock lets appends that arrive meanwhile join it.
        log.awaitDurable(written);
        if (!visible) {
            lock.lock();
            try {
                // Retention counts only visible data, so it runs once this append is visible.
                applyRetentionLocked();
                dataChanged.signalAll();
            } finally {
                lock.unlock();
            }
        }
        return result;
    }

    /**
     * Replays the writer state of one stored append, while the stream is rebuilt at start-up
     * and before anyone else can see it.
     *
     * @param state the state the append carried
     * @param end the position just past its data
     */
    void replay(WriterState state, long end) {
        lock.lock();
        try {
            // Saved snapshots and frames may repeat state, so replay never moves it backwards.
            if (state.producer().isPresent()) {
                ProducerId p = state.producer().get();
                ProducerState known = producers.get(p.id());
                if (known != null && (known.epoch() > p.epoch()
                        || (known.epoch() == p.epoch() && known.lastSeq() > p.seq()))) {
                    state = new WriterState(Optional.empty(), state.streamSeq(), state.close(),
                            state.timestampMillis());
                }
            }
            if (state.streamSeq().isPresent() && lastStreamSeq != null
                    && compareBytes(state.streamSeq().get(), lastStreamSeq) < 0) {
                state = new WriterState(state.producer(), Optional.empty(), state.close(),
                        state.timestampMillis());
            }
            applyWriterState(state, end);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the writer state as records that replaying restores: one per producer, one for
     * {@code Stream-Seq}. Retention saves these before it deletes the appends that carried them.
     */
    private List<WriterState> writerStateSnapshot() {
        assert lock.isHeldByCurrentThread();
        List<WriterState> snapshot = new ArrayList<>();
        long now = clock.millis();
        producers.forEach((id, state) -> snapshot.add(new WriterState(
                Optional.of(new ProducerId(id, state.epoch(), state.lastSeq())), Optional.empty(),
                false, now)));
        if (lastStreamSeq != null) {
            snapshot.add(new WriterState(Optional.empty(), Optional.of(lastStreamSeq), false, now));
        }
        return snapshot;
    }

    /**
     * Sets the time of the last read or write, as recovered from storage at start-up.
     *
     * @param millis epoch milliseconds
     */
    void restoreLastAccess(long millis) {
        lastAccessMillis = millis;
        recordedAccessMillis = millis;
    }

    /**
     * Returns the time of the last read or write.
     *
     * @return epoch milliseconds
     */
    long lastAccessMillis() {
        return lastAccessMillis;
    }

    /**
     * Returns the last access time if it changed since the previous call, so the reaper hands
     * storage only new values.
     *
     * @return the new last access time, or empty
     */
    OptionalLong takeUnrecordedAccess() {
        long current = lastAccessMillis;
        if (current == recordedAccessMillis) {
            return OptionalLong.empty();
        }
        recordedAccessMillis = current;
        return OptionalLong.of(current);
    }

    /** Returns this stream's log, for storage. */
    StreamLog log() {
        return log;
    }

    /**
     * Reads stored data from a position, up to a size limit.
     *
     * @param from the position to read from, at most the tail
     * @param maxBytes the number of bytes to stay within; a JSON read returns at least one whole
     *        message even when that message is larger
     * @return the data and the stream's state
     * @throws InvalidRequestException when the position lies beyond the tail, or inside a JSON
     *         message
     */
    public ReadResult read(long from, int maxBytes) {
        ReadRange range = range(from, maxBytes);
        byte[] data;
        try {
            data = copy(from, range.next());
        } catch (IllegalArgumentException | StorageException e) {
            throw notRetainedOr(from, e);
        }
        return new ReadResult(from, range.next(), data, range.tail(), range.closed());
    }

    /**
     * Chooses the range a read from a position returns, up to a size limit, without copying
     * its bytes. {@link #writeTo} sends them.
     *
     * @param from the position to read from, at most the tail
     * @param maxBytes the number of bytes to stay within; a JSON read returns at least one whole
     *        message even when that message is larger
     * @return the range and the stream's state
     * @throws InvalidRequestException when the position lies beyond the tail, or inside a JSON
     *         message
     * @throws OffsetNotRetainedException when retention dropped the data at the position
     */
    public ReadRange range(long from, int maxBytes) {
        long to;
        long tail;
        boolean closedNow;
        lock.lock();
        try {
            checkNotDeleted();
            tail = log.tail();
            checkReadPosition(from, tail);
            if (from == tail) {
                to = tail;
            } else if (config.isJson()) {
                to = recordEnd(from, maxBytes);
            } else {
                to = Math.min(tail, from + maxBytes);
            }
            closedNow = closedForReaders();
        } finally {
            lock.unlock();
        }
        touch();
        return new ReadRange(from, to, tail, closedNow);
    }

    /**
     * Writes the bytes of a range to an output stream in pieces of at most
     * {@link StreamLog#PIECE_BYTES}, straight from storage. Holds no lock, because bytes below
     * a tail once read are never rewritten.
     *
     * @param from first position, inside a range that {@link #range} returned
     * @param to position past the last byte, inside the same range
     * @param out where the bytes go
     * @throws IOException when writing to {@code out} fails
     * @throws OffsetNotRetainedException when retention dropped the bytes meanwhile
     * @throws StorageException when reading fails
     */
    public void writeTo(long from, long to, OutputStream out) throws IOException {
        try {
            transfer(from, to, out);
        } catch (IllegalArgumentException | StorageException e) {
            throw notRetainedOr(from, e);
        }
    }

    /**
     * Returns the exception to raise for a failed copy from a position below the tail.
     * Retention may drop the data after its range was chosen, which the log reports as an
     * invalid range or, on disk, as a missing file.
     */
    private RuntimeException notRetainedOr(long from, RuntimeException e) {
        long earliest = earliest();
        return from < earliest ? new OffsetNotRetainedException(path, earliest) : e;
    }

    /**
     * Checks that a read may start at a position, before a live read commits its response.
     *
     * @param from the position
     * @throws InvalidRequestException when the position lies beyond the tail, or inside a JSON
     *         message
     * @throws OffsetNotRetainedException when retention dropped the data there
     */
    public void checkReadPosition(long from) {
        lock.lock();
        try {
            checkNotDeleted();
            checkReadPosition(from, log.tail());
        } finally {
            lock.unlock();
        }
    }

    private void checkReadPosition(long from, long tail) {
        assert lock.isHeldByCurrentThread();
        if (from > tail) {
            throw new InvalidRequestException("Offset " + Offsets.format(from)
                    + " is beyond the tail of stream " + path + " at " + Offsets.format(tail));
        }
        long earliest = earliest();
        if (from < earliest) {
            throw new OffsetNotRetainedException(path, earliest);
        }
        if (config.isJson() && !isRecordBoundary(from)) {
            throw new InvalidRequestException("Offset " + Offsets.format(from)
                    + " is not a position returned for stream " + path);
        }
    }

    /**
     * Blocks until data exists past a position, the stream closes or is deleted, or a timeout
     * passes.
     *
     * @param position the reader's position
     * @param timeout how long to wait at most
     * @return why the wait ended
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public LiveWait awaitData(long position, Duration timeout) throws InterruptedException {
        long remainingNanos = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            // Checked under the same lock that appends take, so an append between a reader's
            // catch-up read and this wait is seen here instead of being missed until the timeout.
            while (true) {
                if (deleted || softDeleted) {
                    return LiveWait.DELETED;
                }
                if (shuttingDown) {
                    return LiveWait.SHUTDOWN;
                }
                if (log.tail() > position) {
                    return LiveWait.DATA;
                }
                if (closedForReaders()) {
                    return LiveWait.CLOSED;
                }
                if (remainingNanos <= 0) {
                    return LiveWait.TIMED_OUT;
                }
                remainingNanos = dataChanged.awaitNanos(remainingNanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tells whether an idempotent create with these settings matches this stream.
     *
     * @param other the requested configuration
     * @param closeRequested whether the request asks for a closed stream
     * @param otherFork the requested fork point, if the request creates a fork
     * @return true when content type, TTL, expiry time, retention, closure status and fork
     *         point match
     */
    public boolean matches(StreamConfig other, boolean closeRequested,
                           Optional<ForkPoint> otherFork) {
        boolean sameOrigin = forkPoint.map(f -> otherFork.isPresent()
                        && f.source() == otherFork.get().source()
                        && f.position() == otherFork.get().position())
                .orElse(otherFork.isEmpty());
        lock.lock();
        try {
            return sameOrigin
                    && config.acceptsContentType(other.contentType())
                    && config.ttlSeconds().equals(other.ttlSeconds())
                    && config.expiresAt().equals(other.expiresAt())
                    && config.retention().equals(other.retention())
                    && closedForReaders() == closeRequested;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the first position a read may start at: 0, unless retention dropped older data
     * of this stream or, for a fork, of its source.
     *
     * @return the earliest readable position
     */
    public long earliest() {
        if (forkPoint.isEmpty()) {
            return log.earliest();
        }
        long split = forkPoint.get().position();
        if (log.earliest() > split) {
            return log.earliest();
        }
        return Math.min(forkPoint.get().source().earliest(), split);
    }

    /** Drops data that the stream's retention policy no longer keeps, such as by age. */
    void applyRetention() {
        if (!config.retention().isLimited()) {
            return;
        }
        lock.lock();
        try {
            if (!deleted) {
                applyRetentionLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private void applyRetentionLocked() {
        assert lock.isHeldByCurrentThread();
        if (config.retention().isLimited()) {
            long start = log.retainedStart(config.retention(), clock.millis());
            if (start > log.earliest()) {
                log.dropBefore(start, writerStateSnapshot());
            }
        }
    }

    /**
     * Returns where this stream branches from its source.
     *
     * @return the fork point, or empty for a stream that is not a fork
     */
    public Optional<ForkPoint> forkPoint() {
        return forkPoint;
    }

    /**
     * Copies data of this stream's view: inherited bytes below the fork point, own bytes above.
     * Needs no lock because stored bytes below the tail never change.
     *
     * @param from first position
     * @param to position past the last byte, at most a tail read before
     * @return the bytes
     */
    byte[] copy(long from, long to) {
        if (forkPoint.isEmpty() || from >= forkPoint.get().position()) {
            return log.copy(from, to);
        }
        long split = forkPoint.get().position();
        DurableStream source = forkPoint.get().source();
        if (to <= split) {
            return source.copy(from, to);
        }
        byte[] inherited = source.copy(from, split);
        byte[] own = log.copy(split, to);
        byte[] result = Arrays.copyOf(inherited, inherited.length + own.length);
        System.arraycopy(own, 0, result, inherited.length, own.length);
        return result;
    }

    /** Writes bytes of this stream's view as {@link #copy} returns them. */
    private void transfer(long from, long to, OutputStream out) throws IOException {
        if (forkPoint.isEmpty() || from >= forkPoint.get().position()) {
            log.writeTo(from, to, out);
            return;
        }
        long split = forkPoint.get().position();
        DurableStream source = forkPoint.get().source();
        if (to <= split) {
            source.transfer(from, to, out);
            return;
        }
        source.transfer(from, split, out);
        log.writeTo(split, to, out);
    }

    /**
     * Tells whether a position of this stream's view is a record boundary.
     *
     * @param position a position at most the tail
     * @return true at the start, the tail, the fork point or the end of a record
     */
    boolean isRecordBoundary(long position) {
        if (position == 0) {
            return true;
        }
        if (forkPoint.isPresent() && position <= forkPoint.get().position()) {
            return position == forkPoint.get().position()
                    || forkPoint.get().source().isRecordBoundary(position);
        }
        return log.isBoundary(position);
    }

    /**
     * Finds how far a read from a record boundary may go without splitting a record, across the
     * fork point when there is room.
     *
     * @param from a record boundary below the tail
     * @param maxBytes the size to stay within; the first record is returned even when larger
     * @return the end of the last whole record within {@code maxBytes}
     */
    long recordEnd(long from, long maxBytes) {
        if (forkPoint.isEmpty() || from >= forkPoint.get().position()) {
            return log.recordEnd(from, maxBytes);
        }
        long split = forkPoint.get().position();
        long end = Math.min(forkPoint.get().source().recordEnd(from, maxBytes), split);
        long room = maxBytes - (split - from);
        if (end < split || room <= 0 || log.tail() == split) {
            return end;
        }
        long own = log.recordEnd(split, room);
        return own - from <= maxBytes ? own : split;
    }

    /**
     * Finds the end of the append that contains or starts at a position of this stream's view.
     * The inherited part of a fork counts as one append ending at the fork point.
     *
     * @param from a position at most the tail
     * @return the end of that append, or {@code from} when no data follows
     */
    long batchEnd(long from) {
        if (forkPoint.isEmpty() || from >= forkPoint.get().position()) {
            return log.batchEnd(from);
        }
        long split = forkPoint.get().position();
        long end = forkPoint.get().source().batchEnd(from);
        return end <= from ? split : Math.min(end, split);
    }

    /** Returns how many live forks read this stream's data. Lifecycle lock held by caller. */
    int forkCount() {
        return forkCount;
    }

    /** Adds or removes a fork reference. Lifecycle lock held by caller. */
    void addForks(int delta) {
        forkCount += delta;
    }

    /**
     * Tells whether the stream was deleted while forks still read its data.
     *
     * @return true once soft-deleted
     */
    public boolean isSoftDeleted() {
        lock.lock();
        try {
            return softDeleted;
        } finally {
            lock.unlock();
        }
    }

    /** Ends every current and future live wait, for a graceful shutdown. */
    void shutDownLiveReaders() {
        lock.lock();
        try {
            shuttingDown = true;
            dataChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the stream soft-deleted and wakes its live readers so they can end. */
    void markSoftDeleted() {
        lock.lock();
        try {
            softDeleted = true;
            dataChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the stream deleted and wakes its live readers so they can end. */
    void markDeleted() {
        lock.lock();
        try {
            deleted = true;
            dataChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private AppendResult repeatOfClose(Append append) {
        assert lock.isHeldByCurrentThread();
        if (append.isCloseOnly()) {
            return new AppendResult(finalPosition, true, true, Optional.empty());
        }
        if (append.producer().isPresent() && append.producer().get().equals(closedBy)) {
            return new AppendResult(finalPosition, true, true, append.producer());
        }
        throw new StreamClosedException(path, finalPosition);
    }

    private void applyWriterState(WriterState state, long end) {
        assert lock.isHeldByCurrentThread();
        state.producer().ifPresent(p -> producers.put(p.id(),
                new ProducerState(p.epoch(), p.seq())));
        state.streamSeq().ifPresent(seq -> lastStreamSeq = seq);
        if (state.close()) {
            closed = true;
            finalPosition = end;
            closedBy = state.producer().orElse(null);
        }
    }

    /** Tells whether readers see the stream closed: closed, and the final data visible. */
    private boolean closedForReaders() {
        assert lock.isHeldByCurrentThread();
        return closed && log.tail() >= finalPosition;
    }

    private void checkContentType(Append append) {
        if (append.contentType().isEmpty()) {
            throw new InvalidRequestException("Content-Type is required on an append with a body;"
                    + " this stream's content type is " + config.contentType());
        }
        String requested = append.contentType().get();
        if (!config.acceptsContentType(requested)) {
            throw new StreamConflictException("Content type " + requested
                    + " does not match the stream's content type " + config.contentType());
        }
    }

    /** Validates a producer's epoch and sequence; returns a result when the batch is a repeat. */
    private Optional<AppendResult> checkProducer(ProducerId producer) {
        assert lock.isHeldByCurrentThread();
        ProducerState state = producers.get(producer.id());
        if (state == null || producer.epoch() > state.epoch()) {
            if (producer.seq() != 0) {
                throw new InvalidRequestException("Producer epoch " + producer.epoch()
                        + " is new, so its first sequence number must be 0, not "
                        + producer.seq());
            }
            return Optional.empty();
        }
        if (producer.epoch() < state.epoch()) {
            throw new ProducerFencedException(producer.id(), producer.epoch(), state.epoch());
        }
        if (producer.seq() <= state.lastSeq()) {
            ProducerId current = new ProducerId(producer.id(), state.epoch(), state.lastSeq());
            return Optional.of(new AppendResult(log.tail(), closedForReaders(), true,
                    Optional.of(current)));
        }
        if (producer.seq() > state.lastSeq() + 1) {
            throw new ProducerSequenceGapException(state.lastSeq() + 1, producer.seq());
        }
        return Optional.empty();
    }

    private void checkStreamSeq(String seq) {
        if (lastStreamSeq != null && compareBytes(seq, lastStreamSeq) <= 0) {
            throw new StreamConflictException("Stream-Seq " + seq
                    + " must be greater than the last one, " + lastStreamSeq);
        }
    }

    private void checkNotDeleted() {
        if (deleted) {
            throw new StreamDeletedException(path);
        }
        if (softDeleted) {
            throw new StreamGoneException(path);
        }
    }

    /** Compares header values byte by byte, as the protocol orders {@code Stream-Seq}. */
    private static int compareBytes(String a, String b) {
        // Header values arrive as ISO-8859-1 text, which maps each byte to one char.
        return Arrays.compareUnsigned(a.getBytes(ISO_8859_1), b.getBytes(ISO_8859_1));
    }

    /** Writer state of one idempotent producer: its epoch and highest accepted sequence. */
    private record ProducerState(long epoch, long lastSeq) {
    }
}
