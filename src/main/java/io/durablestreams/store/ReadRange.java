package io.durablestreams.store;

/**
 * The range a read returns and the stream's state when the range was chosen. The bytes stay in
 * storage until {@link DurableStream#writeTo} sends them, so a large range costs no memory.
 *
 * @param from position of the first byte of the range
 * @param next position just past the range: where the next read starts
 * @param tail the stream's tail when the range was chosen
 * @param closed whether the stream was closed when the range was chosen
 */
public record ReadRange(long from, long next, long tail, boolean closed) {

    /**
     * Returns the number of bytes in the range.
     *
     * @return {@code next - from}
     */
    public long length() {
        return next - from;
    }

    /**
     * Tells whether the range reaches the tail, so the reader then has everything stored.
     *
     * @return true when nothing was left beyond {@link #next()}
     */
    public boolean upToDate() {
        return next >= tail;
    }

    /**
     * Tells whether the reader reaches the end of a closed stream with this range.
     *
     * @return true when the stream is closed and nothing is left to read
     */
    public boolean endOfStream() {
        return closed && upToDate();
    }

    /**
     * Tells whether the range contains any bytes.
     *
     * @return true when it is not empty
     */
    public boolean hasData() {
        return next > from;
    }
}
