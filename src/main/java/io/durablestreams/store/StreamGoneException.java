package io.durablestreams.store;

/**
 * An operation on a stream that was deleted while forks still read its data (HTTP 410).
 */
public final class StreamGoneException extends StreamException {

    /**
     * Creates the exception.
     *
     * @param path the stream's path
     */
    public StreamGoneException(String path) {
        super("Stream " + path + " was deleted; only its forks still read its data");
    }
}
