package io.durablestreams.subscriptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.durablestreams.config.ServerSettings;
import io.durablestreams.http.StreamService;
import io.durablestreams.security.AccessPolicy;
import io.durablestreams.store.Durability;
import io.durablestreams.store.ForkTestClock;
import io.durablestreams.store.StreamStore;
import io.durablestreams.store.file.FileStorage;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A server with the stream and subscription APIs on a free loopback port, whose subscription
 * timing runs on a {@link ManualScheduler} and whose webhook deliveries and stream events run on
 * the thread that causes them, so a request returns only after the wakes it caused were handled.
 * Webhooks to 127.0.0.1 are allowed unless a test turns the development setting off.
 */
final class SubscriptionTestServer implements AutoCloseable {

    static final String MOUNT_PATH = "/v1/stream";
    /** Instant at which every test clock starts. */
    static final Instant CLOCK_START = Instant.parse("2030-01-01T00:00:00Z");

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final ManualScheduler scheduler;
    private final StreamStore store;
    private final SubscriptionManager manager;
    private final WebServer server;
    private final HttpClient client;
    private final URI base;

    private SubscriptionTestServer(ManualScheduler scheduler, Optional<Path> dataDirectory,
                                   boolean allowLocalhost,
                                   WebhookUrlPolicy.HostResolver resolver,
                                   AccessPolicy accessPolicy) {
        this.scheduler = scheduler;
        ForkTestClock clock = scheduler.clock();
        this.store = dataDirectory.isPresent()
                ? new StreamStore(new FileStorage(dataDirectory.get().resolve("store"),
                        Durability.NONE, Duration.ofMillis(200), 1024 * 1024, 64), clock,
                        Duration.ofHours(1))
                : new StreamStore(clock, Duration.ofHours(1));
        this.manager = SubscriptionManager.builder(store)
                .settings(SubscriptionSettings.defaults()
                        .withInsecureLocalhostWebhooks(allowLocalhost))
                .dataDirectory(dataDirectory.map(d -> d.resolve("store")))
                .clock(clock)
                .scheduler(scheduler)
                .executors(Runnable::run, Runnable::run)
                .hostResolver(resolver)
                // A jitter source of 0.5 gives a factor of exactly 1, so delays are the base.
                .jitter(() -> 0.5)
                .build();
        ServerSettings settings = ServerSettings.from(Config.just(ConfigSources.create(Map.of(
                "mount-path", MOUNT_PATH,
                "long-poll-timeout", "PT1S",
                "reap-interval", "PT1H",
                "storage.type", "memory"))));
        this.server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(routing -> routing
                        .register(MOUNT_PATH, new SubscriptionService(manager, accessPolicy))
                        .register(MOUNT_PATH, new StreamService(store, settings, clock)))
                .build()
                .start();
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(REQUEST_TIMEOUT)
                .build();
        this.base = URI.create("http://127.0.0.1:" + server.port());
    }

    /** Starts a server with in-memory streams and subscriptions. */
    static SubscriptionTestServer start() {
        return start(new ManualScheduler(new ForkTestClock(CLOCK_START)), Optional.empty());
    }

    /**
     * Starts a server.
     *
     * @param scheduler the scheduler and clock; pass the previous server's to restart it
     * @param dataDirectory where the file store keeps streams and subscriptions, or empty for
     *        memory
     */
    static SubscriptionTestServer start(ManualScheduler scheduler, Optional<Path> dataDirectory) {
        return new SubscriptionTestServer(scheduler, dataDirectory, true,
                InetAddress::getAllByName, AccessPolicy.ALLOW_ALL);
    }

    /** Starts an in-memory server with the development setting as given. */
    static SubscriptionTestServer start(boolean allowLocalhost,
                                        WebhookUrlPolicy.HostResolver resolver) {
        return new SubscriptionTestServer(new ManualScheduler(new ForkTestClock(CLOCK_START)),
                Optional.empty(), allowLocalhost, resolver, AccessPolicy.ALLOW_ALL);
    }

    /** Starts an in-memory server whose control APIs follow an access policy. */
    static SubscriptionTestServer start(AccessPolicy accessPolicy) {
        return new SubscriptionTestServer(new ManualScheduler(new ForkTestClock(CLOCK_START)),
                Optional.empty(), true, InetAddress::getAllByName, accessPolicy);
    }

    ManualScheduler scheduler() {
        return scheduler;
    }

    SubscriptionManager manager() {
        return manager;
    }

    /** Returns the absolute URL of a path below the mount path. */
    String url(String path) {
        return base + MOUNT_PATH + "/" + path;
    }

    /** Creates a JSON stream, with initial messages when {@code body} is not empty. */
    Reply createJsonStream(String path, String body) {
        return send("PUT", path, body, "Content-Type", "application/json");
    }

    /** Appends a JSON message to a stream. */
    Reply appendJson(String path, String body) {
        return send("POST", path, body, "Content-Type", "application/json");
    }

    /** Creates or re-confirms a subscription. */
    Reply putSubscription(String id, String json) {
        return send("PUT", "__ds/subscriptions/" + id, json, "Content-Type", "application/json");
    }

    Reply getSubscription(String id) {
        return send("GET", "__ds/subscriptions/" + id, "");
    }

    /** POSTs JSON to a subscription action ({@code claim}, {@code ack}, ...). */
    Reply action(String id, String action, String token, String json) {
        if (token == null) {
            return send("POST", "__ds/subscriptions/" + id + "/" + action, json,
                    "Content-Type", "application/json");
        }
        return send("POST", "__ds/subscriptions/" + id + "/" + action, json,
                "Content-Type", "application/json", "Authorization", "Bearer " + token);
    }

    /** Returns the acked offset of a subscription's link, read through GET. */
    String ackedOffset(String id, String path) {
        for (Object entry : (List<?>) getSubscription(id).json().get("streams")) {
            Map<?, ?> stream = (Map<?, ?>) entry;
            if (path.equals(stream.get("path"))) {
                return (String) stream.get("acked_offset");
            }
        }
        throw new AssertionError("Subscription " + id + " has no link to " + path);
    }

    /**
     * Sends a request.
     *
     * @param method the HTTP method
     * @param path the path below the mount path, raw
     * @param body the body, sent as UTF-8 when not empty
     * @param headers header names and values, alternating
     * @return the response
     */
    Reply send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .timeout(REQUEST_TIMEOUT)
                .method(method, body.isEmpty()
                        ? BodyPublishers.noBody()
                        : BodyPublishers.ofString(body, UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = client.send(request.build(),
                    BodyHandlers.ofString(UTF_8));
            return new Reply(response.statusCode(), response, response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during " + method + " " + path, e);
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
        server.stop();
        manager.close();
        store.close();
    }

    /**
     * A received response.
     *
     * @param status the status code
     * @param response the response, for its headers
     * @param body the body text
     */
    record Reply(int status, HttpResponse<?> response, String body) {

        Map<?, ?> json() {
            return (Map<?, ?>) Json.parse(body.getBytes(UTF_8));
        }

        /** Returns {@code error.code} of an error response. */
        String errorCode() {
            return (String) ((Map<?, ?>) json().get("error")).get("code");
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }
}
