package io.durablestreams.json;

/** A request body that is not valid JSON, or not an acceptable batch of JSON messages. */
public final class InvalidJsonException extends Exception {

    /**
     * Creates the exception.
     *
     * @param message what is wrong, for the client
     */
    public InvalidJsonException(String message) {
        super(message, null, false, false);
    }
}
