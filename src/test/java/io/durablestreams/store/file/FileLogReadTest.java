package io.durablestreams.store.file;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import io.durablestreams.store.Durability;
import io.durablestreams.store.StreamLog;
import io.durablestreams.store.WriterState;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads of a {@link FileLog} that stream stored bytes with {@link FileLog#writeTo}: every range
 * must return the appended bytes, across frames, segments and appends of any size.
 */
class FileLogReadTest {

    private static final WriterState NO_WRITER =
            new WriterState(Optional.empty(), Optional.empty(), false, 0);
    private static final WriterState CLOSE =
            new WriterState(Optional.empty(), Optional.empty(), true, 0);

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
    void writeToMatchesAppendedBytes() throws IOException {
        // Segments of 200 KiB, so that the large appends below roll over to new segments.
        FileLog log = FileLog.create(directory, 0, handles, Durability.NONE, 200 * 1024,
                dirty -> { });
        Random random = new Random(5);
        long position = 0;
        List<Long> ends = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int size = i % 50 == 7 ? 150_000 + random.nextInt(10_000) : 1 + random.nextInt(300);
            position = log.append(List.of(patterned(position, size)), NO_WRITER);
            ends.add(position);
        }
        log.append(List.of(), CLOSE);

        List<long[]> ranges = new ArrayList<>();
        ranges.add(new long[] {0, position});
        ranges.add(new long[] {position, position});
        ranges.add(new long[] {ends.get(6), ends.get(8)});
        ranges.add(new long[] {ends.get(6) + 1, ends.get(7) - 1});
        for (int i = 0; i < 200; i++) {
            long from = (long) (random.nextDouble() * position);
            long to = from + (long) (random.nextDouble() * (position - from));
            ranges.add(new long[] {from, to});
        }
        for (long[] range : ranges) {
            PieceRecorder out = new PieceRecorder();
            log.writeTo(range[0], range[1], out);
            String name = "range [" + range[0] + ", " + range[1] + ")";
            assertArrayEquals(patterned(range[0], (int) (range[1] - range[0])),
                    out.toByteArray(), name);
            assertTrue(out.largestPiece <= StreamLog.PIECE_BYTES, name + " was written in"
                    + " pieces of at most " + StreamLog.PIECE_BYTES + " bytes, not "
                    + out.largestPiece);
        }
        log.close();
    }

    @Test
    void writeToSendsEachSmallAppendOnce() throws IOException {
        FileLog log = FileLog.create(directory, 0, handles, Durability.NONE, 1 << 20,
                dirty -> { });
        long position = 0;
        for (int i = 0; i < 1_000; i++) {
            position = log.append(List.of(patterned(position, 100)), NO_WRITER);
        }

        PieceRecorder out = new PieceRecorder();
        log.writeTo(0, position, out);

        assertArrayEquals(patterned(0, (int) position), out.toByteArray(), "all appends");
        assertEquals(1_000, out.pieces, "one piece per append");
        log.close();
    }

    @Test
    void writeToRejectsRangesOutsideTheLog() {
        FileLog log = FileLog.create(directory, 10, handles, Durability.NONE, 1 << 20,
                dirty -> { });
        log.append(List.of(new byte[] {1, 2, 3}), NO_WRITER);

        assertThrows(IllegalArgumentException.class,
                () -> log.writeTo(9, 11, new PieceRecorder()), "range before the start");
        assertThrows(IllegalArgumentException.class,
                () -> log.writeTo(11, 14, new PieceRecorder()), "range past the tail");
        log.close();
    }

    @Test
    void writeToAllocatesOneBufferForAnyRange() throws IOException {
        FileLog log = FileLog.create(directory, 0, handles, Durability.NONE, 64L << 20,
                dirty -> { });
        byte[] append = new byte[64 * 1024];
        long position = 0;
        for (int i = 0; i < 160; i++) {
            position = log.append(List.of(append), NO_WRITER);
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        OutputCounter out = new OutputCounter();
        log.writeTo(0, position, out);

        long before = threads.getCurrentThreadAllocatedBytes();
        log.writeTo(0, position, out);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(2 * position, out.count, "bytes written by two reads");
        assertTrue(allocated < 1 << 20, "a read of " + position + " bytes allocated "
                + allocated + " bytes; it should need about one buffer of "
                + StreamLog.PIECE_BYTES);
        log.close();
    }

    /** Returns bytes whose values depend on their stream position, so a misplaced byte shows. */
    private static byte[] patterned(long position, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            long p = position + i;
            bytes[i] = (byte) (p * 31 + (p >>> 8));
        }
        return bytes;
    }

    /** Collects what is written and records the number and largest size of the writes. */
    private static final class PieceRecorder extends ByteArrayOutputStream {
        private int largestPiece;
        private int pieces;

        @Override
        public void write(byte[] bytes, int offset, int length) {
            largestPiece = Math.max(largestPiece, length);
            pieces++;
            super.write(bytes, offset, length);
        }
    }

    /** Counts what is written and keeps none of it. */
    private static final class OutputCounter extends java.io.OutputStream {
        private long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            count += length;
        }
    }
}
