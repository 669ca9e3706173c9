package io.durablestreams.net;

import java.nio.charset.StandardCharsets;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.ErrorHandling;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Responses to requests that Helidon rejects outside the routing, such as a malformed request
 * line or too many header bytes: the fitting status and a short plain-text reason. Helidon's own
 * responses carry no reason, report oversized headers as 400 rather than 431, and use 505 for an
 * unknown HTTP version.
 *
 * <p>Helidon hands a handler the exception's message only when its error handling includes
 * entities, so the listener turns that on with {@link #errorHandling()}. The message is used to
 * tell the cases apart and never sent: every reason is written here.
 */
final class DirectErrorResponses implements DirectHandler {

    private static final System.Logger LOGGER =
            System.getLogger(DirectErrorResponses.class.getName());

    /** Helidon's message when the header block is over {@code max-headers-size}. */
    private static final String HEADERS_TOO_LARGE_MESSAGE = "Header size exceeded";

    private static final Status HEADERS_TOO_LARGE =
            Status.create(431, "Request Header Fields Too Large");

    private final int maxRequestLineBytes;
    private final int maxHeaderBytes;

    private DirectErrorResponses(int maxRequestLineBytes, int maxHeaderBytes) {
        this.maxRequestLineBytes = maxRequestLineBytes;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    /**
     * Returns direct handlers that use this class for every kind of event.
     *
     * @param maxRequestLineBytes the request-line limit, for the 414 reason
     * @param maxHeaderBytes the header limit, for the 431 reason
     * @return the handlers, for a listener's configuration
     */
    static DirectHandlers handlers(int maxRequestLineBytes, int maxHeaderBytes) {
        var handler = new DirectErrorResponses(maxRequestLineBytes, maxHeaderBytes);
        var handlers = DirectHandlers.builder();
        for (EventType type : EventType.values()) {
            handlers.addHandler(type, handler);
        }
        return handlers.build();
    }

    /**
     * Returns error handling that passes exception messages to direct handlers.
     *
     * @return the error handling, for a listener's configuration
     */
    static ErrorHandling errorHandling() {
        return ErrorHandling.builder().includeEntity(true).build();
    }

    @Override
    public TransportResponse handle(TransportRequest request,
                                    EventType eventType,
                                    Status defaultStatus,
                                    ServerResponseHeaders responseHeaders,
                                    String message) {
        if (HEADERS_TOO_LARGE_MESSAGE.equals(message)) {
            return response(HEADERS_TOO_LARGE, responseHeaders, "The request headers are larger"
                    + " than the limit of " + maxHeaderBytes + " bytes");
        }
        int code = defaultStatus.code();
        if (code == Status.REQUEST_URI_TOO_LONG_414.code()) {
            return response(defaultStatus, responseHeaders, "The request line is longer than"
                    + " the limit of " + maxRequestLineBytes + " bytes");
        }
        if (eventType == EventType.INTERNAL_ERROR && request == TransportRequest.empty()) {
            // Helidon failed before it had a request to route. Almost always the client closed
            // its side in the middle of the request head, so this is no server fault to log.
            // NOTE: a fault in Helidon's own request parsing would also end up here, as a 400.
            LOGGER.log(System.Logger.Level.DEBUG, "Request failed before routing: " + message);
            return response(Status.BAD_REQUEST_400, responseHeaders,
                    "Malformed or incomplete HTTP/1.1 request");
        }
        if (eventType == EventType.INTERNAL_ERROR || eventType == EventType.OTHER) {
            // Exception messages may name files or classes, so only the status is sent.
            String reason = code >= 500 ? "Internal server error" : defaultStatus.reasonPhrase();
            return response(defaultStatus, responseHeaders, reason);
        }
        // Anything else rejected before routing is malformed, including request lines with an
        // HTTP version other than 1.1.
        if (code >= 400 && code < 500 && code != Status.BAD_REQUEST_400.code()) {
            return response(defaultStatus, responseHeaders, defaultStatus.reasonPhrase());
        }
        return response(Status.BAD_REQUEST_400, responseHeaders, "Malformed HTTP/1.1 request");
    }

    private static TransportResponse response(Status status, ServerResponseHeaders headers,
                                              String reason) {
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .header(HeaderNames.CACHE_CONTROL, "no-store")
                .header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                .entity((reason + "\n").getBytes(StandardCharsets.UTF_8))
                .build();
    }
}
