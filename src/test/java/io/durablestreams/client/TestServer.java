package io.durablestreams.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import io.durablestreams.api.DurableStreams;
import io.durablestreams.config.ServerSettings;
import io.durablestreams.config.StorageSettings;
import io.durablestreams.store.Durability;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/** A Helidon server on a loopback port that serves streams at {@value #MOUNT}. */
final class TestServer implements AutoCloseable {

    static final String MOUNT = "/v1/stream";

    private final DurableStreams streams;
    private final WebServer server;

    private TestServer(DurableStreams streams, WebServer server) {
        this.streams = streams;
        this.server = server;
    }

    /**
     * Starts a server.
     *
     * @param port the loopback port, or 0 for a free one
     * @param settings the protocol and storage settings
     * @param routing more routing, such as a filter that records requests
     * @return the running server
     */
    static TestServer start(int port, ServerSettings settings,
                            Consumer<HttpRouting.Builder> routing) {
        DurableStreams streams = DurableStreams.create(settings);
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .routing(rules -> {
                    routing.accept(rules);
                    streams.mount(rules, MOUNT);
                })
                .build()
                .start();
        return new TestServer(streams, server);
    }

    /**
     * Returns settings with a short long-poll timeout, so that tests do not wait on it. They are
     * read from configuration, so that settings added later take their defaults here too.
     *
     * @param storage where streams are kept
     * @param maxReadBytes largest chunk per response
     * @param sseReconnectInterval how long an SSE response stays open
     * @return the settings
     */
    static ServerSettings settings(StorageSettings storage, int maxReadBytes,
                                   Duration sseReconnectInterval) {
        Map<String, String> values = Map.of(
                "mount-path", MOUNT,
                "long-poll-timeout", "PT0.5S",
                "sse-reconnect-interval", sseReconnectInterval.toString(),
                "max-read-bytes", Integer.toString(maxReadBytes));
        return ServerSettings.from(Config.just(ConfigSources.create(values))).withStorage(storage);
    }

    /**
     * Returns file storage settings for a directory.
     *
     * @param directory the data directory
     * @return the settings
     */
    static StorageSettings files(Path directory) {
        return new StorageSettings(StorageSettings.FILE, directory, Durability.FSYNC,
                Duration.ofMillis(200), 64 * 1024, 16);
    }

    DurableStreams streams() {
        return streams;
    }

    int port() {
        return server.port();
    }

    URI streamUrl(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + MOUNT + "/" + path);
    }

    /** Ends live reads, stops the server, then closes its store, as a graceful shutdown does. */
    @Override
    public void close() {
        streams.shutDownLiveReaders();
        server.stop();
        streams.close();
    }
}
