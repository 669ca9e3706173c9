package io.durablestreams.examples.app;

import java.lang.System.Logger.Level;

import io.durablestreams.api.DurableStreams;
import io.durablestreams.config.ServerSettings;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/**
 * Starts a Helidon application that serves its own chat-room API under {@code /api/v1/rooms}
 * and mounts the Durable Streams protocol beside it under {@code /api/v1/stream}, both backed
 * by one {@link DurableStreams} instance.
 */
public final class Main {

    /** The path at which the application mounts the Durable Streams protocol. */
    static final String STREAM_MOUNT = "/api/v1/stream";

    private static final System.Logger LOGGER = System.getLogger(Main.class.getName());

    private Main() {
    }

    /**
     * Starts the application with configuration from {@code application.yaml}, environment
     * variables and system properties, and stops it on JVM shutdown.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        DurableStreams streams = DurableStreams.create(config.get(ServerSettings.CONFIG_KEY));

        WebServer server = WebServer.builder()
                .config(config.get("server"))
                // The hook below stops the server itself, in the order a graceful shutdown needs.
                .shutdownHook(false)
                .routing(routing -> routing(routing, streams))
                .build()
                .start();
        LOGGER.log(Level.INFO, "Example application listening on http://{0}:{1,number,#}:"
                        + " rooms at /api/v1/rooms, streams at {2}",
                config.get("server.host").asString().orElse("0.0.0.0"), server.port(),
                STREAM_MOUNT);

        // Live readers get their position first, then in-flight requests finish while the server
        // stops accepting, then the store syncs what is pending.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            streams.shutDownLiveReaders();
            server.stop();
            streams.close();
        }));
    }

    /**
     * Registers the application's own routes and the mounted protocol.
     *
     * @param routing the routing to add to
     * @param streams the streams both use
     */
    static void routing(HttpRouting.Builder routing, DurableStreams streams) {
        routing.register("/api/v1/rooms", new RoomService(streams, STREAM_MOUNT));
        streams.mount(routing, STREAM_MOUNT);
    }
}
