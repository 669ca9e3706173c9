package io.durablestreams.store;

import java.util.Arrays;
import java.util.List;

/**
 * A {@link StreamLog} kept in memory in fixed-size pages.
 *
 * <p>Bytes go into pages of {@value #PAGE_BYTES} bytes so that a long stream never needs one huge
 * array and never copies old data when it grows. The first page starts small and doubles up to
 * the page size, so that the many short streams a server typically holds cost little memory.
 *
 * <p>Thread-safety: see {@link StreamLog}. The page table and the tail are volatile, and a page
 * region below the published tail is never written again, so readers need no lock.
 */
public final class MemoryLog implements StreamLog {

    static final int PAGE_BYTES = 64 * 1024;

    private static final int FIRST_PAGE_BYTES = 256;

    private final long start;

    /** Page table. Replaced, never mutated in place, when a page is added or the first grows. */
    private volatile byte[][] pages = {new byte[FIRST_PAGE_BYTES]};

    /** End position of every record, ascending. Only the appending thread writes it. */
    private volatile long[] recordEnds = new long[8];
    private volatile int recordCount;

    /** End position of every append, ascending; an append of several JSON messages is one. */
    private volatile long[] batchEnds = new long[8];
    private volatile int batchCount;

    private volatile long tail;

    /**
     * Creates an empty log.
     *
     * @param start position of the first byte this log will store
     */
    public MemoryLog(long start) {
        this.start = start;
        this.tail = start;
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
    public void append(List<byte[]> records) {
        long position = tail;
        for (byte[] record : records) {
            write(position, record);
            position += record.length;
            addRecordEnd(position);
        }
        addBatchEnd(position);
        tail = position;
    }

    @Override
    public byte[] copy(long from, long to) {
        if (from < start || to < from || to > tail) {
            throw new IllegalArgumentException("Invalid range [" + from + ", " + to + ") for a log"
                    + " holding [" + start + ", " + tail + ")");
        }
        byte[] result = new byte[Math.toIntExact(to - from)];
        byte[][] table = pages;
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
    public long recordEnd(long from, long maxBytes) {
        // Count before array: the writer publishes the array first, so this array covers count.
        int count = recordCount;
        long[] ends = recordEnds;
        int first = Arrays.binarySearch(ends, 0, count, from);
        // The first record after `from` is the one whose end is the smallest end above `from`.
        int index = first >= 0 ? first + 1 : -first - 1;
        if (index >= count) {
            return tail;
        }
        long limit = from + maxBytes;
        long end = ends[index];
        while (index + 1 < count && ends[index + 1] <= limit) {
            index++;
            end = ends[index];
        }
        return end;
    }

    @Override
    public long batchEnd(long from) {
        int count = batchCount;
        long[] ends = batchEnds;
        int found = Arrays.binarySearch(ends, 0, count, from);
        int index = found >= 0 ? found + 1 : -found - 1;
        return index < count ? ends[index] : from;
    }

    @Override
    public boolean isBoundary(long position) {
        if (position == start || position == tail) {
            return true;
        }
        int count = recordCount;
        return Arrays.binarySearch(recordEnds, 0, count, position) >= 0;
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

    private void addBatchEnd(long end) {
        long[] ends = batchEnds;
        int count = batchCount;
        if (count == ends.length) {
            ends = Arrays.copyOf(ends, count * 2);
        }
        ends[count] = end;
        batchEnds = ends;
        batchCount = count + 1;
    }

    private void addRecordEnd(long end) {
        long[] ends = recordEnds;
        int count = recordCount;
        if (count == ends.length) {
            ends = Arrays.copyOf(ends, count * 2);
        }
        ends[count] = end;
        recordEnds = ends;
        recordCount = count + 1;
    }
}
