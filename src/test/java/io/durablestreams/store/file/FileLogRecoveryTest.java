package io.durablestreams.store.file;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import io.durablestreams.store.Durability;
import io.durablestreams.store.ProducerId;
import io.durablestreams.store.RecoveredStream.StoredAppend;
import io.durablestreams.store.WriterState;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery of a {@link FileLog} from damage that a crash or a faulty disk can leave in its
 * segment files. Each test writes appends through the log, damages the files while the log is
 * closed, recovers, and checks which appends survived, their data and writer state, and that the
 * recovered log appends at the right position and file offset.
 *
 * <p>The tests locate frames on disk by walking their length prefixes, which the frame format
 * in {@link Frames} defines, rather than by repeating the log's own segment bookkeeping.
 */
class FileLogRecoveryTest {

    /** Small enough that the appends below spread over several segments. */
    private static final long SEGMENT_BYTES = 1024;
    private static final int APPENDS = 14;

    @TempDir
    Path directory;

    private FileHandles handles;

    @BeforeEach
    void openHandles() {
        handles = new FileHandles(16);
    }

    @AfterEach
    void closeHandles() {
        handles.close();
    }

    @Test
    void tornTailDropsLastFrame() throws IOException {
        List<Written> written = writeAppends(APPENDS);
        List<FrameLocation> frames = frameLocations();
        FrameLocation last = frames.getLast();
        truncate(last.file(), last.offset() + last.bytes() / 2);

        FileLog log = recoverAndCheck(written.subList(0, APPENDS - 1));

        assertEquals(last.offset(), Files.size(last.file()),
                "the torn frame must be cut from its segment");
        appendAndRecoverAgain(log, written.subList(0, APPENDS - 1));
    }

    @Test
    void truncatedFrameHeaderIsCut() throws IOException {
        List<Written> written = writeAppends(APPENDS);
        FrameLocation last = frameLocations().getLast();
        // Three bytes of the eight-byte length and checksum prefix remain.
        truncate(last.file(), last.offset() + 3);

        FileLog log = recoverAndCheck(written.subList(0, APPENDS - 1));

        assertEquals(last.offset(), Files.size(last.file()),
                "the partial frame header must be cut from its segment");
        appendAndRecoverAgain(log, written.subList(0, APPENDS - 1));
    }

    @Test
    void zeroFilledTailIsCut() throws IOException {
        List<Written> written = writeAppends(APPENDS);
        Path lastSegment = segmentFiles().getLast();
        long intactSize = Files.size(lastSegment);
        // A file system may leave zeros where data was not yet written back.
        try (FileChannel channel = FileChannel.open(lastSegment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(64), intactSize);
        }

        FileLog log = recoverAndCheck(written);

        assertEquals(intactSize, Files.size(lastSegment), "the zero bytes must be cut");
        appendAndRecoverAgain(log, written);
    }

    @Test
    void corruptChecksumDropsFrameAndLaterSegments() throws IOException {
        List<Written> written = writeAppends(APPENDS);
        List<Path> segments = segmentFiles();
        assertTrue(segments.size() >= 4, "expected at least 4 segments, got " + segments);
        List<FrameLocation> frames = frameLocations();
        // Corrupt the second frame of the second segment, so one frame before it survives.
        int corrupt = indexOfFrame(frames, segments.get(1), 1);
        FrameLocation target = frames.get(corrupt);
        Frames.Encoded encoded = Frames.encode(written.get(corrupt).records(),
                written.get(corrupt).state());
        flipByte(target.file(), target.offset() + encoded.payloadOffset() + 1);

        FileLog log = recoverAndCheck(written.subList(0, corrupt));

        assertEquals(target.offset(), Files.size(target.file()),
                "the corrupt frame and the frames after it must be cut");
        assertEquals(segments.subList(0, 2), segmentFiles(),
                "segments after the cut one must be deleted");
        appendAndRecoverAgain(log, written.subList(0, corrupt));
    }

    @Test
    void missingMiddleSegmentDropsLaterSegments() throws IOException {
        List<Written> written = writeAppends(APPENDS);
        List<Path> segments = segmentFiles();
        assertTrue(segments.size() >= 4, "expected at least 4 segments, got " + segments);
        int survivors = (int) frameLocations().stream()
                .filter(f -> f.file().equals(segments.getFirst()))
                .count();
        Files.delete(segments.get(1));

        FileLog log = recoverAndCheck(written.subList(0, survivors));

        assertEquals(List.of(segments.getFirst()), segmentFiles(),
                "segments after the gap must be deleted");
        appendAndRecoverAgain(log, written.subList(0, survivors));
    }

    @Test
    void missingFirstSegmentDropsEverything() throws IOException {
        writeAppends(APPENDS);
        Files.delete(segmentFiles().getFirst());

        FileLog log = recoverAndCheck(List.of());

        assertEquals(List.of(), segmentFiles(), "segments after the gap must be deleted");
        appendAndRecoverAgain(log, List.of());
        assertEquals(List.of(segmentPath(0)), segmentFiles(),
                "the next append must start a segment at position 0");
    }

    @Test
    void emptySegmentAtTailIsReused() throws IOException {
        List<Written> written = writeAppends(APPENDS);
        long tail = written.getLast().end();
        // What a crash right after creating the next segment file leaves behind.
        Path empty = Files.createFile(segmentPath(tail));

        FileLog log = recoverAndCheck(written);

        Written extra = appendAndRecoverAgain(log, written);
        long frameBytes = Frames.encode(extra.records(), extra.state()).frameBytes();
        assertEquals(frameBytes, Files.size(empty),
                "the next append must go into the empty segment at the tail");
        assertEquals(segmentPath(tail), segmentFiles().getLast(), "no other segment is created");
    }

    @Test
    void emptyFirstSegmentRecoversEmptyLog() throws IOException {
        Files.createFile(segmentPath(0));

        FileLog log = recoverAndCheck(List.of());

        appendAndRecoverAgain(log, List.of());
        assertEquals(List.of(segmentPath(0)), segmentFiles());
    }

    /** One append as written: its records, writer state and the position after its data. */
    private record Written(List<byte[]> records, WriterState state, long end) {
    }

    /** Where one frame lies in the segment files. */
    private record FrameLocation(Path file, long offset, long bytes) {
    }

    /** Writes appends of one to three records of varied sizes, each with its own writer state. */
    private List<Written> writeAppends(int count) {
        FileLog log = FileLog.create(directory, 0, handles, Durability.FSYNC, SEGMENT_BYTES,
                l -> { });
        List<Written> written = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            written.add(append(log, i, written.isEmpty() ? 0 : written.getLast().end()));
        }
        log.close();
        return written;
    }

    /** Appends the records of append number {@code i}, checks its end, and waits for the sync. */
    private static Written append(FileLog log, int i, long start) {
        List<byte[]> records = new ArrayList<>();
        for (int r = 0; r <= i % 3; r++) {
            int length = 40 + (i * 97 + r * 31) % 260;
            byte[] record = new byte[length];
            Arrays.fill(record, (byte) ('a' + (i + r) % 26));
            records.add(record);
        }
        WriterState state = new WriterState(Optional.of(new ProducerId("writer-" + i % 2, 3, i)),
                Optional.of(String.format(Locale.ROOT, "seq-%04d", i)), false,
                1_700_000_000_000L + i);
        long expectedEnd = start + records.stream().mapToLong(r -> r.length).sum();
        long end = log.append(records, state);
        assertEquals(expectedEnd, end, "append " + i + " must end after its data");
        log.awaitDurable(end);
        assertEquals(end, log.tail(), "append " + i + " must be visible after its sync");
        return new Written(records, state, end);
    }

    /**
     * Recovers the log and checks that exactly the expected appends survived: writer states,
     * data, tail and record boundaries.
     */
    private FileLog recoverAndCheck(List<Written> expected) throws IOException {
        List<StoredAppend> appends = new ArrayList<>();
        FileLog log = FileLog.recover(directory, 0, handles, Durability.FSYNC, SEGMENT_BYTES,
                l -> { }, appends);

        List<StoredAppend> expectedAppends = expected.stream()
                .map(w -> new StoredAppend(w.state(), w.end()))
                .toList();
        assertEquals(expectedAppends, appends, "writer states of the surviving appends");
        long tail = expected.isEmpty() ? 0 : expected.getLast().end();
        assertEquals(tail, log.tail(), "tail after recovery");
        assertArrayEquals(concatenate(expected), log.copy(0, tail), "data after recovery");
        long position = 0;
        for (Written written : expected) {
            for (byte[] record : written.records()) {
                position += record.length;
                assertTrue(log.isBoundary(position), "record end " + position + " is a boundary");
            }
        }
        return log;
    }

    /**
     * Appends once more to a recovered log, checks the position, then recovers again to check
     * that the new frame directly follows the surviving ones on disk.
     *
     * @return the new append
     */
    private Written appendAndRecoverAgain(FileLog log, List<Written> survivors)
            throws IOException {
        long tail = survivors.isEmpty() ? 0 : survivors.getLast().end();
        Written extra = append(log, APPENDS + 1, tail);
        assertArrayEquals(concatenate(List.of(extra)), log.copy(tail, extra.end()),
                "data of the append after recovery");
        log.close();

        List<Written> all = new ArrayList<>(survivors);
        all.add(extra);
        recoverAndCheck(all).close();
        return extra;
    }

    private static byte[] concatenate(List<Written> appends) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Written written : appends) {
            for (byte[] record : written.records()) {
                out.writeBytes(record);
            }
        }
        return out.toByteArray();
    }

    private Path segmentPath(long start) {
        return directory.resolve(String.format(Locale.ROOT, "%020d.seg", start));
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".seg"))
                    .sorted()
                    .toList();
        }
    }

    /** Lists every frame of every segment, oldest first, by walking the length prefixes. */
    private List<FrameLocation> frameLocations() throws IOException {
        List<FrameLocation> frames = new ArrayList<>();
        for (Path file : segmentFiles()) {
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            int offset = 0;
            while (offset < bytes.length) {
                int bodyBytes = buffer.getInt(offset);
                long frameBytes = Frames.PREFIX_BYTES + (long) bodyBytes;
                frames.add(new FrameLocation(file, offset, frameBytes));
                offset += (int) frameBytes;
            }
            assertEquals(bytes.length, offset, "frames of " + file + " must fill it exactly");
        }
        return frames;
    }

    private static int indexOfFrame(List<FrameLocation> frames, Path file, int nth) {
        int seen = 0;
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).file().equals(file) && seen++ == nth) {
                return i;
            }
        }
        throw new AssertionError("segment " + file + " has fewer than " + (nth + 1) + " frames");
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
        assertEquals(size, Files.size(file), "size of " + file + " after truncating");
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int original = raf.read();
            assertTrue(original >= 0, "offset " + offset + " is past the end of " + file);
            raf.seek(offset);
            raf.write(original ^ 0x5A);
        }
    }
}
