package io.durablestreams.demo.llm;

import io.helidon.http.Status;

/**
 * A request the JSON API rejects, with the status and the message the client receives as
 * {@code {"error": "…"}}.
 */
final class ApiProblem extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Status status;

    /**
     * Creates a problem.
     *
     * @param status the response status
     * @param message what is wrong and what to do, for the client
     */
    ApiProblem(Status status, String message) {
        super(message);
        this.status = status;
    }

    /**
     * Returns the response status.
     *
     * @return the status
     */
    Status status() {
        return status;
    }
}
