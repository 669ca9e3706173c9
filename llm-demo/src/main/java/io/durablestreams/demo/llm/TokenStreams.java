package io.durablestreams.demo.llm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import io.durablestreams.config.ServerSettings;
import io.durablestreams.config.StorageSettings;
import io.durablestreams.http.SecurityHeadersFilter;
import io.durablestreams.http.StreamService;
import io.durablestreams.json.InvalidJsonException;
import io.durablestreams.json.JsonMessages;
import io.durablestreams.store.Append;
import io.durablestreams.store.CreateRequest;
import io.durablestreams.store.DurableStream;
import io.durablestreams.store.LiveWait;
import io.durablestreams.store.ReadResult;
import io.durablestreams.store.StreamStore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import io.helidon.webserver.http.HttpRouting;

/**
 * The demo's only link to the Durable Streams server's Java classes: creates JSON streams,
 * appends messages to them in process, reads them back, and mounts the protocol over HTTP so
 * that browsers read the same streams.
 *
 * <p>Every stream the demo writes is an {@code application/json} stream, so each append is one
 * or more whole messages and readers never see half a message.
 *
 * <p>Thread-safety: safe for concurrent use, because the underlying store is.
 */
public final class TokenStreams implements AutoCloseable {

    private static final String JSON = "application/json";

    private final StreamStore store;
    private final ServerSettings settings;
    private final ObjectMapper mapper;

    private TokenStreams(StreamStore store, ServerSettings settings, ObjectMapper mapper) {
        this.store = store;
        this.settings = settings;
        this.mapper = mapper;
    }

    /**
     * Creates the stream store configured under {@code durable-streams.storage}: by default the
     * file store, so conversations survive restarts.
     *
     * @param config the {@code durable-streams} configuration node; absent keys take the
     *        server's defaults
     * @param mapper the JSON mapper for messages
     * @return the streams
     * @throws IllegalArgumentException naming the setting whose value is invalid
     */
    public static TokenStreams create(Config config, ObjectMapper mapper) {
        ServerSettings settings = ServerSettings.from(config);
        StreamStore store = new StreamStore(settings.storage().open(), Clock.systemUTC(),
                settings.reapInterval());
        return new TokenStreams(store, settings, Objects.requireNonNull(mapper, "mapper"));
    }

    /**
     * Creates an in-memory stream store, for tests.
     *
     * @param config the {@code durable-streams} configuration node
     * @param mapper the JSON mapper for messages
     * @return the streams
     */
    public static TokenStreams inMemory(Config config, ObjectMapper mapper) {
        ServerSettings settings = ServerSettings.from(config)
                .withStorage(StorageSettings.memory());
        StreamStore store = new StreamStore(Clock.systemUTC(), settings.reapInterval());
        return new TokenStreams(store, settings, Objects.requireNonNull(mapper, "mapper"));
    }

    /**
     * Registers the protocol's HTTP service at the mount path, with the server's security and
     * CORS headers on every response.
     *
     * @param routing the routing to add to
     */
    public void mount(HttpRouting.Builder routing) {
        routing.addFilter(new SecurityHeadersFilter(settings.corsAllowedOrigins()))
                .register(settings.mountPath(),
                        new StreamService(store, settings, Clock.systemUTC()));
    }

    /**
     * Returns the URL path under which the protocol is mounted.
     *
     * @return for example {@code /v1/stream}
     */
    public String mountPath() {
        return settings.mountPath();
    }

    /**
     * Returns the URL path at which browsers read a stream.
     *
     * @param path the stream's path, for example {@code llm-demo/index}
     * @return for example {@code /v1/stream/llm-demo/index}
     */
    public String urlPath(String path) {
        return settings.mountPath() + "/" + path;
    }

    /**
     * Creates an open, empty JSON stream, or does nothing when an identical one exists.
     *
     * @param path the stream's path
     * @return true when this call created the stream
     * @throws IllegalStateException when a stream with other settings exists at the path
     */
    public boolean createJson(String path) {
        try {
            return store.create(path, new CreateRequest(Optional.of(JSON), OptionalLong.empty(),
                    Optional.empty(), new byte[0], false, Optional.empty())).created();
        } catch (RuntimeException e) {
            throw new IllegalStateException("Creating stream " + path + " failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Tells whether a stream exists and has not been deleted.
     *
     * @param path the stream's path
     * @return true when it can be read
     */
    public boolean exists(String path) {
        return store.find(path).isPresent();
    }

    /**
     * Tells whether a stream is closed.
     *
     * @param path the stream's path
     * @return true when it is closed, false when it is open or does not exist
     */
    public boolean isClosed(String path) {
        return store.find(path).map(DurableStream::isClosed).orElse(false);
    }

    /**
     * Appends messages to a JSON stream in one atomic step, optionally closing it in the same
     * step.
     *
     * @param path the stream's path
     * @param messages the messages, each one JSON value that is not an array
     * @param close whether the stream closes after these messages
     * @throws IllegalStateException when the stream does not exist, is closed or was deleted
     */
    public void append(String path, List<? extends JsonNode> messages, boolean close) {
        List<byte[]> records = List.of();
        if (!messages.isEmpty()) {
            try {
                // A JSON array body is split into one stored message per element.
                records = JsonMessages.split(mapper.writeValueAsBytes(messages), false);
            } catch (IOException | InvalidJsonException e) {
                throw new IllegalStateException("Encoding messages for " + path + " failed", e);
            }
        }
        try {
            store.require(path).append(new Append(Optional.of(JSON), records, close,
                    Optional.empty(), Optional.empty()));
        } catch (RuntimeException e) {
            throw new IllegalStateException("Appending to stream " + path + " failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Reads every message a JSON stream contains now.
     *
     * @param path the stream's path
     * @return the messages in order
     * @throws IllegalStateException when the stream does not exist or was deleted
     */
    public List<JsonNode> readAll(String path) {
        DurableStream stream;
        try {
            stream = store.require(path);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Reading stream " + path + " failed: "
                    + e.getMessage(), e);
        }
        List<JsonNode> messages = new ArrayList<>();
        long position = 0;
        while (true) {
            ReadResult read = stream.read(position, settings.maxReadBytes());
            if (read.hasData()) {
                try {
                    mapper.readTree(JsonMessages.toArray(read.data())).forEach(messages::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("Stream " + path + " contains invalid JSON", e);
                }
            }
            position = read.next();
            if (read.upToDate()) {
                return messages;
            }
        }
    }

    /**
     * Waits until a stream is closed.
     *
     * @param path the stream's path
     * @param timeout how long to wait at most
     * @return true when the stream is closed, false when the timeout passed first or the stream
     *         was deleted
     * @throws IllegalStateException when the stream does not exist
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean awaitClosed(String path, Duration timeout) throws InterruptedException {
        DurableStream stream;
        try {
            stream = store.require(path);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Waiting for stream " + path + " failed: "
                    + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!stream.isClosed()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            // Wakes on every append as well as on the close, so the loop checks again.
            LiveWait wake = stream.awaitData(stream.tail(), Duration.ofNanos(remaining));
            if (wake == LiveWait.DELETED) {
                return false;
            }
        }
        return true;
    }

    /** Stops the store's background work. */
    @Override
    public void close() {
        store.close();
    }
}
