package io.durablestreams.store;

import java.util.List;

/**
 * The stored bytes of one stream: an append-only sequence of records addressed by byte position.
 *
 * <p>A record is the unit one append stores: the whole body of a byte stream append, or one
 * message of a JSON stream. Record boundaries are kept so that reads of JSON streams never split
 * a message.
 *
 * <p>Thread-safety: {@link #append} is called by one thread at a time (the owning stream's lock
 * ensures this). {@link #copy} and {@link #recordEnd} may run concurrently with an append for any
 * position below a {@link #tail()} value that the caller read before, because appends only write
 * at or past the tail.
 */
public interface StreamLog {

    /**
     * Returns the position of the first byte this log stores; positions below it belong to
     * no record here.
     *
     * @return the start position, 0 for a stream that stores all of its own data
     */
    long start();

    /**
     * Returns the position just past the last stored byte.
     *
     * @return the tail position
     */
    long tail();

    /**
     * Appends records, each keeping its own boundary.
     *
     * @param records the records, none of them empty
     */
    void append(List<byte[]> records);

    /**
     * Copies stored bytes into a new array.
     *
     * @param from first position, at least {@link #start()}
     * @param to position past the last byte, at most a tail the caller has read
     * @return the bytes in {@code [from, to)}
     */
    byte[] copy(long from, long to);

    /**
     * Finds how far a read that starts at a record boundary may go without splitting a record.
     *
     * @param from a record boundary at or past {@link #start()} and below the tail
     * @param maxBytes the number of bytes the read would like to stay within
     * @return the end of the last whole record within {@code maxBytes}, or the end of the first
     *         record when that record alone is larger
     */
    long recordEnd(long from, long maxBytes);

    /**
     * Finds the end of the append that contains or starts at a position.
     *
     * @param from a position at or past {@link #start()}
     * @return the end of that append, or {@code from} when no data follows it
     */
    long batchEnd(long from);

    /**
     * Tells whether a position is a record boundary: the start, the tail, or the end of a record.
     *
     * @param position a position in {@code [start, tail]}
     * @return true at a boundary
     */
    boolean isBoundary(long position);
}
