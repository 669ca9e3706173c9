package io.durablestreams.api;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import io.durablestreams.config.ServerSettings;
import io.durablestreams.config.StorageSettings;
import io.durablestreams.http.SecurityHeadersFilter;
import io.durablestreams.http.StreamService;
import io.durablestreams.json.InvalidJsonException;
import io.durablestreams.json.JsonMessages;
import io.durablestreams.store.Append;
import io.durablestreams.store.AppendResult;
import io.durablestreams.store.CreateRequest;
import io.durablestreams.store.CreateResult;
import io.durablestreams.store.DurableStream;
import io.durablestreams.store.ForkRequest;
import io.durablestreams.store.InvalidRequestException;
import io.durablestreams.store.LiveWait;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.ReadResult;
import io.durablestreams.store.StreamClosedException;
import io.durablestreams.store.StreamConflictException;
import io.durablestreams.store.StreamDeletedException;
import io.durablestreams.store.StreamException;
import io.durablestreams.store.StreamGoneException;
import io.durablestreams.store.StreamNotFoundException;
import io.durablestreams.store.StreamStore;

import io.helidon.config.Config;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Creates, writes, reads and follows Durable Streams from Java code in the same process, on the
 * same store that the HTTP service serves, without an HTTP round trip.
 *
 * <p>Stream paths are relative to the mount path, for example {@code chat/room-1}, which the
 * HTTP service serves at {@code {mount path}/chat/room-1}. Offsets are the same tokens HTTP
 * clients see in {@code Stream-Next-Offset}.
 *
 * <p>Errors are the store's typed exceptions, all subtypes of {@link StreamException}:
 * {@link StreamNotFoundException} (no such stream), {@link StreamConflictException} (different
 * settings, content type or {@code Stream-Seq}), {@link StreamGoneException} (deleted while forks
 * still read it), {@link StreamClosedException} (append to a closed stream),
 * {@link InvalidRequestException} (invalid path, offset, JSON or request),
 * {@link io.durablestreams.store.OffsetNotRetainedException} (a read below the data that
 * retention keeps) and the producer and storage exceptions. Invalid builder arguments raise
 * {@link IllegalArgumentException}.
 *
 * <p>Java callers are trusted: the access tokens, rate limits and stream and live-reader limits
 * of {@code durable-streams.security} apply to HTTP requests only. Path, append and read size
 * limits apply to both.
 *
 * <p>Thread-safety: safe for concurrent use. Only the {@code readLive} methods wait for data;
 * the others block only for storage I/O, which for the file store with {@code fsync}
 * durability includes forcing appends to disk.
 *
 * <p>NOTE: with the file store, a thread interrupted while it reads or writes a stream closes
 * that stream's file channel, and the stream then fails with
 * {@link io.durablestreams.store.StorageException} until the storage is reopened. Interrupt a
 * thread only while it waits inside {@code readLive}; {@link StreamListener#stop()} does not
 * interrupt file I/O.
 */
public final class DurableStreams implements AutoCloseable {

    private final StreamStore store;
    private final ServerSettings settings;
    private final boolean ownsStore;
    private final StreamService service;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DurableStreams(StreamStore store, ServerSettings settings, Clock clock,
                           boolean ownsStore) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ownsStore = ownsStore;
        this.service = new StreamService(store, settings, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Creates an instance whose streams live in memory only, with the default settings.
     *
     * @return the instance; close it to stop its background reaper
     */
    public static DurableStreams inMemory() {
        return create(ServerSettings.defaults().withStorage(StorageSettings.memory()));
    }

    /**
     * Creates an instance on the storage the settings name, loading the streams stored there.
     * Blocks while a file store verifies and loads its streams.
     *
     * @param settings protocol and storage settings
     * @return the instance; close it to flush and close the storage
     * @throws io.durablestreams.store.StorageException when the storage cannot be opened
     */
    public static DurableStreams create(ServerSettings settings) {
        return create(settings, Clock.systemUTC());
    }

    /**
     * Creates an instance with a given clock, which decides TTL and expiry; for tests.
     *
     * @param settings protocol and storage settings
     * @param clock source of the current time
     * @return the instance; close it to flush and close the storage
     */
    public static DurableStreams create(ServerSettings settings, Clock clock) {
        StreamStore store = new StreamStore(settings.storage().open(), clock,
                settings.reapInterval());
        return new DurableStreams(store, settings, clock, true);
    }

    /**
     * Creates an instance from configuration, with the defaults for absent keys.
     *
     * @param config the {@code durable-streams} node, for example
     *        {@code Config.create().get(ServerSettings.CONFIG_KEY)}
     * @return the instance; close it to flush and close the storage
     * @throws IllegalArgumentException naming the key whose value is invalid
     */
    public static DurableStreams create(Config config) {
        return create(ServerSettings.from(config));
    }

    /**
     * Wraps a store that the caller already runs; {@link #close()} then leaves it open.
     *
     * @param store the store
     * @param settings protocol settings of the HTTP service and the limits of this API
     * @return the instance
     */
    public static DurableStreams wrap(StreamStore store, ServerSettings settings) {
        return new DurableStreams(store, settings, Clock.systemUTC(), false);
    }

    /**
     * Returns the settings this instance applies.
     *
     * @return the settings
     */
    public ServerSettings settings() {
        return settings;
    }

    /**
     * Creates a stream, or confirms that an identical one exists.
     *
     * @param path the stream's path, for example {@code chat/room-1}
     * @param options content type, expiry, initial data, closure and fork origin
     * @return the stream's metadata and whether this call created it
     * @throws StreamConflictException when a stream with other settings or closure exists
     * @throws StreamNotFoundException when the fork source does not exist
     * @throws InvalidRequestException when the path, the initial JSON or the fork point is
     *         invalid, or the initial data exceeds {@code max-append-bytes}
     */
    public CreateOutcome create(String path, StreamOptions options) {
        checkPath(path);
        Objects.requireNonNull(options, "options");
        byte[] body = options.initialData();
        checkSize(body.length);
        Optional<ForkRequest> fork = Optional.empty();
        if (options.forkSource().isPresent()) {
            String source = checkPath(options.forkSource().get());
            fork = Optional.of(new ForkRequest(source,
                    options.forkOffset().map(offset -> Offsets.parse(offset.value())),
                    options.forkSubOffset()));
        }
        CreateRequest request = new CreateRequest(options.contentType(), options.ttlSeconds(),
                options.expiresAt(), body, options.closed(), fork, options.retention());
        CreateResult result = store.create(path, request);
        return new CreateOutcome(info(result.stream()), result.created());
    }

    /**
     * Appends data with the stream's content type. For a JSON stream the data must be JSON: an
     * array appends each element as one message.
     *
     * @param path the stream's path
     * @param data the bytes to append, not empty
     * @return the new tail and the stream's state
     * @throws StreamNotFoundException when the stream does not exist
     * @throws StreamClosedException when the stream is closed
     * @throws InvalidRequestException when the data is empty, too large or invalid JSON
     */
    public AppendOutcome append(String path, byte[] data) {
        return append(path, data, AppendOptions.defaults());
    }

    /**
     * Appends data as UTF-8 text with the stream's content type.
     *
     * @param path the stream's path
     * @param text the text to append, not empty
     * @return the new tail and the stream's state
     * @throws StreamNotFoundException when the stream does not exist
     * @throws StreamClosedException when the stream is closed
     * @throws InvalidRequestException when the text is empty, too large or invalid JSON
     */
    public AppendOutcome append(String path, String text) {
        return append(path, text.getBytes(UTF_8), AppendOptions.defaults());
    }

    /**
     * Appends data with a content type check, a writer sequence, a producer identity or a close.
     *
     * @param path the stream's path
     * @param data the bytes to append; may be empty only when {@code options} close the stream
     * @param options the append's settings
     * @return the new tail and the stream's state; for a producer's repeated batch, the state
     *         without appending again
     * @throws StreamNotFoundException when the stream does not exist
     * @throws StreamClosedException when the stream is closed and this is not a repeat of the
     *         append that closed it
     * @throws StreamConflictException when the content type does not match or the
     *         {@code Stream-Seq} does not increase
     * @throws io.durablestreams.store.ProducerFencedException when the producer epoch is stale
     * @throws io.durablestreams.store.ProducerSequenceGapException when the producer sequence
     *         skips ahead
     * @throws InvalidRequestException when the data is empty, too large or invalid JSON
     */
    public AppendOutcome append(String path, byte[] data, AppendOptions options) {
        checkPath(path);
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(options, "options");
        if (data.length == 0 && !options.close()) {
            throw new InvalidRequestException("Append data is empty; pass data, or call"
                    + " close(path) to close the stream");
        }
        checkSize(data.length);
        DurableStream stream = store.require(path);

        Optional<String> contentType = Optional.empty();
        List<byte[]> records = List.of();
        if (data.length > 0) {
            String type = options.contentType().orElse(stream.config().contentType());
            contentType = Optional.of(type);
            records = records(stream, type, data);
        }
        AppendResult result = stream.append(new Append(contentType, records, options.close(),
                options.streamSeq(), options.producer()));
        return new AppendOutcome(Offsets.format(result.tail()), result.closed(),
                result.duplicate(), result.producer());
    }

    /**
     * Appends JSON to a JSON stream: an array appends each element as one message, any other
     * value one message.
     *
     * @param path the stream's path
     * @param json one JSON value
     * @return the new tail and the stream's state
     * @throws StreamConflictException when the stream is not a JSON stream
     * @throws InvalidRequestException when the text is not one JSON value, or is an empty array
     * @throws StreamNotFoundException when the stream does not exist
     * @throws StreamClosedException when the stream is closed
     */
    public AppendOutcome appendJson(String path, String json) {
        return append(path, json.getBytes(UTF_8),
                AppendOptions.defaults().withContentType("application/json"));
    }

    /**
     * Closes a stream, so that readers reach its end and appends are rejected. Closing a closed
     * stream again succeeds.
     *
     * @param path the stream's path
     * @return the final tail; {@link AppendOutcome#closed()} is true
     * @throws StreamNotFoundException when the stream does not exist
     */
    public AppendOutcome close(String path) {
        return append(path, new byte[0], AppendOptions.defaults().withClose());
    }

    /**
     * Reads stored data from an offset, returning at once.
     *
     * @param path the stream's path
     * @param offset {@code -1}, {@code now} or an offset token
     * @param maxBytes the most bytes to return; a JSON read returns at least one whole message
     * @return the data, the offset to continue from, and whether the read reached the tail and
     *         the end of the stream
     * @throws StreamNotFoundException when the stream does not exist
     * @throws InvalidRequestException when the offset is invalid, beyond the tail, or inside a
     *         JSON message
     */
    public Chunk read(String path, Offset offset, int maxBytes) {
        checkPath(path);
        Objects.requireNonNull(offset, "offset");
        checkMaxBytes(maxBytes);
        DurableStream stream = store.require(path);
        return chunk(stream, stream.read(position(stream, offset), maxBytes));
    }

    /**
     * Reads stored data from an offset given as text, returning at once.
     *
     * @param path the stream's path
     * @param offset {@code -1}, {@code now} or an offset token
     * @param maxBytes the most bytes to return; a JSON read returns at least one whole message
     * @return the data and the offset to continue from
     * @throws StreamNotFoundException when the stream does not exist
     * @throws InvalidRequestException when the offset is invalid or beyond the tail
     */
    public Chunk read(String path, String offset, int maxBytes) {
        return read(path, Offset.of(offset), maxBytes);
    }

    /**
     * Reads stored data from an offset, up to {@link ServerSettings#maxChunkBytes()}, returning
     * at once.
     *
     * @param path the stream's path
     * @param offset {@code -1}, {@code now} or an offset token
     * @return the data and the offset to continue from
     * @throws StreamNotFoundException when the stream does not exist
     * @throws InvalidRequestException when the offset is invalid or beyond the tail
     */
    public Chunk read(String path, String offset) {
        return read(path, Offset.of(offset), settings.maxChunkBytes());
    }

    /**
     * Reads the stored messages of a JSON stream from an offset, up to
     * {@link ServerSettings#maxChunkBytes()}, returning at once. Continue from the last
     * message's {@link Message#nextOffset()}; an empty list means the reader is at the tail.
     *
     * @param path the stream's path
     * @param offset {@code -1}, {@code now} or an offset token
     * @return the messages in stream order, each with its own offsets
     * @throws InvalidRequestException when the stream is not a JSON stream, or the offset is
     *         invalid or not at a message boundary
     * @throws StreamNotFoundException when the stream does not exist
     */
    public List<Message> readMessages(String path, String offset) {
        return readMessages(path, Offset.of(offset), settings.maxChunkBytes());
    }

    /**
     * Reads the stored messages of a JSON stream from an offset, returning at once.
     *
     * @param path the stream's path
     * @param offset {@code -1}, {@code now} or an offset token
     * @param maxBytes the most bytes to return; at least one whole message is returned
     * @return the messages in stream order, each with its own offsets
     * @throws InvalidRequestException when the stream is not a JSON stream, or the offset is
     *         invalid or not at a message boundary
     * @throws StreamNotFoundException when the stream does not exist
     */
    public List<Message> readMessages(String path, Offset offset, int maxBytes) {
        checkPath(path);
        Objects.requireNonNull(offset, "offset");
        checkMaxBytes(maxBytes);
        DurableStream stream = store.require(path);
        if (!stream.config().isJson()) {
            throw new InvalidRequestException("Stream " + path + " has content type "
                    + stream.config().contentType() + ", not application/json; use read()");
        }
        ReadResult read = stream.read(position(stream, offset), maxBytes);
        return messages(read);
    }

    /**
     * Reads data from an offset, waiting until data arrives, the stream closes, or the timeout
     * passes, like an HTTP long-poll. Blocks the calling thread for at most {@code timeout}
     * when nothing is stored past the offset, and returns at once otherwise.
     *
     * @param path the stream's path
     * @param offset {@code -1}, {@code now} (only data appended after the call) or a token
     * @param timeout how long to wait for data at most
     * @return the data; an empty chunk with {@link Chunk#upToDate()} after a timeout or when the
     *         store shuts down, or with {@link Chunk#closed()} when the stream closed
     * @throws InterruptedException when the waiting thread is interrupted
     * @throws StreamNotFoundException when the stream does not exist or is deleted meanwhile
     * @throws StreamDeletedException when the stream is deleted during the wait
     * @throws InvalidRequestException when the offset is invalid or beyond the tail
     */
    public Chunk readLive(String path, Offset offset, Duration timeout)
            throws InterruptedException {
        return readLive(path, offset, timeout, settings.maxChunkBytes());
    }

    /**
     * Reads data from an offset given as text, waiting up to a timeout for data to arrive.
     * Blocks like {@link #readLive(String, Offset, Duration)}.
     *
     * @param path the stream's path
     * @param offset {@code -1}, {@code now} or an offset token
     * @param timeout how long to wait for data at most
     * @return the data, or an empty chunk after a timeout or when the stream closed
     * @throws InterruptedException when the waiting thread is interrupted
     * @throws StreamNotFoundException when the stream does not exist
     * @throws InvalidRequestException when the offset is invalid or beyond the tail
     */
    public Chunk readLive(String path, String offset, Duration timeout)
            throws InterruptedException {
        return readLive(path, Offset.of(offset), timeout, settings.maxChunkBytes());
    }

    /**
     * Reads up to {@code maxBytes} from an offset, waiting up to a timeout for data to arrive.
     * Blocks like {@link #readLive(String, Offset, Duration)}.
     *
     * @param path the stream's path
     * @param offset {@code -1}, {@code now} or an offset token
     * @param timeout how long to wait for data at most
     * @param maxBytes the most bytes to return; a JSON read returns at least one whole message
     * @return the data, or an empty chunk after a timeout or when the stream closed
     * @throws InterruptedException when the waiting thread is interrupted
     * @throws StreamNotFoundException when the stream does not exist
     * @throws StreamDeletedException when the stream is deleted during the wait
     * @throws InvalidRequestException when the offset is invalid or beyond the tail
     */
    public Chunk readLive(String path, Offset offset, Duration timeout, int maxBytes)
            throws InterruptedException {
        checkPath(path);
        Objects.requireNonNull(offset, "offset");
        Objects.requireNonNull(timeout, "timeout");
        checkMaxBytes(maxBytes);
        if (Thread.interrupted()) {
            // Checked before any file I/O, which an interrupt would break.
            throw new InterruptedException("Thread was interrupted before readLive on " + path);
        }
        DurableStream stream = store.require(path);
        long from = position(stream, offset);
        ReadResult read = stream.read(from, maxBytes);
        if (!read.hasData() && !read.endOfStream()) {
            LiveWait wake = stream.awaitData(from, timeout);
            if (wake == LiveWait.DELETED) {
                // Reports a soft delete as gone and a removal as not found, as require() does.
                store.require(path);
                throw new StreamDeletedException(path);
            }
            read = stream.read(from, maxBytes);
        }
        return chunk(stream, read);
    }

    /**
     * Returns a stream's metadata without restarting its TTL.
     *
     * @param path the stream's path
     * @return content type, tail, closure and expiry
     * @throws StreamNotFoundException when the stream does not exist
     * @throws StreamGoneException when it was deleted but forks still read it
     */
    public StreamInfo metadata(String path) {
        checkPath(path);
        return info(store.require(path));
    }

    /**
     * Tells whether a live stream exists at a path.
     *
     * @param path the stream's path
     * @return false when none exists, it expired, or it was deleted
     */
    public boolean exists(String path) {
        checkPath(path);
        return store.find(path).isPresent();
    }

    /**
     * Deletes a stream and wakes its live readers. A stream that forks still read is kept until
     * its last fork is deleted, and later calls on it raise {@link StreamGoneException}.
     *
     * @param path the stream's path
     * @throws StreamNotFoundException when the stream does not exist
     * @throws StreamGoneException when it was already deleted but forks still read it
     */
    public void delete(String path) {
        checkPath(path);
        store.delete(path);
    }

    /**
     * Starts building a listener that follows a stream in this process on a virtual thread.
     *
     * @param path the stream's path
     * @return the builder
     */
    public LocalStreamListener.Builder listener(String path) {
        return LocalStreamListener.builder(this, checkPath(path));
    }

    /**
     * Returns the HTTP service of the protocol over this instance's streams. It serves every
     * stream below the path it is registered at, which it reads from each request.
     *
     * @return the service, the same instance on every call
     */
    public HttpService httpService() {
        return service;
    }

    /**
     * Registers the protocol at a path of the caller's choosing, with a filter that adds the
     * protocol's CORS and browser security headers to requests at and below that path only.
     *
     * @param routing the application's routing
     * @param mountPath where streams live, for example {@code /api/v1/stream}: starts with
     *        {@code /} and does not end with one, unless it is {@code /}
     * @return {@code routing}, for chaining
     * @throws IllegalArgumentException when the mount path has another form
     */
    public HttpRouting.Builder mount(HttpRouting.Builder routing, String mountPath) {
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(mountPath, "mountPath");
        if (!mountPath.startsWith("/") || (mountPath.length() > 1 && mountPath.endsWith("/"))) {
            throw new IllegalArgumentException("Mount path must start with / and not end with /,"
                    + " for example /api/v1/stream; got " + mountPath);
        }
        routing.addFilter(new MountFilter(mountPath,
                new SecurityHeadersFilter(settings.corsAllowedOrigins())));
        routing.register(mountPath, service);
        return routing;
    }

    /**
     * Registers the protocol at the configured {@code durable-streams.mount-path}.
     *
     * @param routing the application's routing
     * @return {@code routing}, for chaining
     */
    public HttpRouting.Builder mount(HttpRouting.Builder routing) {
        return mount(routing, settings.mountPath());
    }

    /**
     * Ends every current and future live wait at once with the reader's current position, as
     * the first step of a graceful shutdown. HTTP long-polls then answer 204 and SSE responses
     * end, so stopping the HTTP server afterwards does not wait for them. Returns at once.
     */
    public void shutDownLiveReaders() {
        store.shutDownLiveReaders();
    }

    /**
     * Ends every live wait with the reader's current position, then stops the expiry reaper
     * and closes the storage, syncing pending writes. A store passed to
     * {@link #wrap(StreamStore, ServerSettings)} is left alone. Calls after the first do
     * nothing. Blocks while pending writes are synced. Stop the HTTP server first, so that no
     * request reaches a closed store.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownsStore) {
            store.shutDownLiveReaders();
            store.close();
        }
    }

    /**
     * Returns a live stream, for listeners in this package.
     *
     * @param path the stream's path
     * @return the stream
     * @throws StreamNotFoundException when the stream does not exist
     */
    DurableStream stream(String path) {
        return store.require(checkPath(path));
    }

    private String checkPath(String path) {
        return StreamPathRules.check(path, settings.maxPathBytes(),
                settings.security().maxPathSegments());
    }

    private void checkSize(long length) {
        if (length > settings.maxAppendBytes()) {
            throw new InvalidRequestException("Data of " + length + " bytes is larger than the"
                    + " limit of " + settings.maxAppendBytes()
                    + " bytes (durable-streams.max-append-bytes)");
        }
    }

    private static void checkMaxBytes(int maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive; got " + maxBytes);
        }
    }

    private static long position(DurableStream stream, Offset offset) {
        if (offset.isBeginning()) {
            // The first data still kept: 0, unless retention dropped older data.
            return stream.earliest();
        }
        if (offset.isNow()) {
            return stream.tail();
        }
        return Offsets.parse(offset.value());
    }

    /**
     * Splits JSON data into stored messages when the stream is a JSON stream and the content
     * type matches. Other data becomes one record, so the store can reject a mismatched type.
     */
    private static List<byte[]> records(DurableStream stream, String contentType, byte[] data) {
        if (!stream.config().isJson() || !stream.config().acceptsContentType(contentType)) {
            return List.of(data.clone());
        }
        try {
            return JsonMessages.split(data, false);
        } catch (InvalidJsonException e) {
            if (stream.isClosed()) {
                // The store then reports the closed stream, which takes precedence over invalid
                // data, as in the HTTP layer.
                return List.of(data.clone());
            }
            throw new InvalidRequestException(e.getMessage());
        }
    }

    private static Chunk chunk(DurableStream stream, ReadResult read) {
        byte[] data = stream.config().isJson() ? JsonMessages.toArray(read.data()) : read.data();
        return new Chunk(Offsets.format(read.from()), Offsets.format(read.next()), data,
                stream.config().contentType(), read.upToDate(), read.endOfStream());
    }

    /**
     * Splits a JSON read into messages. Each stored message is its exact bytes plus one comma,
     * and splitting the array of a read yields those same records, so the offset of message i
     * is the read's start plus the lengths of the records before it.
     */
    private static List<Message> messages(ReadResult read) {
        if (!read.hasData()) {
            return List.of();
        }
        List<byte[]> records;
        try {
            records = JsonMessages.split(JsonMessages.toArray(read.data()), true);
        } catch (InvalidJsonException e) {
            throw new IllegalStateException("Stored JSON messages failed to parse at "
                    + Offsets.format(read.from()) + ": " + e.getMessage(), e);
        }
        List<Message> messages = new ArrayList<>(records.size());
        long position = read.from();
        for (byte[] record : records) {
            long next = position + record.length;
            messages.add(new Message(Offsets.format(position), Offsets.format(next),
                    new String(record, 0, record.length - 1, UTF_8)));
            position = next;
        }
        if (position != read.next()) {
            throw new IllegalStateException("Stored JSON messages from "
                    + Offsets.format(read.from()) + " end at " + Offsets.format(position)
                    + " instead of " + Offsets.format(read.next()));
        }
        return List.copyOf(messages);
    }

    private static StreamInfo info(DurableStream stream) {
        return new StreamInfo(stream.path(), stream.config().contentType(),
                Offsets.format(stream.tail()), stream.isClosed(),
                stream.config().ttlSeconds().isPresent()
                        ? Optional.of(Duration.ofSeconds(stream.config().ttlSeconds().getAsLong()))
                        : Optional.empty(),
                stream.config().expiresAt(), Offsets.format(stream.earliest()));
    }
}
