package io.durablestreams;

import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;

import io.durablestreams.config.ConnectionLimits;
import io.durablestreams.config.ServerSettings;
import io.durablestreams.config.StorageSettings;
import io.durablestreams.http.SecurityHeadersFilter;
import io.durablestreams.http.StreamService;
import io.durablestreams.net.ConnectionGate;
import io.durablestreams.net.SocketBudget;
import io.durablestreams.observe.StorageHealthCheck;
import io.durablestreams.observe.StreamMetrics;
import io.durablestreams.security.AccessPolicy;
import io.durablestreams.security.TokenAccessPolicy;
import io.durablestreams.store.StreamStore;
import io.durablestreams.subscriptions.SubscriptionManager;
import io.durablestreams.subscriptions.SubscriptionService;
import io.durablestreams.subscriptions.SubscriptionSettings;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.http.HttpLogConfig;
import io.helidon.logging.common.LogConfig;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;

/**
 * Starts the standalone Durable Streams server.
 */
public final class Main {

    static {
        // Must be set before anything touches java.util.logging, so it comes before LOGGER.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager",
                    "io.durablestreams.logging.ShutdownSafeLogManager");
        }
        // Webhook connections left idle are closed after 10 s rather than the JDK's 20 minutes,
        // so that receivers seen once do not keep file descriptors the listener needs.
        if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) {
            System.setProperty("jdk.httpclient.keepalive.timeout", "10");
        }
    }

    /** Environment variable naming a YAML configuration file to use over the defaults. */
    static final String CONFIG_FILE_VARIABLE = "DURABLE_STREAMS_CONFIG_FILE";

    private static final System.Logger LOGGER = System.getLogger(Main.class.getName());

    private Main() {
    }

    /**
     * Starts the server with configuration from {@code application.yaml}, environment variables
     * and system properties, and stops it on JVM shutdown.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // Logging first, so that configuration problems are reported through it.
        LogConfig.configureRuntime();

        // Configuration: an invalid value stops start-up with a message naming the key.
        Config config = loadConfig();
        ServerSettings settings;
        SubscriptionSettings subscriptionSettings;
        try {
            settings = ServerSettings.from(config.get(ServerSettings.CONFIG_KEY));
            subscriptionSettings = SubscriptionSettings.from(
                    config.get(ServerSettings.CONFIG_KEY).get("subscriptions"));
        } catch (IllegalArgumentException e) {
            LOGGER.log(Level.ERROR, "Invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        StreamStore store;
        try {
            store = new StreamStore(settings.storage().open(), Clock.systemUTC(),
                    settings.reapInterval());
        } catch (IllegalStateException e) {
            LOGGER.log(Level.ERROR, "Cannot open the stream store: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Subscription state and keys live beside the streams of the file store.
        Optional<Path> dataDirectory = settings.storage().type().equals(StorageSettings.FILE)
                ? Optional.of(settings.storage().directory())
                : Optional.empty();
        SubscriptionManager subscriptions;
        try {
            subscriptions = SubscriptionManager.open(store, subscriptionSettings, dataDirectory);
        } catch (IllegalStateException | UncheckedIOException e) {
            LOGGER.log(Level.ERROR, "Cannot open the subscriptions: " + e.getMessage());
            store.close();
            System.exit(2);
            return;
        }
        if (subscriptionSettings.allowInsecureLocalhostWebhooks()) {
            LOGGER.log(Level.WARNING, "Webhooks to localhost and 127.0.0.x are allowed, also"
                    + " over http; turn durable-streams.subscriptions."
                    + "allow-insecure-localhost-webhooks off outside development");
        }

        // Server, with health and metrics under /observe.
        StreamMetrics metrics = new StreamMetrics(Metrics.globalRegistry(), store);
        ObserveFeature observe = ObserveFeature.just(
                HealthObserver.create(health -> health.details(true)
                        .addCheck(new StorageHealthCheck(store))),
                MetricsObserver.create());
        Optional<SocketBudget> budget;
        try {
            budget = socketBudget(settings);
        } catch (IllegalStateException e) {
            LOGGER.log(Level.ERROR, e.getMessage());
            subscriptions.close();
            store.close();
            System.exit(2);
            return;
        }
        ConnectionLimits limits = budget
                .map(b -> settings.security().connections().withMaxConnections(b.maxConnections()))
                .orElse(settings.security().connections());
        ConnectionGate gate = new ConnectionGate(limits.maxConnections(),
                limits.maxConnectionsPerClient(), limits.requestHeadTimeout());
        WebServer server;
        try {
            server = serverBuilder(config)
                .update(builder -> gate.configure(builder,
                        http1Config(config.get("server.protocols.http_1_1"), limits)))
                // Accepting a socket without a free file descriptor would stop the listener.
                .update(builder -> budget.ifPresent(b -> builder.maxTcpConnections(b.maxSockets())))
                // This class stops the server itself, in the order a graceful shutdown needs.
                .shutdownHook(false)
                // Features are added explicitly: the CORS feature that Helidon would discover on
                // the class path answers every origin, which SecurityHeadersFilter restricts.
                .featuresDiscoverServices(false)
                .addFeature(observe)
                // The gate's filter comes after the security headers, so that its 429 and 503
                // carry them, CORS included, and browser code can read their Retry-After.
                .routing(routing -> {
                    routing(routing, store, settings, metrics, subscriptions);
                    routing.addFilter(gate.filter());
                })
                .build()
                .start();
        } catch (RuntimeException e) {
            // Invalid server settings, such as a port that is not a number.
            LOGGER.log(Level.ERROR, "Invalid server configuration: " + e.getMessage());
            subscriptions.close();
            store.close();
            System.exit(2);
            return;
        }
        if (!server.isRunning()) {
            LOGGER.log(Level.ERROR, "Durable Streams server failed to start; see the errors above");
            subscriptions.close();
            store.close();
            System.exit(1);
        }
        LOGGER.log(Level.INFO, "Durable Streams server listening on http://{0}:{1,number,#}{2}/"
                        + " ({3}, long-poll timeout {4}, SSE reconnect interval {5},"
                        + " max append {6,number,#} bytes, max read chunk {7,number,#} bytes,"
                        + " max connections {8,number,#} in all and {9,number,#} per client)",
                config.get("server.host").asString().orElse("0.0.0.0"), server.port(),
                settings.mountPath(), store.storageDescription(), settings.longPollTimeout(),
                settings.sseReconnectInterval(), settings.maxAppendBytes(),
                settings.maxReadBytes(), limits.maxConnections(),
                limits.maxConnectionsPerClient());

        // Graceful shutdown: live readers get their position first, then in-flight requests
        // finish while the server stops accepting, then the store syncs what is pending.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            store.shutDownLiveReaders();
            server.stop();
            subscriptions.close();
            store.close();
            LOGGER.log(Level.INFO, "Durable Streams server stopped");
        }));
    }

    /**
     * Fits the connection limit into the process's file descriptors, with a warning when they
     * lower it.
     *
     * @param settings the server's settings
     * @return the budget, or empty on platforms that report no descriptor limit
     * @throws IllegalStateException when the descriptors leave no room for connections
     */
    private static Optional<SocketBudget> socketBudget(ServerSettings settings) {
        OptionalLong descriptorLimit = SocketBudget.descriptorLimit();
        if (descriptorLimit.isEmpty()) {
            return Optional.empty();
        }
        int configured = settings.security().connections().maxConnections();
        int fileDescriptors = settings.storage().type().equals(StorageSettings.MEMORY)
                ? 0 : settings.storage().maxOpenFiles();
        SocketBudget budget = SocketBudget.fit(descriptorLimit.getAsLong(), fileDescriptors,
                configured);
        if (budget.maxConnections() < configured) {
            LOGGER.log(Level.WARNING, "durable-streams.limits.max-connections is {0,number,#},"
                    + " but the file-descriptor limit of {1,number,#} allows {2,number,#};"
                    + " raise the limit (ulimit -n) to serve more", configured,
                    descriptorLimit.getAsLong(), budget.maxConnections());
        }
        return Optional.of(budget);
    }

    /**
     * Returns the HTTP/1.1 settings: Helidon's own from {@code server.protocols.http_1_1}, with
     * the request-head limits of {@code durable-streams.limits} on top.
     *
     * @param http1 the {@code server.protocols.http_1_1} node, possibly missing
     * @param limits the request-head limits
     * @return the settings
     */
    static Http1Config http1Config(Config http1, ConnectionLimits limits) {
        return Http1Config.builder()
                // Helidon's packet logging checks its logger on every read and write, which shows
                // in CPU profiles of small appends. Configuration can still turn it on.
                .log(HttpLogConfig.builder().sendLog(false).receiveLog(false).build())
                .config(http1)
                // Helidon's limit counts the CR that ends the request line.
                .maxPrologueLength(limits.maxRequestLineBytes() + 1)
                .maxHeadersSize(limits.maxHeaderBytes())
                .build();
    }

    /**
     * Loads configuration: environment variables, then system properties, then the YAML file
     * named by {@value #CONFIG_FILE_VARIABLE} when set, then {@code application.yaml}; earlier
     * sources win.
     */
    private static Config loadConfig() {
        String file = System.getenv(CONFIG_FILE_VARIABLE);
        if (file == null || file.isBlank()) {
            return Config.create();
        }
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            LOGGER.log(Level.ERROR, "Invalid configuration: " + CONFIG_FILE_VARIABLE + " names "
                    + path + ", which is not a readable file");
            System.exit(2);
        }
        // Environment variables and system properties stay first, as in Config.create().
        return Config.builder()
                .addSource(ConfigSources.file(path))
                .addSource(ConfigSources.classpath("application.yaml"))
                .build();
    }

    /**
     * Returns a server builder with the listener settings under {@code server}, such as the
     * socket type that {@code application.yaml} selects, so that tests run the same listener.
     *
     * @param config the whole configuration
     * @return the builder, without routing
     */
    static WebServerConfig.Builder serverBuilder(Config config) {
        WebServerConfig.Builder builder = WebServer.builder().config(config.get("server"));
        // A blocking socket cannot wrap a UNIX domain channel: Helidon would accept and then
        // drop every connection on a unix: bind-address, so such a listener keeps NIO.
        if (!builder.useNio()
                && builder.bindAddress().orElse(null) instanceof UnixDomainSocketAddress) {
            LOGGER.log(Level.INFO, "Using NIO sockets (server.use-nio) for the UNIX domain"
                    + " socket " + builder.bindAddress().get());
            builder.useNio(true);
        }
        return builder;
    }

    /**
     * Registers the protocol under the configured mount path.
     *
     * @param routing the routing to add to
     * @param store the streams to serve
     * @param settings protocol settings
     */
    static void routing(HttpRouting.Builder routing, StreamStore store, ServerSettings settings) {
        routing(routing, store, settings, new StreamMetrics(Metrics.globalRegistry(), store));
    }

    private static void routing(HttpRouting.Builder routing, StreamStore store,
                                ServerSettings settings, StreamMetrics metrics) {
        routing.addFilter(new SecurityHeadersFilter(settings.corsAllowedOrigins()))
                .register(settings.mountPath(),
                        new StreamService(store, settings, Clock.systemUTC(), metrics));
    }

    private static void routing(HttpRouting.Builder routing, StreamStore store,
                                ServerSettings settings, StreamMetrics metrics,
                                SubscriptionManager subscriptions) {
        // The control APIs come first: they own the reserved __ds prefix and pass every other
        // request on to the stream service.
        routing.addFilter(new SecurityHeadersFilter(settings.corsAllowedOrigins()))
                .register(settings.mountPath(),
                        new SubscriptionService(subscriptions, accessPolicy(settings)))
                .register(settings.mountPath(),
                        new StreamService(store, settings, Clock.systemUTC(), metrics));
    }

    /** Returns the bearer-token policy of the stream API, so control requests need the same. */
    private static AccessPolicy accessPolicy(ServerSettings settings) {
        TokenAccessPolicy policy = new TokenAccessPolicy(settings.security().readTokens(),
                settings.security().writeTokens());
        return policy.isEnabled() ? policy : AccessPolicy.ALLOW_ALL;
    }
}
