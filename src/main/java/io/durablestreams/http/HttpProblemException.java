package io.durablestreams.http;

import java.util.Objects;
import java.util.Optional;

import io.helidon.http.Status;

/**
 * A request the HTTP layer rejects before it reaches a stream, with the status to send.
 */
public final class HttpProblemException extends RuntimeException {

    private final Status status;
    private final Optional<String> retryAfterSeconds;

    /**
     * Creates the exception.
     *
     * @param status the 4xx status to send
     * @param message the reason, sent to the client as plain text
     */
    public HttpProblemException(Status status, String message) {
        super(message, null, false, false);
        this.status = Objects.requireNonNull(status, "status");
        this.retryAfterSeconds = Optional.empty();
    }

    /**
     * Creates the exception for a condition that passes with time.
     *
     * @param status the 4xx or 503 status to send
     * @param message the reason, sent to the client as plain text
     * @param retryAfterSeconds the {@code Retry-After} value, in seconds
     */
    public HttpProblemException(Status status, String message, String retryAfterSeconds) {
        super(message, null, false, false);
        this.status = Objects.requireNonNull(status, "status");
        this.retryAfterSeconds = Optional.of(retryAfterSeconds);
    }

    /**
     * Returns the {@code Retry-After} value to send, if any.
     *
     * @return seconds, or empty
     */
    public Optional<String> retryAfterSeconds() {
        return retryAfterSeconds;
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
