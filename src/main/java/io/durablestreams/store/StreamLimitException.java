package io.durablestreams.store;

/**
 * Thrown when creating a stream would take the store past its limit on streams.
 */
public final class StreamLimitException extends StreamException {

    /**
     * Creates the exception.
     *
     * @param maxStreams the limit
     */
    public StreamLimitException(int maxStreams) {
        super("The server holds its limit of " + maxStreams + " streams; delete streams or retry"
                + " later");
    }
}
