package io.durablestreams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import io.durablestreams.config.ServerSettings;
import io.durablestreams.store.ForkTestClock;
import io.durablestreams.store.StreamStore;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A Durable Streams server on a free loopback port, with its own store and {@link ForkTestClock},
 * plus a small HTTP client for it. Each test starts its own, so that store sizes and clocks are
 * never shared between tests.
 */
final class ForkTestServer implements AutoCloseable {

    /** URL path under which the test server serves streams. */
    static final String MOUNT_PATH = "/v1/stream";

    /** The instant the store clock shows until a test advances it. */
    static final Instant CLOCK_START = Instant.parse("2030-01-01T00:00:00Z");

    /** Bound on every request that is not a long-poll or SSE read. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final ForkTestClock clock;
    private final StreamStore store;
    private final WebServer server;
    private final HttpClient client;
    private final URI base;

    private ForkTestServer(ServerSettings settings) {
        this.clock = new ForkTestClock(CLOCK_START);
        // Reaping only runs when a test calls reapExpired(), so that expiry is deterministic.
        this.store = new StreamStore(clock, Duration.ofHours(1));
        this.server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(routing -> Main.routing(routing, store, settings))
                .build()
                .start();
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(REQUEST_TIMEOUT)
                .build();
        this.base = URI.create("http://127.0.0.1:" + server.port());
    }

    /**
     * Starts a server whose long-poll timeout is 1 s and whose read chunks are at most 1 MiB.
     *
     * @return the running server
     */
    static ForkTestServer start() {
        return start(settings(Duration.ofSeconds(1), 1024 * 1024));
    }

    /**
     * Starts a server.
     *
     * @param settings protocol settings, whose mount path must be {@link #MOUNT_PATH}
     * @return the running server
     */
    static ForkTestServer start(ServerSettings settings) {
        return new ForkTestServer(settings);
    }

    /**
     * Returns test settings, in which SSE connections stay open for 10 s and the reaper runs
     * hourly. They are read from configuration, like the server's own, so that settings added
     * later take their defaults here too.
     *
     * @param longPollTimeout how long a long-poll read waits for data
     * @param maxReadBytes largest read chunk
     * @return the settings
     */
    static ServerSettings settings(Duration longPollTimeout, int maxReadBytes) {
        Map<String, String> values = Map.of(
                "mount-path", MOUNT_PATH,
                "long-poll-timeout", longPollTimeout.toString(),
                "sse-reconnect-interval", "PT10S",
                "max-read-bytes", Integer.toString(maxReadBytes),
                "reap-interval", "PT1H",
                "storage.type", "memory");
        return ServerSettings.from(Config.just(ConfigSources.create(values)));
    }

    /**
     * Returns the URL path of a stream, as {@code Stream-Forked-From} expects it.
     *
     * @param stream the stream path below the mount path
     * @return the URL path
     */
    static String urlPath(String stream) {
        return MOUNT_PATH + "/" + stream;
    }

    ForkTestClock clock() {
        return clock;
    }

    StreamStore store() {
        return store;
    }

    /**
     * Sends a PUT without a body.
     *
     * @param stream the stream path below the mount path
     * @param headers header names and values, alternating
     * @return the response
     */
    Reply put(String stream, String... headers) {
        return send("PUT", stream, "", new byte[0], headers);
    }

    /**
     * Sends a PUT with a body.
     *
     * @param stream the stream path below the mount path
     * @param body the initial content, sent as UTF-8
     * @param headers header names and values, alternating
     * @return the response
     */
    Reply putWithBody(String stream, String body, String... headers) {
        return send("PUT", stream, "", body.getBytes(UTF_8), headers);
    }

    Reply post(String stream, String body, String... headers) {
        return send("POST", stream, "", body.getBytes(UTF_8), headers);
    }

    Reply post(String stream, byte[] body, String... headers) {
        return send("POST", stream, "", body, headers);
    }

    /**
     * Sends a GET.
     *
     * @param stream the stream path below the mount path
     * @param query the query string without {@code ?}, or empty
     * @return the response
     */
    Reply get(String stream, String query) {
        return send("GET", stream, query, new byte[0]);
    }

    Reply head(String stream) {
        return send("HEAD", stream, "", new byte[0]);
    }

    Reply delete(String stream) {
        return send("DELETE", stream, "", new byte[0]);
    }

    /**
     * Sends a GET without waiting for the response, for long-poll reads.
     *
     * @param stream the stream path below the mount path
     * @param query the query string without {@code ?}
     * @param timeout how long the client waits for the response headers
     * @return the response once it arrives
     */
    CompletableFuture<Reply> getAsync(String stream, String query, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(uri(stream, query))
                .timeout(timeout)
                .GET()
                .build();
        return client.sendAsync(request, BodyHandlers.ofByteArray()).thenApply(Reply::of);
    }

    /**
     * Opens an SSE read and returns its body line by line as it arrives. Closing the returned
     * stream closes the connection.
     *
     * @param stream the stream path below the mount path
     * @param offset the offset to start at
     * @return the response, whose body yields lines lazily
     */
    HttpResponse<Stream<String>> openSse(String stream, String offset) {
        HttpRequest request = HttpRequest.newBuilder(uri(stream, "offset=" + offset + "&live=sse"))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
        try {
            return client.send(request, BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while opening an SSE read", e);
        }
    }

    @Override
    public void close() {
        // Aborts requests still in flight, such as the long-poll of a failed test, instead of
        // waiting for them as close() would.
        client.shutdownNow();
        server.stop();
        store.close();
    }

    private Reply send(String method, String stream, String query, byte[] body,
                       String... headers) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("Headers come as name, value pairs; got "
                    + headers.length + " strings");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(stream, query))
                .timeout(REQUEST_TIMEOUT)
                .method(method, body.length == 0
                        ? BodyPublishers.noBody()
                        : BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return Reply.of(client.send(request.build(), BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + stream + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during " + method + " " + stream, e);
        }
    }

    private URI uri(String stream, String query) {
        String path = urlPath(stream);
        return base.resolve(query.isEmpty() ? path : path + "?" + query);
    }

    /**
     * A received response.
     *
     * @param status the status code
     * @param response the response, for its headers
     * @param body the body bytes, empty when there was none
     */
    record Reply(int status, HttpResponse<?> response, byte[] body) {

        static Reply of(HttpResponse<byte[]> response) {
            return new Reply(response.statusCode(), response, response.body());
        }

        /**
         * Returns a header value.
         *
         * @param name the header name, in any case
         * @return the first value, or null when the header is absent
         */
        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        String text() {
            return new String(body, UTF_8);
        }
    }
}
