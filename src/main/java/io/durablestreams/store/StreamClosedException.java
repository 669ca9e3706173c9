package io.durablestreams.store;

/** An append to a stream that is already closed (HTTP 409 with {@code Stream-Closed: true}). */
public final class StreamClosedException extends StreamException {

    private final long tail;

    /**
     * Creates the exception.
     *
     * @param path the stream's path
     * @param tail the final position of the closed stream
     */
    public StreamClosedException(String path, long tail) {
        super("Stream " + path + " is closed and accepts no more appends");
        this.tail = tail;
    }

    /**
     * Returns the final position of the closed stream.
     *
     * @return the tail position
     */
    public long tail() {
        return tail;
    }
}
