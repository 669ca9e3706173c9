package io.durablestreams.demo.llm.provider;

/**
 * A provider rejected a request or reported an error while streaming. The message is written
 * for the person reading the answer, and contains no API key.
 */
public final class ProviderException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The provider's error type, such as {@code overloaded_error}, or {@code unknown}. */
    private final String errorType;

    /** The HTTP status of the failed response, or 200 for an error sent inside the stream. */
    private final int httpStatus;

    /**
     * Creates an exception.
     *
     * @param message what failed, for the reader of the answer
     * @param errorType the provider's error type, or {@code unknown}
     * @param httpStatus the HTTP status, or 200 for an error event inside a stream
     */
    public ProviderException(String message, String errorType, int httpStatus) {
        super(message);
        this.errorType = errorType;
        this.httpStatus = httpStatus;
    }

    /**
     * Returns the provider's error type, which is safe to log.
     *
     * @return for example {@code rate_limit_error}, or {@code unknown}
     */
    public String errorType() {
        return errorType;
    }

    /**
     * Returns the HTTP status of the failed response.
     *
     * @return the status, or 200 when the error arrived inside a stream
     */
    public int httpStatus() {
        return httpStatus;
    }
}
