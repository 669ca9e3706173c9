package io.durablestreams.http;

import java.util.Objects;

import io.helidon.http.Status;

/**
 * A request the HTTP layer rejects before it reaches a stream, with the status to send.
 */
public final class HttpProblemException extends RuntimeException {

    private final Status status;

    /**
     * Creates the exception.
     *
     * @param status the 4xx status to send
     * @param message the reason, sent to the client as plain text
     */
    public HttpProblemException(Status status, String message) {
        super(message, null, false, false);
        this.status = Objects.requireNonNull(status, "status");
    }

    /**
     * Creates a 400 Bad Request.
     *
     * @param message the reason
     * @return the exception
     */
    public static HttpProblemException badRequest(String message) {
        return new HttpProblemException(Status.BAD_REQUEST_400, message);
    }

    /**
     * Returns the status to send.
     *
     * @return the status
     */
    public Status status() {
        return status;
    }
}
