package io.durablestreams.store;

import java.util.Arrays;

/**
 * Ends of the records and appends (batches) of one log, ascending, for reads that must not
 * split a record and for fork sub-offsets that count within one append.
 *
 * <p>Thread-safety: one writer (the owning stream's lock ensures this) and any number of readers
 * without locks. Arrays are replaced, never shrunk, and each count is published after its array,
 * so a reader that reads the count first always finds that many valid entries.
 */
public final class RecordIndex {

    private volatile long[] recordEnds = new long[4];
    private volatile int recordCount;
    private volatile long[] batchEnds = new long[4];
    /** When each append was accepted, epoch milliseconds, for age-based retention. */
    private volatile long[] batchTimes = new long[4];
    private volatile int batchCount;

    /**
     * Adds the end of one record.
     *
     * @param end the position just past the record
     */
    public void addRecordEnd(long end) {
        long[] ends = recordEnds;
        int count = recordCount;
        if (count == ends.length) {
            ends = Arrays.copyOf(ends, count * 2);
        }
        ends[count] = end;
        recordEnds = ends;
        recordCount = count + 1;
    }

    /**
     * Adds the end of one append, after the ends of its records.
     *
     * @param end the position just past the append's data
     */
    public void addBatchEnd(long end, long timestampMillis) {
        long[] ends = batchEnds;
        long[] times = batchTimes;
        int count = batchCount;
        if (count == ends.length) {
            ends = Arrays.copyOf(ends, count * 2);
            times = Arrays.copyOf(times, count * 2);
        }
        ends[count] = end;
        times[count] = timestampMillis;
        batchEnds = ends;
        batchTimes = times;
        batchCount = count + 1;
    }

    /**
     * Computes where the data a retention policy keeps starts: always a record boundary, never
     * below {@code earliest}, never past {@code limit}.
     *
     * @param retention the policy
     * @param earliest where kept data starts now
     * @param limit the tail
     * @param nowMillis the current time, epoch milliseconds
     * @return the new start of kept data
     */
    public long retainedStart(Retention retention, long earliest, long limit, long nowMillis) {
        int count = recordCount;
        long[] ends = recordEnds;
        int visible = firstAbove(ends, count, limit);
        long start = earliest;
        if (retention.maxMessages().isPresent() && visible > retention.maxMessages().getAsLong()) {
            start = Math.max(start, ends[visible - (int) retention.maxMessages().getAsLong() - 1]);
        }
        long floor = limit - retention.maxBytes().orElse(Long.MAX_VALUE);
        if (retention.maxBytes().isPresent() && visible > 1 && floor > start) {
            // The first record end at or above the floor, but never past the newest record's
            // start, because the newest record is always kept.
            int first = firstAbove(ends, visible, floor - 1);
            start = Math.max(start, ends[Math.min(first, visible - 2)]);
        }
        if (retention.maxAgeSeconds().isPresent()) {
            long cutoff = nowMillis - retention.maxAgeSeconds().getAsLong() * 1000;
            int batches = batchCount;
            long[] bEnds = batchEnds;
            long[] times = batchTimes;
            for (int i = 0; i < batches && times[i] < cutoff && bEnds[i] <= limit; i++) {
                start = Math.max(start, bEnds[i]);
            }
        }
        return Math.min(start, limit);
    }

    /**
     * Finds how far a read from a record boundary may go without splitting a record.
     *
     * @param from a record boundary below {@code limit}
     * @param maxBytes the size to stay within; the first record is returned even when larger
     * @param limit the tail the reader may see; later records are ignored
     * @return the end of the last whole record within {@code maxBytes}
     */
    public long recordEnd(long from, long maxBytes, long limit) {
        int count = recordCount;
        long[] ends = recordEnds;
        int index = firstAbove(ends, count, from);
        if (index >= count || ends[index] > limit) {
            return limit;
        }
        // A binary search rather than a walk over the records: the caller holds the stream's
        // lock, and a large limit on a stream of small messages would cover many records.
        int last = firstAbove(ends, count, Math.min(from + maxBytes, limit)) - 1;
        return ends[Math.max(index, last)];
    }

    /**
     * Finds the end of the append that contains or starts at a position.
     *
     * @param from a position
     * @param limit the tail the caller may see
     * @return that end, or {@code from} when no append below {@code limit} follows
     */
    public long batchEnd(long from, long limit) {
        int count = batchCount;
        long[] ends = batchEnds;
        int index = firstAbove(ends, count, from);
        return index < count && ends[index] <= limit ? ends[index] : from;
    }

    /**
     * Tells whether a position is the end of a record.
     *
     * @param position the position
     * @return true when a record ends there
     */
    public boolean isRecordEnd(long position) {
        int count = recordCount;
        return Arrays.binarySearch(recordEnds, 0, count, position) >= 0;
    }

    /** Returns the index of the first end strictly above {@code position}. */
    private static int firstAbove(long[] ends, int count, long position) {
        int found = Arrays.binarySearch(ends, 0, count, position);
        return found >= 0 ? found + 1 : -found - 1;
    }
}
