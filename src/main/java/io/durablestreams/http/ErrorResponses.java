package io.durablestreams.http;

import java.lang.System.Logger.Level;

import io.durablestreams.store.InvalidRequestException;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.ProducerFencedException;
import io.durablestreams.store.ProducerSequenceGapException;
import io.durablestreams.store.StorageException;
import io.durablestreams.store.StreamClosedException;
import io.durablestreams.store.StreamConflictException;
import io.durablestreams.store.StreamDeletedException;
import io.durablestreams.store.StreamException;
import io.durablestreams.store.StreamGoneException;
import io.durablestreams.store.StreamNotFoundException;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * Maps request and stream failures to responses: the status, the protocol headers a client needs
 * to react, and a short plain-text reason.
 */
final class ErrorResponses {

    private static final System.Logger LOGGER = System.getLogger(ErrorResponses.class.getName());

    private ErrorResponses() {
    }

    /**
     * Sends the response for a stream failure.
     *
     * @param res the response, not yet sent
     * @param e the failure
     */
    static void send(ServerResponse res, StreamException e) {
        switch (e) {
            case InvalidRequestException invalid -> sendText(res, Status.BAD_REQUEST_400, invalid);
            case StreamConflictException conflict -> sendText(res, Status.CONFLICT_409, conflict);
            case StreamDeletedException deleted -> sendText(res, Status.NOT_FOUND_404, deleted);
            case StreamNotFoundException notFound -> sendText(res, Status.NOT_FOUND_404, notFound);
            case StreamGoneException gone -> sendText(res, Status.GONE_410, gone);
            case StorageException storage -> {
                LOGGER.log(Level.ERROR, storage.getMessage(), storage.getCause());
                res.header(HeaderNames.RETRY_AFTER, "1");
                sendText(res, Status.SERVICE_UNAVAILABLE_503, "Storage is unavailable; retry later");
            }
            case StreamClosedException closed -> {
                res.header(ProtocolHeaders.STREAM_CLOSED, "true");
                res.header(ProtocolHeaders.STREAM_NEXT_OFFSET, Offsets.format(closed.tail()));
                sendText(res, Status.CONFLICT_409, closed);
            }
            case ProducerFencedException fenced -> {
                res.header(ProtocolHeaders.PRODUCER_EPOCH, Long.toString(fenced.currentEpoch()));
                sendText(res, Status.FORBIDDEN_403, fenced);
            }
            case ProducerSequenceGapException gap -> {
                res.header(ProtocolHeaders.PRODUCER_EXPECTED_SEQ, Long.toString(gap.expected()));
                res.header(ProtocolHeaders.PRODUCER_RECEIVED_SEQ, Long.toString(gap.received()));
                sendText(res, Status.CONFLICT_409, gap);
            }
        }
    }

    /**
     * Sends the response for a request rejected by the HTTP layer.
     *
     * @param res the response, not yet sent
     * @param e the failure
     */
    static void send(ServerResponse res, HttpProblemException e) {
        sendText(res, e.status(), e);
    }

    /**
     * Sends a plain-text error.
     *
     * @param res the response
     * @param status the status
     * @param message the reason
     */
    static void sendText(ServerResponse res, Status status, String message) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(message + "\n");
    }

    private static void sendText(ServerResponse res, Status status, RuntimeException e) {
        sendText(res, status, e.getMessage());
    }
}
