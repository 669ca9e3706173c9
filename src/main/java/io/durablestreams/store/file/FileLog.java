package io.durablestreams.store.file;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.Condition;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import io.durablestreams.store.Durability;
import io.durablestreams.store.RecordIndex;
import io.durablestreams.store.Retention;
import io.durablestreams.store.RecoveredStream.StoredAppend;
import io.durablestreams.store.StorageException;
import io.durablestreams.store.StreamLog;
import io.durablestreams.store.WriterState;

/**
 * A {@link StreamLog} in segment files of one directory, each a sequence of checksummed frames
 * (see {@link Frames}), one frame per append.
 *
 * <p>Segment files are named by the stream position of their first byte, zero-padded to 20
 * digits ({@code 00000000000000001234.seg}), so a missing segment shows as a gap in positions.
 * A new segment starts when the active one would grow past the segment size. An in-memory index
 * maps every append to its segment and file offset, so a read at any position starts with a
 * binary search instead of a scan.
 *
 * <p>Thread-safety: see {@link StreamLog}. Appends are serialized by the stream's lock; the
 * active segment, the index and the written position change only there and are published
 * through volatile fields. Syncs for group commit are coordinated by {@link #syncLock}.
 */
final class FileLog implements StreamLog {

    private static final System.Logger LOGGER = System.getLogger(FileLog.class.getName());
    private static final String SUFFIX = ".seg";
    private static final String WRITER_STATE = "writer-state";

    private final Path directory;
    private final long start;
    private final FileHandles handles;
    private final Durability durability;
    private final long segmentBytes;
    private final Consumer<FileLog> onDirty;
    private final RecordIndex index = new RecordIndex();

    /** Start position and file of every segment, oldest first. Replaced on roll. */
    private volatile Segment[] segments;
    /** Bytes in the active (last) segment. Written only by the appending thread. */
    private long activeBytes;

    /** Per append: start position, segment number and payload file offset. */
    private volatile long[] batchStarts = new long[4];
    private volatile int[] batchSegments = new int[4];
    private volatile long[] batchOffsets = new long[4];
    private volatile int batchCount;

    /** Position after the last written append. */
    private volatile long written;
    /** Position readers may see. */
    private volatile long tail;
    /** First position still kept; retention moves it forward. */
    private volatile long earliest;
    /** Set after a write or sync failure; the log then rejects appends. */
    private volatile IOException failure;

    private final ReentrantLock syncLock = new ReentrantLock();
    /** Signalled when a sync completes. */
    private final Condition synced = syncLock.newCondition();
    // Guarded by syncLock.
    private long durable;
    private boolean syncing;

    private FileLog(Path directory, long start, FileHandles handles, Durability durability,
                    long segmentBytes, Consumer<FileLog> onDirty) {
        this.directory = directory;
        this.start = start;
        this.handles = handles;
        this.durability = durability;
        this.segmentBytes = segmentBytes;
        this.onDirty = onDirty;
        this.written = start;
        this.tail = start;
        this.earliest = start;
        this.durable = start;
        this.segments = new Segment[0];
    }

    /**
     * Creates an empty log in an existing, empty directory.
     *
     * @return the log
     */
    static FileLog create(Path directory, long start, FileHandles handles, Durability durability,
                          long segmentBytes, Consumer<FileLog> onDirty) {
        return new FileLog(directory, start, handles, durability, segmentBytes, onDirty);
    }

    /**
     * Opens a log, verifying every frame. A torn or corrupt frame and everything after it is
     * cut off, with a warning naming the file and position.
     *
     * @param appends receives the writer state of every intact append, in order
     * @return the log
     * @throws IOException when the directory cannot be read or repaired
     */
    static FileLog recover(Path directory, long start, FileHandles handles,
                           Durability durability, long segmentBytes, Consumer<FileLog> onDirty,
                           List<StoredAppend> appends) throws IOException {
        return recover(directory, start, handles, durability, segmentBytes, onDirty, appends,
                false);
    }

    /**
     * Opens a log as {@link #recover(Path, long, FileHandles, Durability, long, Consumer, List)}
     * does, for a stream whose retention may have deleted its first segments.
     *
     * @param retained true when retention may have deleted segments, so the first segment may
     *        start past {@code start}; otherwise such a gap means lost data, and everything
     *        after it is dropped
     * @return the log
     * @throws IOException when the directory cannot be read or repaired
     */
    static FileLog recover(Path directory, long start, FileHandles handles,
                           Durability durability, long segmentBytes, Consumer<FileLog> onDirty,
                           List<StoredAppend> appends, boolean retained) throws IOException {
        FileLog log = new FileLog(directory, start, handles, durability, segmentBytes, onDirty);
        List<Path> files = segmentFiles(directory);
        List<Segment> kept = new ArrayList<>();
        long position = start;
        boolean intact = true;
        int dropped = 0;
        if (retained && !files.isEmpty() && segmentStart(files.get(0)) > start) {
            // Retention deleted the segments before this one, after saving the writer state
            // their appends carried.
            position = segmentStart(files.get(0));
            log.earliest = position;
            appends.addAll(savedWriterState(directory, position));
        }
        for (Path file : files) {
            if (!intact || segmentStart(file) != position) {
                if (intact) {
                    LOGGER.log(Level.WARNING, "Segment " + file + " starts at "
                            + segmentStart(file) + " but the data before it ends at " + position
                            + "; dropping it and later segments");
                }
                intact = false;
                handles.evict(file);
                Files.delete(file);
                dropped++;
                continue;
            }
            kept.add(new Segment(position, file));
            log.segments = kept.toArray(Segment[]::new);
            long[] end = {position};
            intact = log.recoverSegment(kept.size() - 1, file, end, appends);
            position = end[0];
        }
        if (dropped > 0) {
            LOGGER.log(Level.WARNING, "Dropped " + dropped + " segments of " + directory
                    + " after the damaged data; the stream now ends at position " + position);
        }
        log.written = position;
        log.tail = position;
        log.durable = position;
        return log;
    }

    @Override
    public long start() {
        return start;
    }

    @Override
    public long tail() {
        return tail;
    }

    @Override
    public long earliest() {
        return earliest;
    }

    @Override
    public void dropBefore(long position, List<WriterState> writerState) {
        if (position <= earliest) {
            return;
        }
        earliest = position;
        Segment[] before = segments;
        boolean deletes = before.length > 1 && before[1].start() <= position;
        if (deletes && !saveWriterState(writerState)) {
            // Without the saved state, deleting would make recovery forget producers.
            return;
        }
        // Delete whole segments below the new earliest position; the active one always stays.
        Segment[] current = segments;
        int drop = 0;
        while (drop + 1 < current.length && current[drop + 1].start() <= position) {
            drop++;
        }
        for (int i = 0; i < drop; i++) {
            Path file = current[i].file();
            if (file == null) {
                continue;
            }
            try {
                handles.evict(file);
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOGGER.log(Level.WARNING, "Deleting retained-out segment " + file + " failed: "
                        + e.getMessage());
            }
        }
        if (drop > 0) {
            Segment[] kept = current.clone();
            for (int i = 0; i < drop; i++) {
                kept[i] = new Segment(current[i].start(), null);
            }
            segments = kept;
        }
    }

    /** Writes the writer state aside, atomically; returns false when that failed. */
    private boolean saveWriterState(List<WriterState> writerState) {
        Path temp = directory.resolve(WRITER_STATE + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            for (WriterState state : writerState) {
                Frames.Encoded frame = Frames.encode(List.of(), state);
                long done = 0;
                while (done < frame.frameBytes()) {
                    done += channel.write(frame.buffers());
                }
            }
            channel.force(true);
            Files.move(temp, directory.resolve(WRITER_STATE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            FileStorage.syncDirectory(directory);
            return true;
        } catch (IOException e) {
            LOGGER.log(Level.WARNING, "Saving writer state in " + directory + " failed, so"
                    + " retention keeps old segments for now: " + e.getMessage());
            return false;
        }
    }

    /** Reads the writer state that retention saved, as appends to replay before all others. */
    private static List<StoredAppend> savedWriterState(Path directory, long position)
            throws IOException {
        Path file = directory.resolve(WRITER_STATE);
        if (!Files.exists(file)) {
            return List.of();
        }
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file));
        List<StoredAppend> saved = new ArrayList<>();
        while (all.remaining() >= Frames.PREFIX_BYTES) {
            int length = all.getInt();
            int checksum = all.getInt();
            if (length <= 0 || length > all.remaining()) {
                break;
            }
            ByteBuffer body = all.slice(all.position(), length);
            all.position(all.position() + length);
            if (Frames.checksum(body) != checksum) {
                LOGGER.log(Level.WARNING, "Saved writer state in " + file + " is corrupt");
                break;
            }
            saved.add(new StoredAppend(Frames.decode(body).state(), position));
        }
        return saved;
    }

    @Override
    public long retainedStart(Retention retention, long nowMillis) {
        return index.retainedStart(retention, earliest, tail, nowMillis);
    }

    @Override
    public long append(List<byte[]> records, WriterState state) {
        if (failure != null) {
            throw new StorageException("Stream storage in " + directory + " failed earlier",
                    failure);
        }
        Frames.Encoded frame = Frames.encode(records, state);
        // A pending interrupt would close the shared file channel in the middle of the write;
        // it is set aside and restored afterwards.
        boolean interrupted = Thread.interrupted();
        try {
            int segment = segmentFor(frame.frameBytes());
            long frameOffset = activeBytes;
            try (FileHandles.Lease lease = handles.lease(segments[segment].file())) {
                writeFully(lease.channel(), frame.buffers(), frameOffset, frame.frameBytes());
            } catch (IOException | UncheckedIOException e) {
                discardPartialFrame(segments[segment].file(), frameOffset);
                throw e;
            }
            activeBytes += frame.frameBytes();
            long end = indexAppend(records, segment, frameOffset + frame.payloadOffset(),
                    state.timestampMillis());
            written = end;
            if (durability != Durability.FSYNC) {
                tail = end;
                onDirty.accept(this);
            }
            return end;
        } catch (IOException | UncheckedIOException e) {
            IOException cause = ioCause(e);
            throw new StorageException("Writing to stream storage in " + directory + " failed",
                    cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Cuts a frame that failed part-way, so the next append starts at a clean frame boundary.
     * When that fails too, the log rejects further appends, because a later frame would follow
     * garbage that recovery would cut together with it.
     */
    private void discardPartialFrame(Path file, long frameOffset) {
        try (FileHandles.Lease lease = handles.lease(file)) {
            if (lease.channel().size() > frameOffset) {
                lease.channel().truncate(frameOffset);
            }
        } catch (IOException | UncheckedIOException e) {
            failure = ioCause(e);
            LOGGER.log(Level.ERROR, "Cutting a failed write in " + file + " failed; the stream"
                    + " accepts no more appends until the server restarts", e);
        }
    }

    // NOTE: group commit works within one stream. Appends to many streams at once sync each
    // stream's file separately, which measured about half the durable append rate of the same
    // load on a single stream (etc/bench, 2 cores). A shared log for all streams would lift it.
    @Override
    public void awaitDurable(long position) {
        if (durability != Durability.FSYNC) {
            return;
        }
        syncLock.lock();
        try {
            while (durable < position) {
                if (syncing) {
                    synced.awaitUninterruptibly();
                    continue;
                }
                // This thread syncs for every append written so far, including ones whose
                // threads are waiting here: that is the group commit.
                syncing = true;
                long target = written;
                Segment active = segments[segments.length - 1];
                syncLock.unlock();
                try {
                    force(active.file());
                } finally {
                    syncLock.lock();
                    syncing = false;
                    synced.signalAll();
                }
                durable = Math.max(durable, target);
                tail = Math.max(tail, durable);
            }
        } finally {
            syncLock.unlock();
        }
    }

    /**
     * Tells whether a write or sync of this log failed, after which it rejects appends.
     *
     * @return true after a failure
     */
    boolean hasFailed() {
        return failure != null;
    }

    /**
     * Forces written data to disk; the interval syncer and shutdown call this.
     */
    void sync() {
        Segment[] current = segments;
        if (current.length == 0) {
            return;
        }
        force(current[current.length - 1].file());
    }

    @Override
    public byte[] copy(long from, long to) {
        Segment[] files = segments;
        checkRange(from, to);
        byte[] result = new byte[Math.toIntExact(to - from)];
        int count = batchCount;
        long[] starts = batchStarts;
        int[] segmentOf = batchSegments;
        long[] offsets = batchOffsets;
        int batch = batchAt(starts, count, from);
        long position = from;
        while (position < to) {
            long batchEnd = batch + 1 < count ? starts[batch + 1] : written;
            int length = (int) (Math.min(to, batchEnd) - position);
            if (length > 0) {
                long fileOffset = offsets[batch] + (position - starts[batch]);
                readFully(files[segmentOf[batch]].file(), result,
                        (int) (position - from), length, fileOffset);
                position += length;
            }
            batch++;
        }
        return result;
    }

    /**
     * Writes stored bytes through one buffer of at most {@link #PIECE_BYTES}. Each file read
     * fills the buffer with as many consecutive frames of one segment as fit, so that a stream
     * of small appends does not cost a read per append, and the payload parts of the buffer go
     * to {@code out} with the frame headers between them left out.
     */
    @Override
    public void writeTo(long from, long to, OutputStream out) throws IOException {
        Segment[] files = segments;
        checkRange(from, to);
        if (from == to) {
            return;
        }
        int count = batchCount;
        long[] starts = batchStarts;
        int[] segmentOf = batchSegments;
        long[] offsets = batchOffsets;
        long end = written;
        byte[] buffer = new byte[(int) Math.min(PIECE_BYTES, to - from)];
        int batch = batchAt(starts, count, from);
        long position = from;
        while (position < to) {
            long batchEnd = batch + 1 < count ? starts[batch + 1] : end;
            if (batchEnd <= position) {
                batch++;
                continue;
            }

            long windowStart = offsets[batch] + (position - starts[batch]);
            long firstEnd = Math.min(Math.min(to, batchEnd), position + buffer.length);
            long windowEnd = windowStart + (firstEnd - position);
            int last = batch;
            // Later appends join the window while their payloads, up to the range's end, fit.
            while (firstEnd == Math.min(to, batchEnd) && last + 1 < count
                    && starts[last + 1] < to && segmentOf[last + 1] == segmentOf[batch]) {
                long nextEnd = Math.min(to, last + 2 < count ? starts[last + 2] : end);
                long nextFileEnd = offsets[last + 1] + (nextEnd - starts[last + 1]);
                if (nextFileEnd - windowStart > buffer.length) {
                    break;
                }
                last++;
                windowEnd = nextFileEnd;
            }

            readFully(files[segmentOf[batch]].file(), buffer, 0,
                    (int) (windowEnd - windowStart), windowStart);
            out.write(buffer, 0, (int) (firstEnd - position));
            position = firstEnd;
            for (int b = batch + 1; b <= last; b++) {
                long pieceEnd = Math.min(to, b + 1 < count ? starts[b + 1] : end);
                int length = (int) (pieceEnd - starts[b]);
                if (length > 0) {
                    out.write(buffer, (int) (offsets[b] - windowStart), length);
                }
                position = Math.max(position, pieceEnd);
            }
            batch = last;
        }
    }

    /**
     * Checks a range against the stored data. Called after the segment table is read: retention
     * raises the earliest position before it replaces the table, so a table without the files
     * of the range always fails this check.
     */
    private void checkRange(long from, long to) {
        if (from < earliest || to < from || to > written) {
            throw new IllegalArgumentException("Invalid range [" + from + ", " + to + ") for a log"
                    + " holding [" + start + ", " + written + ")");
        }
    }

    @Override
    public long recordEnd(long from, long maxBytes) {
        return index.recordEnd(from, maxBytes, tail);
    }

    @Override
    public long batchEnd(long from) {
        return index.batchEnd(from, tail);
    }

    @Override
    public boolean isBoundary(long position) {
        return position == start || position == earliest || position == tail
                || index.isRecordEnd(position);
    }

    @Override
    public void close() {
        for (Segment segment : segments) {
            if (segment.file() != null) {
                handles.evict(segment.file());
            }
        }
    }

    /** Returns the segment to append a frame to, starting a new one when the active is full. */
    private int segmentFor(long frameBytes) throws IOException {
        Segment[] current = segments;
        if (current.length > 0 && (activeBytes == 0 || activeBytes + frameBytes <= segmentBytes)) {
            return current.length - 1;
        }
        if (current.length > 0 && durability == Durability.FSYNC) {
            // Later syncs force only the new segment, so the old one must be durable now.
            force(current[current.length - 1].file());
        }
        Path file = directory.resolve(String.format(Locale.ROOT, "%020d%s", written, SUFFIX));
        Files.createFile(file);
        if (durability == Durability.FSYNC) {
            FileStorage.syncDirectory(directory);
        }
        Segment[] grown = Arrays.copyOf(current, current.length + 1);
        grown[current.length] = new Segment(written, file);
        segments = grown;
        activeBytes = 0;
        return grown.length - 1;
    }

    private long indexAppend(List<byte[]> records, int segment, long payloadOffset,
                             long timestampMillis) {
        long position = written;
        addBatch(position, segment, payloadOffset);
        for (byte[] record : records) {
            position += record.length;
            index.addRecordEnd(position);
        }
        index.addBatchEnd(position, timestampMillis);
        return position;
    }

    private void addBatch(long batchStart, int segment, long payloadOffset) {
        int count = batchCount;
        long[] starts = batchStarts;
        int[] segmentOf = batchSegments;
        long[] offsets = batchOffsets;
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            segmentOf = Arrays.copyOf(segmentOf, count * 2);
            offsets = Arrays.copyOf(offsets, count * 2);
        }
        starts[count] = batchStart;
        segmentOf[count] = segment;
        offsets[count] = payloadOffset;
        batchStarts = starts;
        batchSegments = segmentOf;
        batchOffsets = offsets;
        batchCount = count + 1;
    }

    /**
     * Reads the frames of one segment into the index. Returns false when the segment had to be
     * cut short, so later segments are dropped.
     */
    private boolean recoverSegment(int segment, Path file, long[] position,
                                   List<StoredAppend> appends) throws IOException {
        long offset = 0;
        try (FileHandles.Lease lease = handles.lease(file)) {
            FileChannel channel = lease.channel();
            long size = channel.size();
            while (offset < size) {
                String problem = null;
                ByteBuffer prefix = ByteBuffer.allocate(Frames.PREFIX_BYTES);
                if (size - offset < Frames.PREFIX_BYTES) {
                    problem = "torn frame header";
                } else {
                    channel.read(prefix, offset);
                    prefix.flip();
                }
                int length = problem == null ? prefix.getInt() : 0;
                int checksum = problem == null ? prefix.getInt() : 0;
                long room = size - offset - Frames.PREFIX_BYTES;
                if (problem == null && (length <= 0 || length > room)) {
                    problem = "torn or corrupt frame length " + length;
                }
                Frames.Decoded decoded = null;
                ByteBuffer body = null;
                if (problem == null) {
                    body = ByteBuffer.allocate(length);
                    readFully(channel, body, offset + Frames.PREFIX_BYTES);
                    body.flip();
                    if (Frames.checksum(body) != checksum) {
                        problem = "checksum mismatch";
                    } else {
                        try {
                            decoded = Frames.decode(body.duplicate());
                        } catch (IllegalArgumentException e) {
                            problem = e.getMessage();
                        }
                    }
                }
                if (problem != null) {
                    long cut = size - offset;
                    LOGGER.log(Level.WARNING, "Segment " + file + ": " + problem + " at byte "
                            + offset + "; cutting " + cut + " bytes");
                    channel.truncate(offset);
                    channel.force(true);
                    activeBytes = offset;
                    return false;
                }

                long payloadOffset = offset + Frames.PREFIX_BYTES + decoded.payloadOffset();
                addBatch(position[0], segment, payloadOffset);
                for (int length2 : decoded.recordLengths()) {
                    position[0] += length2;
                    index.addRecordEnd(position[0]);
                }
                index.addBatchEnd(position[0], decoded.state().timestampMillis());
                appends.add(new StoredAppend(decoded.state(), position[0]));
                offset += Frames.PREFIX_BYTES + length;
            }
        }
        activeBytes = offset;
        return true;
    }

    private void force(Path file) {
        boolean interrupted = Thread.interrupted();
        try (FileHandles.Lease lease = handles.lease(file)) {
            lease.channel().force(false);
        } catch (java.nio.channels.ClosedByInterruptException e) {
            // An interrupt that arrived during the sync; the data may not be durable yet, but
            // the next sync retries it, so the log stays usable.
            throw new StorageException("Syncing stream storage in " + directory
                    + " was interrupted", e);
        } catch (IOException | UncheckedIOException e) {
            IOException cause = ioCause(e);
            failure = cause;
            throw new StorageException("Syncing stream storage in " + directory + " failed", cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void readFully(Path file, byte[] target, int targetOffset, int length,
                           long fileOffset) {
        try (FileHandles.Lease lease = handles.lease(file)) {
            readFully(lease.channel(), ByteBuffer.wrap(target, targetOffset, length), fileOffset);
        } catch (IOException | UncheckedIOException e) {
            IOException cause = ioCause(e);
            throw new StorageException("Reading stream storage in " + directory + " failed", cause);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long fileOffset)
            throws IOException {
        long offset = fileOffset;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, offset);
            if (read < 0) {
                throw new IOException("Unexpected end of segment file at " + offset);
            }
            offset += read;
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer[] buffers, long fileOffset,
                                   long bytes) throws IOException {
        channel.position(fileOffset);
        long done = 0;
        while (done < bytes) {
            done += channel.write(buffers);
        }
    }

    /** Returns the index of the append that contains {@code position}. */
    private static int batchAt(long[] starts, int count, long position) {
        int found = Arrays.binarySearch(starts, 0, count, position);
        if (found >= 0) {
            // Close-only appends share their start with the next append; take the last one.
            while (found + 1 < count && starts[found + 1] == position) {
                found++;
            }
            return found;
        }
        return Math.max(0, -found - 2);
    }

    private static List<Path> segmentFiles(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX))
                    .sorted()
                    .toList();
        }
    }

    private static long segmentStart(Path file) {
        String name = file.getFileName().toString();
        try {
            return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Returns the I/O failure behind an exception from file access. */
    private static IOException ioCause(Exception e) {
        return e instanceof UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e;
    }

    /** One segment file, null once retention deleted it, and the position of its first byte. */
    private record Segment(long start, Path file) {
    }
}
