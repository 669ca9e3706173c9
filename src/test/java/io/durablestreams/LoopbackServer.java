package io.durablestreams;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.durablestreams.config.ConnectionLimits;
import io.durablestreams.config.ServerSettings;
import io.durablestreams.net.ConnectionGate;
import io.durablestreams.store.DurableStream;
import io.durablestreams.store.StreamStore;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A Durable Streams server on a free port of 127.0.0.1, routed through {@link Main#routing}
 * with an in-memory store and the listener settings of the standalone server
 * ({@code server} in {@code application.yaml}), plus an HTTP client for it. Tests that need other client addresses
 * open clients bound to other loopback addresses with {@link #clientFrom(InetAddress)}.
 */
public final class LoopbackServer implements AutoCloseable {

    /** URL path under which the server serves streams. */
    public static final String MOUNT_PATH = "/v1/stream";

    /** Bound on every request that is not a live read. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final StreamStore store;
    private final ConnectionGate gate;
    private final WebServer server;
    private final URI base;
    private final HttpClient client;
    private final List<HttpClient> clients = new ArrayList<>();

    private LoopbackServer(ServerSettings settings) {
        // The reaper runs hourly, so that streams never expire while a test runs.
        this.store = new StreamStore(Clock.systemUTC(), Duration.ofHours(1));
        ConnectionLimits limits = settings.security().connections();
        this.gate = new ConnectionGate(limits.maxConnections(),
                limits.maxConnectionsPerClient(), limits.requestHeadTimeout());
        this.server = Main.serverBuilder(Config.create())
                .host("127.0.0.1")
                .port(0)
                .shutdownHook(false)
                // Tests stop servers with requests still running; they need not wait for them.
                .shutdownGracePeriod(Duration.ofMillis(500))
                .update(builder -> gate.configure(builder,
                        Main.http1Config(Config.empty(), limits)))
                .routing(routing -> {
                    Main.routing(routing, store, settings);
                    routing.addFilter(gate.filter());
                })
                .build()
                .start();
        this.base = URI.create("http://127.0.0.1:" + server.port());
        this.client = newClient(null);
    }

    /**
     * Starts a server.
     *
     * @param settings protocol settings, whose mount path must be {@link #MOUNT_PATH}
     * @return the running server
     */
    public static LoopbackServer start(ServerSettings settings) {
        return new LoopbackServer(settings);
    }

    /**
     * Returns settings read from configuration, as the server reads its own: an in-memory
     * store, a 60 s long-poll timeout, SSE connections open for 60 s, and the given keys below
     * {@code durable-streams} on top. The long timeouts keep live reads parked through tests
     * on a loaded machine.
     *
     * @param overrides configuration keys below {@code durable-streams} and their values; list
     *        entries take an index, as in {@code auth.write-tokens.0}
     * @return the settings
     */
    public static ServerSettings settings(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>();
        values.put("mount-path", MOUNT_PATH);
        values.put("long-poll-timeout", "PT60S");
        values.put("sse-reconnect-interval", "PT60S");
        values.put("reap-interval", "PT1H");
        values.put("storage.type", "memory");
        values.putAll(overrides);
        return ServerSettings.from(Config.just(ConfigSources.create(values)));
    }

    /**
     * Returns the store behind the server.
     *
     * @return the store
     */
    public StreamStore store() {
        return store;
    }

    /**
     * Returns the gate that counts the server's connections.
     *
     * @return the gate
     */
    public ConnectionGate gate() {
        return gate;
    }

    /**
     * Returns the running server.
     *
     * @return the server
     */
    public WebServer server() {
        return server;
    }

    /**
     * Returns the URI of a stream.
     *
     * @param stream the stream path below the mount path, percent-encoded where needed
     * @param query the query string without {@code ?}, or empty
     * @return the URI
     */
    public URI uri(String stream, String query) {
        String path = MOUNT_PATH + "/" + stream;
        return base.resolve(query.isEmpty() ? path : path + "?" + query);
    }

    /**
     * Opens another client whose connections leave from the given loopback address, so that
     * the server reads a different client address.
     *
     * @param localAddress an address in 127.0.0.0/8
     * @return the client, closed with this server
     */
    public HttpClient clientFrom(InetAddress localAddress) {
        if (!localAddress.isLoopbackAddress()) {
            throw new IllegalArgumentException("Test clients must stay on loopback; got "
                    + localAddress);
        }
        return newClient(localAddress);
    }

    /**
     * Sends a request with the default client and waits for the whole response.
     *
     * @param method the HTTP method
     * @param stream the stream path below the mount path
     * @param query the query string without {@code ?}, or empty
     * @param body the body; empty sends none
     * @param headers header names and values, alternating
     * @return the response
     */
    public Reply send(String method, String stream, String query, byte[] body,
                      String... headers) {
        return send(client, method, stream, query, body, headers);
    }

    /**
     * Sends a request and waits for the whole response.
     *
     * @param via the client to send with
     * @param method the HTTP method
     * @param stream the stream path below the mount path
     * @param query the query string without {@code ?}, or empty
     * @param body the body; empty sends none
     * @param headers header names and values, alternating
     * @return the response
     */
    public Reply send(HttpClient via, String method, String stream, String query, byte[] body,
                      String... headers) {
        BodyPublisher publisher = body.length == 0
                ? BodyPublishers.noBody()
                : BodyPublishers.ofByteArray(body);
        return exchange(via, request(method, stream, query, publisher, headers).build());
    }

    /**
     * Sends a request whose body has no declared length, so that HTTP/1.1 sends it with
     * {@code Transfer-Encoding: chunked}.
     *
     * @param method the HTTP method
     * @param stream the stream path below the mount path
     * @param body the body
     * @param headers header names and values, alternating
     * @return the response
     */
    public Reply sendChunked(String method, String stream, byte[] body, String... headers) {
        BodyPublisher publisher = BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(body));
        return exchange(client, request(method, stream, "", publisher, headers).build());
    }

    /** Sends a PUT without a body. */
    public Reply put(String stream, String... headers) {
        return send("PUT", stream, "", new byte[0], headers);
    }

    /** Sends a POST with a UTF-8 body. */
    public Reply post(String stream, String body, String... headers) {
        return send("POST", stream, "", body.getBytes(UTF_8), headers);
    }

    /** Sends a GET. */
    public Reply get(String stream, String query, String... headers) {
        return send("GET", stream, query, new byte[0], headers);
    }

    /** Sends a DELETE. */
    public Reply delete(String stream, String... headers) {
        return send("DELETE", stream, "", new byte[0], headers);
    }

    /**
     * Sends a GET without waiting for the response, for live reads.
     *
     * @param stream the stream path below the mount path
     * @param query the query string without {@code ?}
     * @param timeout how long the client waits for the response headers
     * @param headers header names and values, alternating
     * @return the response once it arrives
     */
    public CompletableFuture<Reply> getAsync(String stream, String query, Duration timeout,
                                             String... headers) {
        HttpRequest request = request("GET", stream, query, BodyPublishers.noBody(), headers)
                .timeout(timeout)
                .build();
        return client.sendAsync(request, BodyHandlers.ofByteArray()).thenApply(Reply::of);
    }

    /**
     * Opens an SSE read and returns its body line by line as it arrives. Closing the returned
     * stream closes the connection.
     *
     * @param stream the stream path below the mount path
     * @param offset the offset to start at
     * @param headers header names and values, alternating
     * @return the response, whose body yields lines lazily
     */
    public HttpResponse<Stream<String>> openSse(String stream, String offset,
                                                String... headers) {
        HttpRequest request = request("GET", stream, "offset=" + offset + "&live=sse",
                BodyPublishers.noBody(), headers).build();
        try {
            return client.send(request, BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new UncheckedIOException("Opening an SSE read of " + stream + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while opening an SSE read", e);
        }
    }

    /**
     * Returns the number of live readers the store counts on a stream.
     *
     * @param stream the decoded stream path
     * @return the count, 0 when the stream does not exist
     */
    public int liveReaders(String stream) {
        return store.find(stream).map(DurableStream::liveReaderCount).orElse(0);
    }

    /**
     * Waits until a condition holds, checking it every few milliseconds.
     *
     * @param condition the condition
     * @param timeout how long to wait at most
     * @param description what is awaited, for the failure message
     * @throws AssertionError when the condition does not hold in time
     */
    public static void await(BooleanSupplier condition, Duration timeout, String description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Timed out after " + timeout + " waiting until "
                        + description);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * Ends live reads, stops the server and closes the store, in the order of the server's
     * graceful shutdown, after aborting requests still in flight.
     */
    @Override
    public void close() {
        store.shutDownLiveReaders();
        for (HttpClient each : clients) {
            each.shutdownNow();
        }
        server.stop();
        store.close();
    }

    private HttpClient newClient(InetAddress localAddress) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(REQUEST_TIMEOUT);
        if (localAddress != null) {
            builder.localAddress(localAddress);
        }
        HttpClient created = builder.build();
        clients.add(created);
        return created;
    }

    private HttpRequest.Builder request(String method, String stream, String query,
                                        BodyPublisher body, String... headers) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("Headers come as name, value pairs; got "
                    + headers.length + " strings");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(stream, query))
                .timeout(REQUEST_TIMEOUT)
                .method(method, body);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }

    private static Reply exchange(HttpClient via, HttpRequest request) {
        try {
            return Reply.of(via.send(request, BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during " + request.method() + " "
                    + request.uri(), e);
        }
    }

    /**
     * A received response.
     *
     * @param status the status code
     * @param response the response, for its headers
     * @param body the body bytes, empty when there was none
     */
    public record Reply(int status, HttpResponse<?> response, byte[] body) {

        static Reply of(HttpResponse<byte[]> response) {
            return new Reply(response.statusCode(), response, response.body());
        }

        /**
         * Returns a header value.
         *
         * @param name the header name, in any case
         * @return the first value, or null when the header is absent
         */
        public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        /**
         * Returns the body as UTF-8 text.
         *
         * @return the text
         */
        public String text() {
            return new String(body, UTF_8);
        }
    }
}
