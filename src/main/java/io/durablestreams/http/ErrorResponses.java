package io.durablestreams.http;

import java.lang.System.Logger.Level;

import io.durablestreams.store.InvalidRequestException;
import io.durablestreams.store.OffsetNotRetainedException;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.ProducerFencedException;
import io.durablestreams.store.ProducerSequenceGapException;
import io.durablestreams.store.StorageException;
import io.durablestreams.store.StreamClosedException;
import io.durablestreams.store.StreamConflictException;
import io.durablestreams.store.StreamDeletedException;
import io.durablestreams.store.StreamException;
import io.durablestreams.store.StreamGoneException;
import io.durablestreams.store.StreamLimitException;
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
     * @param withBody false for HEAD requests, whose responses carry no content
     */
    static void send(ServerResponse res, StreamException e, boolean withBody) {
        Status status = switch (e) {
            case InvalidRequestException invalid -> Status.BAD_REQUEST_400;
            case StreamConflictException conflict -> Status.CONFLICT_409;
            case StreamDeletedException deleted -> Status.NOT_FOUND_404;
            case StreamNotFoundException notFound -> Status.NOT_FOUND_404;
            case StreamGoneException gone -> Status.GONE_410;
            case OffsetNotRetainedException dropped -> {
                res.header(ProtocolHeaders.STREAM_EARLIEST_OFFSET,
                        Offsets.format(dropped.earliest()));
                yield Status.GONE_410;
            }
            case StreamClosedException closed -> {
                res.header(ProtocolHeaders.STREAM_CLOSED, "true");
                res.header(ProtocolHeaders.STREAM_NEXT_OFFSET, Offsets.format(closed.tail()));
                yield Status.CONFLICT_409;
            }
            case ProducerFencedException fenced -> {
                res.header(ProtocolHeaders.PRODUCER_EPOCH, Long.toString(fenced.currentEpoch()));
                yield Status.FORBIDDEN_403;
            }
            case ProducerSequenceGapException gap -> {
                res.header(ProtocolHeaders.PRODUCER_EXPECTED_SEQ, Long.toString(gap.expected()));
                res.header(ProtocolHeaders.PRODUCER_RECEIVED_SEQ, Long.toString(gap.received()));
                yield Status.CONFLICT_409;
            }
            case StreamLimitException limit -> {
                res.header(HeaderNames.RETRY_AFTER, "60");
                yield Status.SERVICE_UNAVAILABLE_503;
            }
            case StorageException storage -> {
                // The cause's message is enough; a stack trace per failing request would flood
                // the log while a disk is full.
                LOGGER.log(Level.ERROR, storage.getMessage() + ": " + storage.getCause());
                res.header(HeaderNames.RETRY_AFTER, "1");
                yield Status.SERVICE_UNAVAILABLE_503;
            }
        };
        // Storage failures name server-side paths, which clients must not see.
        String message = e instanceof StorageException
                ? "Storage is unavailable; retry later"
                : e.getMessage();
        sendText(res, status, message, withBody);
    }

    /**
     * Sends the response for a request rejected by the HTTP layer.
     *
     * @param res the response, not yet sent
     * @param e the failure
     * @param withBody false for HEAD requests, whose responses carry no content
     */
    static void send(ServerResponse res, HttpProblemException e, boolean withBody) {
        e.retryAfterSeconds().ifPresent(seconds -> res.header(HeaderNames.RETRY_AFTER, seconds));
        sendText(res, e.status(), e.getMessage(), withBody);
    }

    /**
     * Sends a plain-text error.
     *
     * @param res the response
     * @param status the status
     * @param message the reason
     * @param withBody false for HEAD requests
     */
    static void sendText(ServerResponse res, Status status, String message, boolean withBody) {
        res.status(status);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        if (withBody) {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.send(message + "\n");
        } else {
            res.send();
        }
    }
}
