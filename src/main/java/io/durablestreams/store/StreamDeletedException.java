package io.durablestreams.store;

/**
 * An operation on a stream that was deleted or expired while the request held it (HTTP 404).
 */
public final class StreamDeletedException extends StreamException {

    /**
     * Creates the exception.
     *
     * @param path the stream's path
     */
    public StreamDeletedException(String path) {
        super("Stream " + path + " was deleted");
    }
}
