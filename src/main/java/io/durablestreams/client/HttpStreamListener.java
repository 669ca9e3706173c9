package io.durablestreams.client;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.ProtocolException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.durablestreams.api.AbstractStreamListener;
import io.durablestreams.api.Backoff;
import io.durablestreams.api.Chunk;
import io.durablestreams.api.DataHandler;
import io.durablestreams.api.ListenerStatus;
import io.durablestreams.api.Offset;
import io.durablestreams.api.StatusListener;
import io.durablestreams.api.StreamListener;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Follows a stream on a Durable Streams server over HTTP with the JDK {@link HttpClient}.
 *
 * <p>In {@link Mode#LONG_POLL} mode (the default) the listener sends catch-up reads until a
 * response carries {@code Stream-Up-To-Date}, then long-polls, echoing each {@code Stream-Cursor}
 * as {@code cursor}. In {@link Mode#SSE} mode it keeps one Server-Sent Events response open,
 * pairs each {@code data} event with the {@code control} event after it, and reconnects from the
 * last {@code streamNextOffset} when the server ends the response. It decodes base64 data when
 * the response carries {@code stream-sse-data-encoding: base64}.
 *
 * <p>Lost connections, timeouts, 408, 429 and 5xx responses are retried after an exponential
 * backoff with jitter, with status {@link ListenerStatus#DISCONNECTED} in between. Other
 * responses, such as 404 for a deleted stream, end the run in {@link ListenerStatus#IDLE} with
 * an {@link HttpStatusException}.
 *
 * <p>Long-poll delivers the stored bytes exactly. SSE carries text: line breaks inside a text
 * stream's data arrive as LF, because the event format splits data into lines.
 *
 * <p>NOTE: this server writes SSE data lines as {@code data:} followed directly by the line, so
 * a line of a text or JSON stream that starts with a space reaches any standard SSE client,
 * this one included, without that space. Use long-poll where such data matters.
 *
 * <p>Build one with {@link #builder(URI)}. Thread-safety: see {@link StreamListener}.
 */
public final class HttpStreamListener extends AbstractStreamListener {

    /** The read mode the listener uses once it has caught up. */
    public enum Mode {
        /** One long-poll request per wait; byte-exact. */
        LONG_POLL,
        /** One Server-Sent Events response for many chunks. */
        SSE
    }

    private static final System.Logger LOGGER =
            System.getLogger(HttpStreamListener.class.getName());
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
    private static final int MAX_ERROR_BODY_BYTES = 4096;

    private final URI streamUrl;
    private final HttpClient client;
    private final boolean ownsClient;
    private final Mode mode;
    private final Duration requestTimeout;
    private final Map<String, String> headers;

    // Confined to the listener's thread, except sse, which abort() closes from stop().
    private boolean caughtUp;
    private String cursor;
    private volatile SseConnection sse;

    private HttpStreamListener(Builder builder) {
        super(builder.streamUrl.toString(), builder.from, builder.dataHandler,
                builder.statusListener, builder.backoff);
        this.streamUrl = builder.streamUrl;
        this.ownsClient = builder.client == null;
        this.client = ownsClient
                ? HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(builder.connectTimeout)
                        .build()
                : builder.client;
        this.mode = builder.mode;
        this.requestTimeout = builder.requestTimeout;
        this.headers = Map.copyOf(builder.headers);
    }

    /**
     * Starts building a listener for one stream.
     *
     * @param streamUrl the stream's URL, for example
     *        {@code http://127.0.0.1:8080/api/v1/stream/chat/room-1}, without a query
     * @return the builder
     * @throws IllegalArgumentException when the URL is not http or https, or has a query
     */
    public static Builder builder(URI streamUrl) {
        return new Builder(streamUrl);
    }

    @Override
    protected Chunk fetch(String offset) throws Exception {
        if (mode == Mode.LONG_POLL) {
            return fetchPoll(offset);
        }
        try {
            return fetchSse(offset);
        } catch (Exception e) {
            // A failed response cannot be read further; the next fetch opens a new one.
            closeSse();
            throw e;
        }
    }

    @Override
    protected boolean isRetryable(Exception failure) {
        if (failure instanceof HttpStatusException status) {
            return status.isRetryable();
        }
        if (failure instanceof ProtocolException) {
            return false;
        }
        return failure instanceof IOException;
    }

    @Override
    protected void abort() {
        SseConnection connection = sse;
        if (connection != null) {
            connection.close();
        }
    }

    @Override
    protected void release() {
        closeSse();
        caughtUp = false;
    }

    @Override
    protected void closeResources() {
        if (ownsClient) {
            // The listener has stopped, so a request still open is an abandoned long-poll, which
            // close() would wait for.
            client.shutdownNow();
        }
    }

    /** Sends a catch-up read, or a long-poll once the last response was up to date. */
    private Chunk fetchPoll(String offset) throws Exception {
        boolean live = caughtUp;
        URI uri = readUri(offset, live ? "long-poll" : null, live ? cursor : null);
        HttpRequest request = request(uri).GET().build();
        HttpResponse<byte[]> response = interruptibly(
                () -> client.send(request, BodyHandlers.ofByteArray()));
        int status = response.statusCode();
        if (status != 200 && status != 204) {
            throw new HttpStatusException("GET", uri, status, new String(response.body(), UTF_8));
        }
        String next = requiredHeader(response, uri, "Stream-Next-Offset");
        boolean closed = flag(response, "Stream-Closed");
        boolean upToDate = closed || flag(response, "Stream-Up-To-Date");
        response.headers().firstValue("Stream-Cursor").ifPresent(value -> cursor = value);
        caughtUp = upToDate;
        byte[] data = status == 204 ? new byte[0] : response.body();
        String contentType = response.headers().firstValue("Content-Type")
                .orElse(DEFAULT_CONTENT_TYPE);
        return new Chunk(offset, next, data, contentType, upToDate, closed);
    }

    /** Returns the next data-and-control pair of the open SSE response, opening one first. */
    private Chunk fetchSse(String offset) throws Exception {
        SseConnection connection = sse;
        if (connection == null || !connection.position.equals(offset)) {
            closeSse();
            connection = openSse(offset);
        }
        byte[] data = new byte[0];
        while (true) {
            SseConnection current = connection;
            SseEventReader.Event event = interruptibly(current.events::next);
            if (event == null) {
                // The server ends SSE responses from time to time; the next fetch reconnects.
                boolean sawEvents = connection.eventCount > 0;
                closeSse();
                if (!sawEvents) {
                    throw new IOException("SSE response from " + streamUrl
                            + " ended without any event");
                }
                return new Chunk(offset, offset, new byte[0], connection.contentType, caughtUp,
                        false);
            }
            connection.eventCount++;
            if (event.type().equals("data")) {
                data = connection.base64 ? decodeBase64(event.data())
                        : event.data().getBytes(UTF_8);
            } else if (event.type().equals("control")) {
                Control control = Control.parse(event.data(), streamUrl);
                control.cursor().ifPresent(value -> cursor = value);
                connection.position = control.nextOffset();
                boolean upToDate = control.upToDate() || control.closed();
                caughtUp = upToDate;
                if (control.closed()) {
                    closeSse();
                }
                return new Chunk(offset, control.nextOffset(), data, connection.contentType,
                        upToDate, control.closed());
            }
        }
    }

    private SseConnection openSse(String offset) throws Exception {
        // SSE responses carry text/event-stream, so the stream's own type comes from HEAD.
        HttpRequest head = request(streamUrl).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<Void> metadata = interruptibly(
                () -> client.send(head, BodyHandlers.discarding()));
        if (metadata.statusCode() != 200) {
            throw new HttpStatusException("HEAD", streamUrl, metadata.statusCode(), "");
        }
        String contentType = metadata.headers().firstValue("Content-Type")
                .orElse(DEFAULT_CONTENT_TYPE);

        URI uri = readUri(offset, "sse", null);
        HttpRequest request = request(uri).header("Accept", "text/event-stream").GET().build();
        HttpResponse<InputStream> response = interruptibly(
                () -> client.send(request, BodyHandlers.ofInputStream()));
        if (response.statusCode() != 200) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readNBytes(MAX_ERROR_BODY_BYTES), UTF_8);
            }
            throw new HttpStatusException("GET", uri, response.statusCode(), body);
        }
        boolean base64 = response.headers().firstValue("stream-sse-data-encoding")
                .map(value -> value.strip().equalsIgnoreCase("base64"))
                .orElse(false);
        SseConnection connection = new SseConnection(offset, response.body(), contentType,
                base64);
        sse = connection;
        return connection;
    }

    private void closeSse() {
        SseConnection connection = sse;
        sse = null;
        if (connection != null) {
            connection.close();
        }
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(requestTimeout);
        headers.forEach(builder::header);
        return builder;
    }

    /** Builds a read URI with its query parameters in lexicographic order, as caches prefer. */
    private URI readUri(String offset, String live, String cursorValue) {
        StringBuilder query = new StringBuilder();
        if (cursorValue != null) {
            query.append("cursor=").append(encode(cursorValue)).append('&');
        }
        if (live != null) {
            query.append("live=").append(live).append('&');
        }
        query.append("offset=").append(encode(offset));
        return URI.create(streamUrl + "?" + query);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, UTF_8);
    }

    private static String requiredHeader(HttpResponse<?> response, URI uri, String name)
            throws ProtocolException {
        String value = response.headers().firstValue(name).orElse("").strip();
        if (value.isEmpty()) {
            throw new ProtocolException("Response to GET " + uri + " has no " + name
                    + " header; the server does not speak the Durable Streams protocol");
        }
        return value;
    }

    private static boolean flag(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name)
                .map(value -> value.strip().equalsIgnoreCase("true"))
                .orElse(false);
    }

    private static byte[] decodeBase64(String text) throws ProtocolException {
        String compact = text.replace("\r", "").replace("\n", "");
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("SSE data event is not valid base64: " + e.getMessage());
        }
    }

    /** One open SSE response and the offset its next event continues from. */
    private static final class SseConnection {

        private final InputStream body;
        private final SseEventReader events;
        private final String contentType;
        private final boolean base64;
        private String position;
        private int eventCount;

        SseConnection(String position, InputStream body, String contentType, boolean base64) {
            this.position = position;
            this.body = body;
            this.events = new SseEventReader(body);
            this.contentType = contentType;
            this.base64 = base64;
        }

        void close() {
            try {
                body.close();
            } catch (IOException e) {
                LOGGER.log(Level.DEBUG, () -> "Closing an SSE response failed: " + e);
            }
        }
    }

    /**
     * The fields of an SSE {@code control} event.
     *
     * @param nextOffset {@code streamNextOffset}
     * @param cursor {@code streamCursor}, absent once the stream is closed
     * @param upToDate {@code upToDate}
     * @param closed {@code streamClosed}
     */
    private record Control(String nextOffset, Optional<String> cursor,
                           boolean upToDate, boolean closed) {

        static Control parse(String json, URI streamUrl) throws ProtocolException {
            String next = null;
            String cursorValue = null;
            boolean upToDate = false;
            boolean closed = false;
            try (JsonParser parser = JSON.createParser(json)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new ProtocolException("SSE control event from " + streamUrl
                            + " is not a JSON object: " + json);
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    switch (field) {
                        case "streamNextOffset" -> next = parser.getValueAsString();
                        case "streamCursor" -> cursorValue = parser.getValueAsString();
                        case "upToDate" -> upToDate = value == JsonToken.VALUE_TRUE;
                        case "streamClosed" -> closed = value == JsonToken.VALUE_TRUE;
                        default -> parser.skipChildren();
                    }
                }
            } catch (IOException e) {
                throw new ProtocolException("SSE control event from " + streamUrl
                        + " is not valid JSON: " + e.getMessage());
            }
            if (next == null || next.isEmpty()) {
                throw new ProtocolException("SSE control event from " + streamUrl
                        + " has no streamNextOffset: " + json);
            }
            return new Control(next, Optional.ofNullable(cursorValue), upToDate,
                    closed);
        }
    }

    /** Collects the settings of an {@link HttpStreamListener}; not thread-safe. */
    public static final class Builder {

        private final URI streamUrl;
        private Offset from = Offset.BEGINNING;
        private DataHandler dataHandler;
        private StatusListener statusListener = change -> { };
        private Backoff backoff = Backoff.defaults();
        private Mode mode = Mode.LONG_POLL;
        private HttpClient client;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(90);
        private final Map<String, String> headers = new LinkedHashMap<>();

        private Builder(URI streamUrl) {
            Objects.requireNonNull(streamUrl, "streamUrl");
            String scheme = streamUrl.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("Stream URL must be http or https; got "
                        + streamUrl);
            }
            if (streamUrl.getRawQuery() != null || streamUrl.getRawFragment() != null) {
                throw new IllegalArgumentException("Stream URL must not have a query or"
                        + " fragment; got " + streamUrl);
            }
            this.streamUrl = streamUrl;
        }

        /**
         * Sets where the listener starts; {@code -1} (the beginning) by default.
         *
         * @param offset {@code -1}, {@code now} or an offset token saved from an earlier run
         * @return this builder
         */
        public Builder from(Offset offset) {
            this.from = Objects.requireNonNull(offset, "offset");
            return this;
        }

        /**
         * Sets where the listener starts, as text.
         *
         * @param offset {@code -1}, {@code now} or an offset token
         * @return this builder
         */
        public Builder from(String offset) {
            return from(Offset.of(offset));
        }

        /**
         * Sets the handler that receives the data; required.
         *
         * @param handler the handler
         * @return this builder
         */
        public Builder onData(DataHandler handler) {
            this.dataHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Sets the listener that receives status changes; none by default.
         *
         * @param listener the status listener
         * @return this builder
         */
        public Builder onStatus(StatusListener listener) {
            this.statusListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets the delays between reconnection attempts; 100 ms growing to 10 s by default.
         *
         * @param backoff the backoff
         * @return this builder
         */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /**
         * Sets how the listener waits for new data; {@link Mode#LONG_POLL} by default.
         *
         * @param mode long-poll or SSE
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets the HTTP client to use, which the listener then does not close. By default the
         * listener creates an HTTP/1.1 client and closes it in {@link StreamListener#close()}.
         *
         * @param client the client
         * @return this builder
         */
        public Builder httpClient(HttpClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * Sets how long opening a connection may take, for the client the listener creates;
         * 10 s by default.
         *
         * @param timeout the connect timeout
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /**
         * Sets how long the listener waits for a response's headers; 90 s by default. It must
         * exceed the server's long-poll timeout (30 s by default), or every long-poll that finds
         * no data fails and is retried.
         *
         * @param timeout the request timeout
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "request timeout");
            return this;
        }

        /**
         * Adds a header to every request, for example {@code Authorization}.
         *
         * @param name the header name
         * @param value the header value
         * @return this builder
         * @throws IllegalArgumentException when the JDK client does not let callers set this
         *         header, such as {@code Host}
         */
        public Builder header(String name, String value) {
            // Fails now, instead of on the listener's thread, for names the client restricts.
            HttpRequest.newBuilder().header(name, value);
            headers.put(name, value);
            return this;
        }

        /**
         * Builds the listener, not yet started.
         *
         * @return the listener
         * @throws IllegalStateException when no data handler was set
         */
        public HttpStreamListener build() {
            if (dataHandler == null) {
                throw new IllegalStateException("Set a data handler with onData()");
            }
            return new HttpStreamListener(this);
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("The " + name + " must be positive; got "
                        + value);
            }
            return value;
        }
    }
}
