package io.durablestreams.http;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;

import io.durablestreams.live.TimedOutputStream;
import io.durablestreams.live.WriteWatchdog;
import io.durablestreams.store.DurableStream;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.ReadRange;
import io.durablestreams.store.StreamException;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Writes the responses of catch-up and long-poll reads: body, offsets, caching headers.
 */
final class ReadResponses {

    private static final System.Logger LOGGER = System.getLogger(ReadResponses.class.getName());

    /** Cache policy of data chunks: immutable by position, so shared caches may keep them. */
    static final String CACHEABLE = "public, max-age=60, stale-while-revalidate=300";

    /** Cache policy of responses that describe the tail, which moves. */
    static final String NO_STORE = "no-store";

    private static final byte[] JSON_START = {'['};
    private static final byte[] NO_BYTES = {};

    private ReadResponses() {
    }

    /**
     * Sends a 200 with the data of a read, or a 304 when the client's cached copy matches.
     * The body goes from storage to the socket in pieces of at most
     * {@link io.durablestreams.store.StreamLog#PIECE_BYTES}, with a {@code Content-Length}, so
     * the memory a response needs does not grow with its size.
     *
     * @param req the request, for {@code If-None-Match}
     * @param res the response
     * @param stream the stream read
     * @param range the range to send
     * @param cacheControl the {@code Cache-Control} value
     * @param cursor the {@code Stream-Cursor} value, for live reads
     * @param writeTimeout how long one write may block before the client is disconnected
     * @throws StreamException when the data is gone before any of it was sent, such as after
     *         retention dropped it
     * @throws CloseConnectionException when the data is gone after part of the body was sent,
     *         or writing to the client fails, so that the client sees a body shorter than its
     *         {@code Content-Length} rather than a wrong one
     */
    // NOTE: with server.use-nio set to true, Helidon 4.5 (NioSocket.write) copies each write
    // through an 8 KiB buffer, a system call per 8 KiB whatever the piece size. The default
    // blocking sockets write each piece at once.
    static void sendData(ServerRequest req, ServerResponse res, DurableStream stream,
                         ReadRange range, String cacheControl, Optional<String> cursor,
                         Duration writeTimeout) {
        String etag = entityTag(stream, range);
        if (matchesIfNoneMatch(req, etag)) {
            dataHeaders(res, range, etag, cacheControl, cursor);
            res.status(Status.NOT_MODIFIED_304);
            res.send();
            return;
        }
        boolean json = stream.config().isJson();
        // A JSON body is the stored messages in brackets, without the comma after the last one.
        long dataEnd = json && range.hasData() ? range.next() - 1 : range.next();
        long length = dataEnd - range.from() + (json ? 2 : 0);
        byte[] prefix = json ? JSON_START : NO_BYTES;
        DeferredBody body = new DeferredBody(res, writeTimeout, prefix, () -> {
            dataHeaders(res, range, etag, cacheControl, cursor);
            res.header(HeaderNames.CONTENT_TYPE, stream.config().contentType());
            res.headers().contentLength(length);
            res.status(Status.OK_200);
        });
        try {
            stream.writeTo(range.from(), dataEnd, body);
            if (json) {
                body.write(']');
            }
            body.close();
        } catch (StreamException e) {
            if (!body.isOpen()) {
                // Nothing was sent, so the client gets the error's status instead.
                throw e;
            }
            LOGGER.log(Level.WARNING, "Reading stream " + stream.path() + " failed after part of"
                    + " the response was sent, so the connection is closed: " + e.getMessage());
            throw new CloseConnectionException("Stream data is no longer readable", e);
        } catch (IOException e) {
            throw new CloseConnectionException("Writing the response failed", e);
        } finally {
            body.unwatch();
        }
    }

    private static void dataHeaders(ServerResponse res, ReadRange range, String etag,
                                    String cacheControl, Optional<String> cursor) {
        res.header(HeaderNames.ETAG, etag);
        res.header(HeaderNames.CACHE_CONTROL, cacheControl);
        positionHeaders(res, range.next(), range.upToDate(), range.endOfStream());
        cursor.ifPresent(c -> res.header(ProtocolHeaders.STREAM_CURSOR, c));
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
    private static String entityTag(DurableStream stream, ReadRange range) {
        String tag = stream.id() + ":" + Offsets.format(range.from()) + ":"
                + Offsets.format(range.next());
        return "\"" + (range.endOfStream() ? tag + ":c" : tag) + "\"";
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

    /**
     * The body of a data response, which sets the status and headers and opens the response's
     * output stream at its first write. Until then a failed read can still send an error
     * status, because nothing is committed.
     */
    private static final class DeferredBody extends OutputStream {

        private final ServerResponse res;
        private final Duration writeTimeout;
        private final byte[] prefix;
        private final Runnable setHeaders;
        private TimedOutputStream out;

        DeferredBody(ServerResponse res, Duration writeTimeout, byte[] prefix,
                     Runnable setHeaders) {
            this.res = res;
            this.writeTimeout = writeTimeout;
            this.prefix = prefix;
            this.setHeaders = setHeaders;
        }

        /** Stops the watchdog's watch of the writes, once the response has ended. */
        void unwatch() {
            if (out != null) {
                WriteWatchdog.unwatch(out);
            }
        }

        boolean isOpen() {
            return out != null;
        }

        @Override
        public void write(int b) throws IOException {
            open().write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            open().write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            open().flush();
        }

        @Override
        public void close() throws IOException {
            open().close();
        }

        private OutputStream open() throws IOException {
            if (out == null) {
                setHeaders.run();
                // A client that stops reading is disconnected after the write timeout.
                out = new TimedOutputStream(res.outputStream());
                WriteWatchdog.watch(out, writeTimeout);
                out.write(prefix);
            }
            return out;
        }
    }
}
