package io.durablestreams.http;

import java.util.Optional;

import io.durablestreams.json.JsonMessages;
import io.durablestreams.store.DurableStream;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.ReadResult;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Writes the responses of catch-up and long-poll reads: body, offsets, caching headers.
 */
final class ReadResponses {

    /** Cache policy of data chunks: immutable by position, so shared caches may keep them. */
    static final String CACHEABLE = "public, max-age=60, stale-while-revalidate=300";

    /** Cache policy of responses that describe the tail, which moves. */
    static final String NO_STORE = "no-store";

    private ReadResponses() {
    }

    /**
     * Sends a 200 with the data of a read, or a 304 when the client's cached copy matches.
     *
     * @param req the request, for {@code If-None-Match}
     * @param res the response
     * @param stream the stream read
     * @param read the read result
     * @param cacheControl the {@code Cache-Control} value
     * @param cursor the {@code Stream-Cursor} value, for live reads
     */
    static void sendData(ServerRequest req, ServerResponse res, DurableStream stream,
                         ReadResult read, String cacheControl, Optional<String> cursor) {
        String etag = entityTag(stream, read);
        res.header(HeaderNames.ETAG, etag);
        res.header(HeaderNames.CACHE_CONTROL, cacheControl);
        positionHeaders(res, read.next(), read.upToDate(), read.endOfStream());
        cursor.ifPresent(c -> res.header(ProtocolHeaders.STREAM_CURSOR, c));

        if (matchesIfNoneMatch(req, etag)) {
            res.status(Status.NOT_MODIFIED_304);
            res.send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, stream.config().contentType());
        byte[] body = stream.config().isJson() ? JsonMessages.toArray(read.data()) : read.data();
        res.status(Status.OK_200);
        res.send(body);
    }

    /**
     * Sends the 204 of a long-poll that found no data: the reader is up to date at
     * {@code position}.
     *
     * @param res the response
     * @param position the reader's position, which is the tail
     * @param closed whether the stream is closed
     * @param cursor the cursor, sent only while the stream is open
     */
    static void sendNoData(ServerResponse res, long position, boolean closed, String cursor) {
        res.header(HeaderNames.CACHE_CONTROL, NO_STORE);
        positionHeaders(res, position, true, closed);
        if (!closed) {
            res.header(ProtocolHeaders.STREAM_CURSOR, cursor);
        }
        res.status(Status.NO_CONTENT_204);
        res.send();
    }

    /**
     * Sets {@code Stream-Next-Offset}, {@code Stream-Up-To-Date} and {@code Stream-Closed}.
     *
     * @param res the response
     * @param next the next read position
     * @param upToDate whether the reader holds all stored data
     * @param endOfStream whether the stream is closed and nothing is left to read
     */
    static void positionHeaders(ServerResponse res, long next, boolean upToDate,
                                boolean endOfStream) {
        res.header(ProtocolHeaders.STREAM_NEXT_OFFSET, Offsets.format(next));
        if (upToDate) {
            res.header(ProtocolHeaders.STREAM_UP_TO_DATE, "true");
        }
        if (endOfStream) {
            res.header(ProtocolHeaders.STREAM_CLOSED, "true");
        }
    }

    /**
     * Returns the entity tag of a read: stream incarnation, range, and a closure mark, so that
     * closing a stream changes the tag of the read at its tail.
     */
    private static String entityTag(DurableStream stream, ReadResult read) {
        String tag = stream.id() + ":" + Offsets.format(read.from()) + ":"
                + Offsets.format(read.next());
        return "\"" + (read.endOfStream() ? tag + ":c" : tag) + "\"";
    }

    private static boolean matchesIfNoneMatch(ServerRequest req, String etag) {
        Optional<String> header = req.headers().first(HeaderNames.IF_NONE_MATCH);
        if (header.isEmpty()) {
            return false;
        }
        for (String candidate : header.get().split(",")) {
            String tag = candidate.strip();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals("*") || tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
