package io.durablestreams.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import io.durablestreams.config.SecuritySettings;
import io.durablestreams.config.ServerSettings;
import io.durablestreams.json.InvalidJsonException;
import io.durablestreams.json.JsonMessages;
import io.durablestreams.live.Cursors;
import io.durablestreams.live.SseReader;
import io.durablestreams.live.SseWriter;
import io.durablestreams.live.WriteWatchdog;
import io.durablestreams.observe.StreamMetrics;
import io.durablestreams.security.AccessPolicy;
import io.durablestreams.security.RateLimiter;
import io.durablestreams.security.TokenAccessPolicy;
import io.durablestreams.store.Append;
import io.durablestreams.store.AppendResult;
import io.durablestreams.store.CreateRequest;
import io.durablestreams.store.CreateResult;
import io.durablestreams.store.DurableStream;
import io.durablestreams.store.ForkRequest;
import io.durablestreams.store.LiveWait;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.ProducerId;
import io.durablestreams.store.ReadRange;
import io.durablestreams.store.Retention;
import io.durablestreams.store.StreamDeletedException;
import io.durablestreams.store.StreamException;
import io.durablestreams.store.StreamGoneException;
import io.durablestreams.store.StreamStore;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Serves the Durable Streams protocol for every stream below the path this service is
 * registered at: PUT creates, POST appends or closes, GET reads (catch-up, long-poll or SSE),
 * HEAD returns metadata and DELETE deletes.
 *
 * <p>Handlers run on the virtual thread Helidon gives each request and block freely: a live read
 * parks its thread on the stream's condition until data arrives.
 */
public final class StreamService implements HttpService {

    private static final System.Logger LOGGER = System.getLogger(StreamService.class.getName());

    private final StreamStore store;
    private final ServerSettings settings;
    private final Cursors cursors;
    private final StreamMetrics metrics;
    private final AccessPolicy accessPolicy;
    private final Optional<RateLimiter> rateLimiter;
    private final Optional<TokenAccessPolicy> knownTokens;
    private final AtomicInteger liveReaders = new AtomicInteger();

    /**
     * Creates the service.
     *
     * @param store the streams to serve
     * @param settings protocol settings; the mount path is taken from each request, so the
     *        service works wherever an application registers it
     * @param clock source of the current time, for cursors
     */
    public StreamService(StreamStore store, ServerSettings settings, Clock clock) {
        this(store, settings, clock, new StreamMetrics(Metrics.globalRegistry(), store));
    }

    /**
     * Creates the service, recording its metrics.
     *
     * @param store the streams to serve
     * @param settings protocol settings
     * @param clock source of the current time, for cursors
     * @param metrics where appends and live readers are counted
     */
    public StreamService(StreamStore store, ServerSettings settings, Clock clock,
                         StreamMetrics metrics) {
        this(store, settings, clock, metrics, tokenPolicy(settings));
    }

    /**
     * Creates the service with an application's own access policy.
     *
     * @param store the streams to serve
     * @param settings protocol settings
     * @param clock source of the current time, for cursors
     * @param metrics where appends and live readers are counted
     * @param accessPolicy decides which requests may proceed
     */
    public StreamService(StreamStore store, ServerSettings settings, Clock clock,
                         StreamMetrics metrics, AccessPolicy accessPolicy) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.cursors = new Cursors(clock);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.accessPolicy = Objects.requireNonNull(accessPolicy, "accessPolicy");
        SecuritySettings security = settings.security();
        TokenAccessPolicy tokens = new TokenAccessPolicy(security.readTokens(),
                security.writeTokens());
        this.knownTokens = tokens.isEnabled() ? Optional.of(tokens) : Optional.empty();
        this.rateLimiter = security.rateLimitPerSecond() > 0
                ? Optional.of(new RateLimiter(security.rateLimitPerSecond(),
                        security.rateLimitBurst(), 100_000, System::nanoTime))
                : Optional.empty();
    }

    private static AccessPolicy tokenPolicy(ServerSettings settings) {
        SecuritySettings security = settings.security();
        TokenAccessPolicy policy = new TokenAccessPolicy(security.readTokens(),
                security.writeTokens());
        return policy.isEnabled() ? policy : AccessPolicy.ALLOW_ALL;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        // A response to HEAD carries no content, errors included.
        boolean withBody = !req.prologue().method().equals(Method.HEAD);
        try {
            StreamPaths.Resolved resolved = StreamPaths.resolve(req.path().absolute().rawPath(),
                    req.path().path(), settings.maxPathBytes());
            String path = resolved.streamPath();
            Method method = req.prologue().method();
            checkRateLimit(req, res);
            checkAccess(method, path, req, res);
            checkPathDepth(path);
            if (method.equals(Method.PUT)) {
                create(path, resolved.mountPath(), req, res);
            } else if (method.equals(Method.POST)) {
                append(path, req, res);
            } else if (method.equals(Method.GET)) {
                read(path, req, res);
            } else if (method.equals(Method.HEAD)) {
                metadata(path, res);
            } else if (method.equals(Method.DELETE)) {
                delete(path, res);
            } else {
                res.header(HeaderNames.ALLOW, "GET, HEAD, POST, PUT, DELETE, OPTIONS");
                throw new HttpProblemException(Status.METHOD_NOT_ALLOWED_405,
                        "Method " + method.text() + " is not supported on streams");
            }
        } catch (HttpProblemException e) {
            LOGGER.log(Level.DEBUG, () -> "Rejected request: " + e.getMessage());
            boolean close = markCloseIfBodyUnread(req, res);
            ErrorResponses.send(res, e, withBody);
            closeAfterResponse(close);
        } catch (StreamException e) {
            LOGGER.log(Level.DEBUG, () -> "Stream operation failed: " + e.getMessage());
            boolean close = markCloseIfBodyUnread(req, res);
            ErrorResponses.send(res, e, withBody);
            closeAfterResponse(close);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOGGER.log(Level.DEBUG, "Request interrupted, most likely by server shutdown");
        }
    }

    /**
     * Marks an error response {@code Connection: close} when the request body was not read to
     * its end: the rest of it would otherwise be taken for the next request on the connection.
     *
     * @return true when the connection must close after the response
     */
    private static boolean markCloseIfBodyUnread(ServerRequest req, ServerResponse res) {
        if (req.content().hasEntity() && !req.content().consumed()) {
            res.header(HeaderValues.CONNECTION_CLOSE);
            return true;
        }
        return false;
    }

    /**
     * Ends the connection once the response is sent. Helidon itself would keep reading the
     * connection after a response with {@code Connection: close}.
     */
    private static void closeAfterResponse(boolean close) {
        if (close) {
            throw new CloseConnectionException("Request body left unread after an error response");
        }
    }

    private void checkRateLimit(ServerRequest req, ServerResponse res) {
        if (rateLimiter.isEmpty()) {
            return;
        }
        String key = req.remotePeer().host();
        if (settings.security().rateLimitKey().equals("token") && knownTokens.isPresent()
                && knownTokens.get().hasKnownToken(req.headers())) {
            // Only configured tokens get a quota of their own, because invented values would
            // multiply a client's quota; those count against the client's address. The key is a
            // hash of the token, so all spellings of "Bearer" share one quota and the limiter
            // stores no credentials.
            key = "token:" + knownTokens.get().tokenHash(req.headers());
        }
        long waitSeconds = rateLimiter.get().acquire(key);
        if (waitSeconds > 0) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(waitSeconds));
            throw new HttpProblemException(Status.TOO_MANY_REQUESTS_429,
                    "Too many requests; retry after " + waitSeconds + " s");
        }
    }

    private void checkAccess(Method method, String path, ServerRequest req,
                             ServerResponse res) {
        switch (accessPolicy.decide(method, path, req.headers())) {
            case ALLOW -> {
            }
            case UNAUTHENTICATED -> {
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
                throw new HttpProblemException(Status.UNAUTHORIZED_401,
                        "Authentication required: send Authorization: Bearer <token>");
            }
            case FORBIDDEN -> throw new HttpProblemException(Status.FORBIDDEN_403,
                    "The token does not allow " + (AccessPolicy.isWrite(method)
                            ? "writing" : "reading") + " this stream");
        }
    }

    private void checkPathDepth(String path) {
        int segments = 1;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                segments++;
            }
        }
        int max = settings.security().maxPathSegments();
        if (segments > max) {
            throw new HttpProblemException(Status.REQUEST_URI_TOO_LONG_414,
                    "Stream path has " + segments + " segments; the limit is " + max);
        }
    }

    private void create(String path, String mountPath, ServerRequest req, ServerResponse res) {
        Optional<String> sourcePath = RequestHeaderParser.single(req.headers(),
                        ProtocolHeaders.STREAM_FORKED_FROM)
                .map(value -> forkSourcePath(value, mountPath));
        Optional<ForkRequest> fork = RequestHeaderParser.forkRequest(req.headers(), sourcePath);
        CreateRequest request = RequestHeaderParser.createRequest(req.headers(), readBody(req),
                fork);

        CreateResult result = store.create(path, request, settings.security().maxStreams());
        DurableStream stream = result.stream();
        if (result.created() && request.body().length > 0) {
            metrics.appended(request.body().length);
        }
        if (result.created()) {
            res.status(Status.CREATED_201);
            res.header(HeaderNames.LOCATION, location(req));
        } else {
            res.status(Status.OK_200);
        }
        res.header(HeaderNames.CONTENT_TYPE, stream.config().contentType());
        res.header(ProtocolHeaders.STREAM_NEXT_OFFSET, Offsets.format(stream.tail()));
        if (stream.isClosed()) {
            res.header(ProtocolHeaders.STREAM_CLOSED, "true");
        }
        res.send();
    }

    /** Returns the absolute URL of the created stream, keeping the path exactly as sent. */
    private static String location(ServerRequest req) {
        var uri = req.requestedUri();
        return uri.scheme() + "://" + uri.authority() + req.path().absolute().rawPath();
    }

    /**
     * Resolves a {@code Stream-Forked-From} URL path, which names a stream under the same mount
     * path as the request.
     */
    private String forkSourcePath(String value, String mountPath) {
        String rawPath = value.strip();
        if (rawPath.startsWith("http://") || rawPath.startsWith("https://")) {
            try {
                rawPath = java.net.URI.create(rawPath).getRawPath();
            } catch (IllegalArgumentException e) {
                throw HttpProblemException.badRequest("Invalid Stream-Forked-From: " + value);
            }
        }
        try {
            return StreamPaths.streamPath(rawPath,
                    StreamPaths.forkSourceMount(rawPath, mountPath), settings.maxPathBytes());
        } catch (HttpProblemException e) {
            if (!e.status().equals(Status.NOT_FOUND_404)) {
                throw e;
            }
            throw HttpProblemException.badRequest("Invalid Stream-Forked-From: use the source"
                    + " stream's URL path, such as " + mountPath + "/{path}");
        }
    }

    private void append(String path, ServerRequest req, ServerResponse res) {
        DurableStream stream = find(path);
        boolean close = RequestHeaderParser.closeRequested(req.headers());
        Optional<String> streamSeq = RequestHeaderParser.streamSeq(req.headers());
        Optional<ProducerId> producer = RequestHeaderParser.producer(req.headers());
        byte[] body = readBody(req);
        if (body.length == 0 && !close) {
            throw HttpProblemException.badRequest("Append body is empty; send data, or"
                    + " Stream-Closed: true to close the stream");
        }
        // A close-only request is never rejected for its Content-Type, which clients may add
        // by default.
        Optional<String> contentType = body.length == 0
                ? Optional.empty()
                : RequestHeaderParser.contentType(req.headers());

        List<byte[]> records = bodyRecords(body);
        boolean jsonBody = contentType.map(stream.config()::acceptsContentType).orElse(false)
                && stream.config().isJson();
        if (jsonBody && body.length > 0) {
            records = jsonRecordsUnlessClosed(stream, body);
        }
        AppendResult result = store.append(stream,
                new Append(contentType, records, close, streamSeq, producer));
        if (!result.duplicate() && body.length > 0) {
            metrics.appended(body.length);
        }

        res.header(ProtocolHeaders.STREAM_NEXT_OFFSET, Offsets.format(result.tail()));
        if (result.closed()) {
            res.header(ProtocolHeaders.STREAM_CLOSED, "true");
        }
        result.producer().ifPresent(p -> {
            res.header(ProtocolHeaders.PRODUCER_EPOCH, Long.toString(p.epoch()));
            res.header(ProtocolHeaders.PRODUCER_SEQ, Long.toString(p.seq()));
        });
        // Producers learn from 200 that their batch was stored and from 204 that it was a repeat.
        // A close-only request stores no batch, so it gets 204 like plain appends.
        boolean newData = producer.isPresent() && !result.duplicate() && !records.isEmpty();
        res.status(newData ? Status.OK_200 : Status.NO_CONTENT_204);
        res.send();
    }

    private void read(String path, ServerRequest req, ServerResponse res)
            throws InterruptedException {
        DurableStream stream = find(path);
        ReadRequest request = ReadRequest.parse(req.query());
        long from = request.startPosition(stream);
        switch (request.mode()) {
            case CATCH_UP -> {
                ReadRange range = stream.range(from, settings.maxReadBytes());
                String cacheControl = request.fromTail()
                        ? ReadResponses.NO_STORE
                        : ReadResponses.CACHEABLE;
                ReadResponses.sendData(req, res, stream, range, cacheControl, Optional.empty(),
                        settings.security().writeTimeout());
            }
            case LONG_POLL -> {
                liveReaderStarted(stream);
                try {
                    longPoll(req, res, stream, from, request.cursor());
                } finally {
                    liveReaderEnded(stream);
                }
            }
            case SSE -> {
                liveReaderStarted(stream);
                try {
                    sse(res, stream, from, request.cursor());
                } finally {
                    liveReaderEnded(stream);
                }
            }
        }
    }

    private void liveReaderStarted(DurableStream stream) {
        SecuritySettings security = settings.security();
        if (liveReaders.incrementAndGet() > security.maxLiveReaders()
                || stream.liveReaderCount() >= security.maxLiveReadersPerStream()) {
            liveReaders.decrementAndGet();
            throw new HttpProblemException(Status.SERVICE_UNAVAILABLE_503,
                    "Too many live readers; retry shortly", "1");
        }
        stream.liveReaderStarted();
        metrics.liveReaderStarted();
    }

    private void liveReaderEnded(DurableStream stream) {
        stream.liveReaderEnded();
        metrics.liveReaderEnded();
        liveReaders.decrementAndGet();
    }

    private void longPoll(ServerRequest req, ServerResponse res, DurableStream stream, long from,
                          Optional<String> cursor) throws InterruptedException {
        ReadRange range = stream.range(from, settings.maxReadBytes());
        if (!range.hasData() && !range.endOfStream()) {
            metrics.liveWaitStarted();
            LiveWait wake = stream.awaitData(from, settings.longPollTimeout());
            if (wake == LiveWait.DELETED) {
                throw stream.isSoftDeleted()
                        ? new StreamGoneException(stream.path())
                        : new StreamDeletedException(stream.path());
            }
            range = stream.range(from, settings.maxReadBytes());
        }
        if (range.hasData()) {
            ReadResponses.sendData(req, res, stream, range, ReadResponses.CACHEABLE,
                    Optional.of(cursors.next(cursor)), settings.security().writeTimeout());
        } else {
            ReadResponses.sendNoData(res, from, range.endOfStream(), cursors.next(cursor));
        }
    }

    private void sse(ServerResponse res, DurableStream stream, long from, Optional<String> cursor)
            throws InterruptedException {
        // Errors must surface before the 200 and the event stream headers are committed.
        stream.checkReadPosition(from);
        if (SseReader.usesBase64(stream.config().mediaType())) {
            res.header(ProtocolHeaders.SSE_DATA_ENCODING, "base64");
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.status(Status.OK_200);
        try (OutputStream body = res.outputStream()) {
            SseWriter writer = new SseWriter(body);
            WriteWatchdog.watch(writer, settings.security().writeTimeout());
            try {
                new SseReader(stream, writer, cursors, cursor, settings.maxChunkBytes())
                        .serve(from, settings.sseReconnectInterval());
            } finally {
                WriteWatchdog.unwatch(writer);
            }
        } catch (IOException | UncheckedIOException e) {
            LOGGER.log(Level.DEBUG, () -> "SSE connection for " + stream.path() + " ended: "
                    + e.getMessage());
        }
    }

    private void metadata(String path, ServerResponse res) {
        DurableStream stream = find(path);
        res.header(HeaderNames.CONTENT_TYPE, stream.config().contentType());
        res.header(HeaderNames.CACHE_CONTROL, ReadResponses.NO_STORE);
        res.header(ProtocolHeaders.STREAM_NEXT_OFFSET, Offsets.format(stream.tail()));
        stream.config().ttlSeconds().ifPresent(
                ttl -> res.header(ProtocolHeaders.STREAM_TTL, Long.toString(ttl)));
        stream.config().expiresAt().ifPresent(
                at -> res.header(ProtocolHeaders.STREAM_EXPIRES_AT, at.toString()));
        if (stream.isClosed()) {
            res.header(ProtocolHeaders.STREAM_CLOSED, "true");
        }
        Retention retention = stream.config().retention();
        if (retention.isLimited()) {
            res.header(ProtocolHeaders.STREAM_EARLIEST_OFFSET, Offsets.format(stream.earliest()));
            retention.maxAgeSeconds().ifPresent(v -> res.header(
                    ProtocolHeaders.STREAM_RETENTION_MAX_AGE, Long.toString(v)));
            retention.maxMessages().ifPresent(v -> res.header(
                    ProtocolHeaders.STREAM_RETENTION_MAX_MESSAGES, Long.toString(v)));
            retention.maxBytes().ifPresent(v -> res.header(
                    ProtocolHeaders.STREAM_RETENTION_MAX_BYTES, Long.toString(v)));
        }
        res.status(Status.OK_200);
        res.send();
    }

    private void delete(String path, ServerResponse res) {
        store.delete(path);
        res.status(Status.NO_CONTENT_204);
        res.send();
    }

    private DurableStream find(String path) {
        return store.require(path);
    }

    private byte[] readBody(ServerRequest req) {
        long max = settings.maxAppendBytes();
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > max) {
            throw tooLarge(max);
        }
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        InputStream in = req.content().inputStream();
        byte[] body;
        try {
            // With a declared length, read exactly that many bytes: reading up to the cap would
            // allocate a large buffer for every small append.
            int limit = Math.toIntExact(declared.isPresent()
                    ? declared.getAsLong()
                    : Math.min(max + 1, Integer.MAX_VALUE - 8));
            body = readWithDeadline(in, limit, settings.security().maxBodyReadTime());
            if (declared.isPresent() && body.length < limit) {
                throw new IOException("body ended after " + body.length + " of " + limit
                        + " bytes");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof HttpProblemException problem) {
                throw problem;
            }
            // The body ended early or its chunked framing is malformed. The stream is not
            // closed here, because closing drains the rest, which may never arrive.
            LOGGER.log(Level.DEBUG, () -> "Request body could not be read: " + e);
            throw HttpProblemException.badRequest("Request body could not be read: it ended"
                    + " early or its framing is invalid");
        }
        if (body.length > max) {
            throw tooLarge(max);
        }
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            LOGGER.log(Level.DEBUG, () -> "Closing the request body failed: " + e);
        }
        return body;
    }

    /**
     * Reads up to {@code limit} bytes, giving up with 408 once the body has taken longer than
     * {@code deadline}: a client sending a byte at a time would otherwise hold the request open
     * as long as each byte beats the socket read timeout.
     */
    private static byte[] readWithDeadline(InputStream in, int limit, java.time.Duration deadline)
            throws IOException {
        long endNanos = System.nanoTime() + deadline.toNanos();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(
                Math.min(limit, 64 * 1024));
        byte[] buffer = new byte[Math.min(Math.max(limit, 1), 64 * 1024)];
        // A read blocked on a body that stopped arriving is interrupted at the deadline.
        BodyReadDeadlines.Read watched = BodyReadDeadlines.start(endNanos);
        IOException failure = null;
        boolean overdue;
        try {
            while (body.size() < limit) {
                int read = in.read(buffer, 0, Math.min(buffer.length, limit - body.size()));
                if (read < 0) {
                    break;
                }
                body.write(buffer, 0, read);
                if (System.nanoTime() > endNanos && body.size() < limit) {
                    throw bodyTooSlow(deadline);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            failure = e instanceof IOException io ? io : ((UncheckedIOException) e).getCause();
        } finally {
            overdue = watched.finish();
        }
        if (overdue) {
            throw bodyTooSlow(deadline);
        }
        if (failure != null) {
            throw failure;
        }
        return body.toByteArray();
    }

    private static HttpProblemException bodyTooSlow(java.time.Duration deadline) {
        return new HttpProblemException(Status.REQUEST_TIMEOUT_408, "Request body took longer"
                + " than " + deadline.toSeconds() + " s to arrive");
    }

    private static List<byte[]> bodyRecords(byte[] body) {
        return body.length == 0 ? List.of() : List.of(body);
    }

    /**
     * Splits a JSON append body. An invalid body on a closed stream is passed on unsplit, so
     * that the append fails as closed, which the protocol ranks before other append errors.
     */
    private static List<byte[]> jsonRecordsUnlessClosed(DurableStream stream, byte[] body) {
        try {
            return JsonMessages.split(body, false);
        } catch (InvalidJsonException e) {
            if (stream.isClosed()) {
                return List.of(body);
            }
            throw HttpProblemException.badRequest(e.getMessage());
        }
    }

    private static HttpProblemException tooLarge(long max) {
        return new HttpProblemException(Status.REQUEST_ENTITY_TOO_LARGE_413,
                "Request body is larger than the limit of " + max + " bytes");
    }
}
