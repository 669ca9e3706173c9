package io.durablestreams.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryLogTest {

    /** Writer state of appends without producer, Stream-Seq or close. */
    private static final WriterState NO_WRITER =
            new WriterState(Optional.empty(), Optional.empty(), false, 0);

    @Test
    void appendMovesTailAndCopyReturnsBytes() {
        MemoryLog log = new MemoryLog(0);
        log.append(List.of(ascii("hello "), ascii("world")), NO_WRITER);

        assertThat("tail after 11 bytes", log.tail(), is(11L));
        assertThat("whole log", text(log.copy(0, 11)), is("hello world"));
        assertThat("range inside the second record", text(log.copy(7, 10)), is("orl"));
        assertThat("empty range at the tail", log.copy(11, 11).length, is(0));
    }

    @Test
    void copySpansPageBoundaries() {
        MemoryLog log = new MemoryLog(0);
        byte[] expected = patterned(0, 3 * MemoryLog.PAGE_BYTES + 123);
        int recordBytes = 50_000;
        List<byte[]> records = new ArrayList<>();
        for (int from = 0; from < expected.length; from += recordBytes) {
            records.add(Arrays.copyOfRange(expected, from,
                    Math.min(expected.length, from + recordBytes)));
        }
        log.append(records, NO_WRITER);

        assertArrayEquals(expected, log.copy(0, expected.length), "whole log across pages");
        int boundary = MemoryLog.PAGE_BYTES;
        assertArrayEquals(Arrays.copyOfRange(expected, boundary - 5, boundary + 5),
                log.copy(boundary - 5, boundary + 5), "range across the first page boundary");
        assertArrayEquals(Arrays.copyOfRange(expected, boundary, 2 * boundary + 1),
                log.copy(boundary, 2 * boundary + 1), "range of one page and one byte");
    }

    @Test
    void manySmallAppendsKeepEveryByte() {
        MemoryLog log = new MemoryLog(0);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            byte[] record = patterned(expected.size(), 1 + random.nextInt(100));
            log.append(List.of(record), NO_WRITER);
            expected.writeBytes(record);
        }

        assertThat("tail after all appends", log.tail(), is((long) expected.size()));
        assertArrayEquals(expected.toByteArray(), log.copy(0, log.tail()),
                "bytes after the first page grew and more pages were added");
    }

    @Test
    void copyRejectsRangesOutsideTheLog() {
        MemoryLog log = new MemoryLog(10);
        log.append(List.of(ascii("abc")), NO_WRITER);

        assertThrows(IllegalArgumentException.class, () -> log.copy(9, 11),
                "range starting before the log's start");
        assertThrows(IllegalArgumentException.class, () -> log.copy(11, 14),
                "range ending past the tail");
        assertThrows(IllegalArgumentException.class, () -> log.copy(12, 11),
                "range ending before it starts");
    }

    @Test
    void logWithNonZeroStartAddressesFromStart() {
        MemoryLog log = new MemoryLog(100);
        log.append(List.of(ascii("abc")), NO_WRITER);

        assertThat("start", log.start(), is(100L));
        assertThat("tail", log.tail(), is(103L));
        assertThat("bytes", text(log.copy(100, 103)), is("abc"));
        assertThat("start is a boundary", log.isBoundary(100), is(true));
    }

    @Test
    void recordEndKeepsWholeRecordsWithinLimit() {
        MemoryLog log = tenRecordsOfTenBytes();

        assertThat("two whole records fit in 25 bytes", log.recordEnd(0, 25), is(20L));
        assertThat("three records fit exactly in 30 bytes", log.recordEnd(0, 30), is(30L));
        assertThat("the limit counts from the start position", log.recordEnd(10, 25),
                is(30L));
        assertThat("all records fit in a large limit", log.recordEnd(0, 1_000), is(100L));
    }

    @Test
    void recordEndNeverSplitsOversizedRecord() {
        MemoryLog log = tenRecordsOfTenBytes();

        assertThat("a record is never split, even when larger than the limit",
                log.recordEnd(0, 5), is(10L));
        assertThat("the same holds for a later record", log.recordEnd(90, 1), is(100L));
    }

    @Test
    void isBoundaryOnlyAtRecordEnds() {
        MemoryLog log = tenRecordsOfTenBytes();

        for (long position = 0; position <= 100; position++) {
            assertThat("position " + position, log.isBoundary(position),
                    is(position % 10 == 0));
        }
    }

    @Test
    void readersSeeStableBytesWhileOneWriterAppends() throws Exception {
        MemoryLog log = new MemoryLog(0);
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch readersStarted = new CountDownLatch(4);
        // Platform threads, because spinning virtual threads would starve each other on few cores.
        ExecutorService executor = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                readers.add(executor.submit(() -> {
                    readersStarted.countDown();
                    int checks = 0;
                    while (writing.get() || checks == 0) {
                        long tail = log.tail();
                        byte[] bytes = log.copy(0, tail);
                        assertArrayEquals(patterned(0, bytes.length), bytes,
                                "bytes below a tail of " + tail);
                        checks++;
                    }
                    return checks;
                }));
            }
            assertTrue(readersStarted.await(5, TimeUnit.SECONDS), "readers should start");

            Random random = new Random(11);
            long position = 0;
            for (int i = 0; i < 3_000; i++) {
                byte[] record = patterned(position, 1 + random.nextInt(700));
                log.append(List.of(record), NO_WRITER);
                position += record.length;
            }
            writing.set(false);

            for (Future<Integer> reader : readers) {
                assertThat("reader found no wrong byte", reader.get(10, TimeUnit.SECONDS) > 0,
                        is(true));
            }
        } finally {
            writing.set(false);
            executor.shutdownNow();
        }
    }

    @Test
    void writeToSendsPagesInBoundedPieces() throws IOException {
        MemoryLog log = new MemoryLog(100);
        byte[] expected = patterned(100, 5 * MemoryLog.PAGE_BYTES + 77);
        log.append(List.of(expected), NO_WRITER);
        long[][] ranges = {
            {100, 100 + expected.length},
            {101, 102},
            {100 + MemoryLog.PAGE_BYTES - 3, 100 + 2L * MemoryLog.PAGE_BYTES + 3},
            {100 + 4L * MemoryLog.PAGE_BYTES, 100 + expected.length},
            {150, 150},
        };

        for (long[] range : ranges) {
            PieceRecorder out = new PieceRecorder();
            log.writeTo(range[0], range[1], out);
            String name = "range [" + range[0] + ", " + range[1] + ")";
            assertArrayEquals(log.copy(range[0], range[1]), out.toByteArray(), name);
            assertTrue(out.largestPiece <= StreamLog.PIECE_BYTES,
                    name + " was written in pieces of at most " + StreamLog.PIECE_BYTES
                            + " bytes, not " + out.largestPiece);
        }
        assertThrows(IllegalArgumentException.class,
                () -> log.writeTo(99, 101, new PieceRecorder()), "range before the start");
        assertThrows(IllegalArgumentException.class,
                () -> log.writeTo(100, 101 + expected.length, new PieceRecorder()),
                "range past the tail");
    }

    @Test
    void readsRacingRetentionNeverSeeReleasedPages() throws Exception {
        MemoryLog log = new MemoryLog(0);
        byte[] page = new byte[MemoryLog.PAGE_BYTES];
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                boolean stream = r == 0;
                readers.add(executor.submit(() -> {
                    int reads = 0;
                    while (writing.get() || reads == 0) {
                        long from = log.earliest();
                        long to = log.tail();
                        try {
                            if (stream) {
                                log.writeTo(from, to, OutputStream.nullOutputStream());
                            } else {
                                log.copy(from, to);
                            }
                            reads++;
                        } catch (IllegalArgumentException e) {
                            // Retention passed the start of the range first: an invalid range, not a failure.
                        }
                    }
                    return reads;
                }));
            }
            // Each append adds a page and retention then releases the one before it, so a read
            // that checks its range before it takes the page table meets a released page.
            for (int i = 0; i < 3_000; i++) {
                log.append(List.of(page), NO_WRITER);
                log.dropBefore(log.tail() - page.length, List.of());
            }
            writing.set(false);
            for (Future<Integer> reader : readers) {
                assertTrue(reader.get(10, TimeUnit.SECONDS) > 0, "reader finished its reads");
            }
        } finally {
            writing.set(false);
            executor.shutdownNow();
        }
    }

    /** Collects what is written and records the largest single write. */
    private static final class PieceRecorder extends ByteArrayOutputStream {
        private int largestPiece;

        @Override
        public void write(byte[] bytes, int offset, int length) {
            largestPiece = Math.max(largestPiece, length);
            super.write(bytes, offset, length);
        }
    }

    private static MemoryLog tenRecordsOfTenBytes() {
        MemoryLog log = new MemoryLog(0);
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(ascii("record-" + i + ".."));
        }
        log.append(records, NO_WRITER);
        return log;
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

    private static byte[] ascii(String text) {
        return text.getBytes(US_ASCII);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, US_ASCII);
    }
}
