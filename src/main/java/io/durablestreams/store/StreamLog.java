package io.durablestreams.store;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * The stored data of one stream: an append-only sequence of records addressed by byte position,
 * together with the writer state each append carried.
 *
 * <p>A record is the unit one append stores: the whole body of a byte stream append, or one
 * message of a JSON stream. Record boundaries are kept so that reads of JSON streams never split
 * a message, and append boundaries so that fork sub-offsets can count within one append.
 *
 * <p>An append is written by {@link #append} and becomes visible to readers through
 * {@link #tail()} once {@link #awaitDurable} has returned for it, so a reader never sees data
 * that a crash could still take away (what survives a crash depends on the log's durability
 * policy).
 *
 * <p>Thread-safety: {@link #append} is called by one thread at a time (the owning stream's lock
 * ensures this). Every other method may run concurrently with it.
 */
public interface StreamLog {

    /** Largest piece {@link #writeTo} hands to its output stream in one write. */
    int PIECE_BYTES = 64 * 1024;

    /**
     * Returns the position of the first byte this log stores; positions below it belong to a
     * fork's source.
     *
     * @return the start position
     */
    long start();

    /**
     * Returns the position of the first byte still kept; retention moves it forward.
     *
     * @return the earliest readable position, at least {@link #start()}
     */
    long earliest();

    /**
     * Drops the records below a position and frees their space where the storage allows.
     *
     * @param position a record boundary between {@link #earliest()} and the tail
     * @param writerState the stream's writer state now, which durable storage saves before it
     *        deletes the appends that carried it, so recovery still knows every producer
     */
    void dropBefore(long position, List<WriterState> writerState);

    /**
     * Computes where the data a retention policy keeps starts.
     *
     * @param retention the policy
     * @param nowMillis the current time, epoch milliseconds
     * @return a record boundary at or above {@link #earliest()}
     */
    long retainedStart(Retention retention, long nowMillis);

    /**
     * Returns the position just past the last byte readers may see.
     *
     * @return the visible tail
     */
    long tail();

    /**
     * Writes one append: its records and the writer state that admitted it, as one unit that a
     * crash keeps or loses whole.
     *
     * @param records the records, none of them empty; empty for a close-only append
     * @param state the producer, {@code Stream-Seq} and closure the append carries
     * @return the position just past the written data
     * @throws StorageException when the write fails
     */
    long append(List<byte[]> records, WriterState state);

    /**
     * Blocks until everything written up to a position is as durable as the log's policy
     * promises, then makes it visible to readers.
     *
     * @param position a position returned by {@link #append}
     * @throws StorageException when syncing fails
     */
    void awaitDurable(long position);

    /**
     * Copies stored bytes.
     *
     * @param from first position, at least {@link #start()}
     * @param to position past the last byte, at most a tail the caller has read
     * @return the bytes in {@code [from, to)}
     * @throws StorageException when reading fails
     */
    byte[] copy(long from, long to);

    /**
     * Writes stored bytes to an output stream in pieces of at most {@link #PIECE_BYTES}, taken
     * straight from storage, so that the memory a read needs does not grow with its range.
     *
     * @param from first position, at least {@link #earliest()}
     * @param to position past the last byte, at most a tail the caller has read
     * @param out where the bytes go
     * @throws IOException when writing to {@code out} fails
     * @throws IllegalArgumentException when the range lies outside the stored data
     * @throws StorageException when reading fails, also when retention deleted the data meanwhile
     */
    void writeTo(long from, long to, OutputStream out) throws IOException;

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

    /** Releases the log's resources; its data stays where it is stored. */
    void close();
}
