package io.durablestreams.store;

/** A request that is malformed or impossible for the stream it targets (HTTP 400). */
public final class InvalidRequestException extends StreamException {

    /**
     * Creates the exception.
     *
     * @param message what is wrong with the request, for the client
     */
    public InvalidRequestException(String message) {
        super(message);
    }
}
