package io.durablestreams.client;

import java.io.IOException;
import java.net.URI;
import java.util.Objects;

/** A response from a Durable Streams server with a status code that the client cannot use. */
public final class HttpStatusException extends IOException {

    private static final int MAX_BODY_CHARS = 200;

    private final int statusCode;
    private final URI uri;

    /**
     * Creates the exception.
     *
     * @param method the request method
     * @param uri the request URI
     * @param statusCode the response status code
     * @param body the start of the response body, which for this server states the reason
     */
    public HttpStatusException(String method, URI uri, int statusCode, String body) {
        super(method + " " + uri + " failed with HTTP " + statusCode + describe(body));
        this.statusCode = statusCode;
        this.uri = Objects.requireNonNull(uri, "uri");
    }

    /**
     * Returns the response status code.
     *
     * @return the status code, for example 404
     */
    public int statusCode() {
        return statusCode;
    }

    /**
     * Returns the request URI.
     *
     * @return the URI
     */
    public URI uri() {
        return uri;
    }

    /**
     * Tells whether the same request may succeed later: for 408 (timeout), 429 (rate limit) and
     * every 5xx status.
     *
     * @return true when a retry makes sense
     */
    public boolean isRetryable() {
        return statusCode == 408 || statusCode == 429 || (statusCode >= 500 && statusCode < 600);
    }

    private static String describe(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        if (oneLine.length() > MAX_BODY_CHARS) {
            oneLine = oneLine.substring(0, MAX_BODY_CHARS) + "...";
        }
        return ": " + oneLine;
    }
}
