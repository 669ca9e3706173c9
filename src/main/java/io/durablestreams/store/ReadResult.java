package io.durablestreams.store;

/**
 * A range of stream data and the stream's state when it was read.
 *
 * @param from position of the first byte returned
 * @param next position just past the last byte returned: where the next read starts
 * @param data the bytes in {@code [from, next)}; for JSON streams, whole messages each followed
 *        by a comma
 * @param tail the stream's tail when the range was chosen
 * @param closed whether the stream was closed when the range was chosen
 */
public record ReadResult(long from, long next, byte[] data, long tail, boolean closed) {

    /**
     * Tells whether the read reached the tail, so the reader holds everything stored so far.
     *
     * @return true when nothing was left beyond {@link #next()}
     */
    public boolean upToDate() {
        return next >= tail;
    }

    /**
     * Tells whether the reader has reached the end of a closed stream.
     *
     * @return true when the stream is closed and nothing is left to read
     */
    public boolean endOfStream() {
        return closed && upToDate();
    }

    /**
     * Tells whether the range holds any bytes.
     *
     * @return true when data was returned
     */
    public boolean hasData() {
        return next > from;
    }
}
