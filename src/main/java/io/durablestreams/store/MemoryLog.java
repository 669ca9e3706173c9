package io.durablestreams.store;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link StreamLog} kept in memory in fixed-size pages; nothing survives a restart.
 *
 * <p>Bytes go into pages of {@value #PAGE_BYTES} bytes so that a long stream never needs one huge
 * array and never copies old data when it grows. The first page starts small and doubles up to
 * the page size, so that the many short streams a server typically holds cost little memory.
 * Writer state needs no storage here, because the stream keeps it in memory anyway.
 *
 * <p>Thread-safety: see {@link StreamLog}. The page table and the tail are volatile, and a page
 * region below the published tail is never written again, so readers need no lock.
 */
public final class MemoryLog implements StreamLog {

    static final int PAGE_BYTES = 64 * 1024;

    private static final int FIRST_PAGE_BYTES = 256;

    private final long start;
    private final RecordIndex index = new RecordIndex();

    /** Page table. Replaced, never mutated in place, when a page is added or the first grows. */
    private volatile byte[][] pages = {new byte[FIRST_PAGE_BYTES]};

    private volatile long tail;
    private volatile long earliest;

    /**
     * Creates an empty log.
     *
     * @param start position of the first byte this log will store
     */
    public MemoryLog(long start) {
        this.start = start;
        this.tail = start;
        this.earliest = start;
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
    public long append(List<byte[]> records, WriterState state) {
        long position = tail;
        for (byte[] record : records) {
            write(position, record);
            position += record.length;
            index.addRecordEnd(position);
        }
        index.addBatchEnd(position, state.timestampMillis());
        tail = position;
        return position;
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
        // Release pages that lie wholly below the new earliest position. Readers never ask
        // for them again, because reads below the earliest position are rejected first.
        int freeable = (int) ((position - start) / PAGE_BYTES);
        byte[][] table = pages;
        if (freeable > 0 && table[freeable - 1] != null) {
            byte[][] trimmed = table.clone();
            Arrays.fill(trimmed, 0, Math.min(freeable, trimmed.length), null);
            pages = trimmed;
        }
    }

    @Override
    public long retainedStart(Retention retention, long nowMillis) {
        return index.retainedStart(retention, earliest, tail, nowMillis);
    }

    @Override
    public void awaitDurable(long position) {
        // Memory is as durable as it gets, and append already made the data visible.
    }

    @Override
    public byte[] copy(long from, long to) {
        byte[][] table = pages;
        checkRange(from, to);
        byte[] result = new byte[Math.toIntExact(to - from)];
        long local = from - start;
        int written = 0;
        while (written < result.length) {
            int page = (int) (local / PAGE_BYTES);
            int within = (int) (local % PAGE_BYTES);
            int length = Math.min(PAGE_BYTES - within, result.length - written);
            System.arraycopy(table[page], within, result, written, length);
            written += length;
            local += length;
        }
        return result;
    }

    @Override
    public void writeTo(long from, long to, OutputStream out) throws IOException {
        byte[][] table = pages;
        checkRange(from, to);
        long local = from - start;
        long end = to - start;
        while (local < end) {
            int page = (int) (local / PAGE_BYTES);
            int within = (int) (local % PAGE_BYTES);
            int length = (int) Math.min(Math.min(PAGE_BYTES - within, PIECE_BYTES), end - local);
            out.write(table[page], within, length);
            local += length;
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
        // Nothing to release: the pages go with the last reference to this log.
    }

    /**
     * Checks a range against the stored data. Called after the page table is read: retention
     * raises the earliest position before it replaces the table, so a table whose pages of the
     * range were released always fails this check. Pages stay in the table the caller holds,
     * even when retention or the growth of the first page replaces the table afterwards.
     */
    private void checkRange(long from, long to) {
        if (from < earliest || to < from || to > tail) {
            throw new IllegalArgumentException("Invalid range [" + from + ", " + to + ") for a log"
                    + " holding [" + start + ", " + tail + ")");
        }
    }

    private void write(long position, byte[] bytes) {
        long local = position - start;
        int done = 0;
        while (done < bytes.length) {
            int page = (int) (local / PAGE_BYTES);
            int within = (int) (local % PAGE_BYTES);
            int length = Math.min(PAGE_BYTES - within, bytes.length - done);
            byte[] target = pageForWrite(page, within + length);
            System.arraycopy(bytes, done, target, within, length);
            done += length;
            local += length;
        }
    }

    /** Returns the page to write, adding it or growing the first page to {@code needed} bytes. */
    private byte[] pageForWrite(int page, int needed) {
        byte[][] table = pages;
        if (page < table.length && table[page].length >= needed) {
            return table[page];
        }
        byte[][] grown = page < table.length ? table.clone() : Arrays.copyOf(table, page + 1);
        if (page < table.length) {
            int size = table[page].length;
            while (size < needed) {
                size = Math.min(size * 2, PAGE_BYTES);
            }
            grown[page] = Arrays.copyOf(table[page], size);
        } else {
            grown[page] = new byte[PAGE_BYTES];
        }
        pages = grown;
        return grown[page];
    }
}
