package io.durablestreams.store;

/**
 * A request that conflicts with the stream's state: a different configuration on create, a
 * content type that does not match, or a {@code Stream-Seq} that does not increase (HTTP 409).
 */
public final class StreamConflictException extends StreamException {

    /**
     * Creates the exception.
     *
     * @param message what conflicts, for the client
     */
    public StreamConflictException(String message) {
        super(message);
    }
}
