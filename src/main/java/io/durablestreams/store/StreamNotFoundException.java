package io.durablestreams.store;

/** An operation on a path where no stream exists (HTTP 404). */
public final class StreamNotFoundException extends StreamException {

    /**
     * Creates the exception.
     *
     * @param path the stream's path
     */
    public StreamNotFoundException(String path) {
        super("Stream " + path + " not found");
    }
}
