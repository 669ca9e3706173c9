package io.durablestreams.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import io.durablestreams.subscriptions.SubscriptionSettings;

import io.helidon.config.Config;

/**
 * The server's protocol settings, read from the {@code durable-streams} configuration node.
 *
 * @param mountPath URL path under which streams live, for example {@code /v1/stream}
 * @param longPollTimeout how long a long-poll read waits for data before answering 204
 * @param sseReconnectInterval how long an SSE response stays open before the server ends it so
 *        that the client reconnects
 * @param maxAppendBytes largest accepted request body; larger ones get 413
 * @param maxReadBytes largest body of a catch-up or long-poll response, which the server streams
 *        from storage in bounded pieces; SSE events and in-process reads stay within
 *        {@link #maxChunkBytes()}
 * @param maxPathBytes longest accepted stream path after the mount path; longer ones get 414
 * @param reapInterval how often expired streams are looked for and removed
 * @param corsAllowedOrigins origins allowed to read responses in a browser; {@code *} for any
 * @param storage where and how streams are stored
 * @param security access control, rate limits and resource limits
 */
public record ServerSettings(String mountPath,
                             Duration longPollTimeout,
                             Duration sseReconnectInterval,
                             long maxAppendBytes,
                             int maxReadBytes,
                             int maxPathBytes,
                             Duration reapInterval,
                             List<String> corsAllowedOrigins,
                             StorageSettings storage,
                             SecuritySettings security) {

    /** Name of the configuration node these settings are read from. */
    public static final String CONFIG_KEY = "durable-streams";

    /** Upper bound of {@link #maxChunkBytes()}. */
    public static final int MAX_CHUNK_BYTES = 1024 * 1024;

    private static final Set<String> KNOWN_KEYS = Set.of("mount-path", "long-poll-timeout",
            "sse-reconnect-interval", "max-append-bytes", "max-read-bytes", "max-path-bytes",
            "reap-interval", "cors", "storage", "auth", "rate-limit", "limits",
            "subscriptions");

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public ServerSettings {
        Objects.requireNonNull(mountPath, "mountPath");
        if (!mountPath.startsWith("/") || (mountPath.length() > 1 && mountPath.endsWith("/"))) {
            throw new IllegalArgumentException("mount-path must start with / and not end with /,"
                    + " for example /v1/stream; got " + mountPath);
        }
        requirePositive("long-poll-timeout", longPollTimeout);
        requirePositive("sse-reconnect-interval", sseReconnectInterval);
        requirePositive("reap-interval", reapInterval);
        if (maxAppendBytes <= 0) {
            throw new IllegalArgumentException("max-append-bytes must be positive; got "
                    + maxAppendBytes);
        }
        if (maxReadBytes <= 0) {
            throw new IllegalArgumentException("max-read-bytes must be positive; got "
                    + maxReadBytes);
        }
        if (maxPathBytes <= 0) {
            throw new IllegalArgumentException("max-path-bytes must be positive; got "
                    + maxPathBytes);
        }
        corsAllowedOrigins = List.copyOf(corsAllowedOrigins);
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(security, "security");
    }

    /**
     * Returns the largest chunk of stream data that the server keeps in memory at once: one
     * SSE {@code data} event, one in-process read or one chunk of a local listener. That is
     * {@code max-read-bytes}, at most {@value #MAX_CHUNK_BYTES} bytes, because such a chunk is
     * copied into the heap, while a catch-up or long-poll response streams from storage.
     *
     * @return the chunk size in bytes
     */
    public int maxChunkBytes() {
        return Math.min(maxReadBytes, MAX_CHUNK_BYTES);
    }

    /**
     * Returns the defaults, which suit a developer's machine, with the file store in
     * {@code ./data}.
     *
     * @return default settings
     */
    public static ServerSettings defaults() {
        return new ServerSettings("/v1/stream", Duration.ofSeconds(30), Duration.ofSeconds(60),
                16L * 1024 * 1024, 16 * 1024 * 1024, 1024, Duration.ofSeconds(1), List.of("*"),
                StorageSettings.defaults(), SecuritySettings.defaults());
    }

    /**
     * Returns a copy with other storage settings.
     *
     * @param storage the storage settings
     * @return the new settings
     */
    public ServerSettings withStorage(StorageSettings storage) {
        return new ServerSettings(mountPath, longPollTimeout, sseReconnectInterval,
                maxAppendBytes, maxReadBytes, maxPathBytes, reapInterval, corsAllowedOrigins,
                storage, security);
    }

    /**
     * Returns a copy with other security settings.
     *
     * @param security the security settings
     * @return the new settings
     */
    public ServerSettings withSecurity(SecuritySettings security) {
        return new ServerSettings(mountPath, longPollTimeout, sseReconnectInterval,
                maxAppendBytes, maxReadBytes, maxPathBytes, reapInterval, corsAllowedOrigins,
                storage, security);
    }

    /**
     * Reads settings from configuration, using the defaults for absent keys.
     *
     * @param config the {@code durable-streams} node
     * @return the settings
     * @throws IllegalArgumentException naming the key whose value is invalid
     */
    public static ServerSettings from(Config config) {
        rejectUnknownKeys(config, CONFIG_KEY, KNOWN_KEYS);
        rejectUnknownKeys(config.get("cors"), CONFIG_KEY + ".cors", Set.of("allowed-origins"));
        rejectUnknownKeys(config.get("storage"), CONFIG_KEY + ".storage",
                StorageSettings.KNOWN_KEYS);
        rejectUnknownKeys(config.get("subscriptions"), CONFIG_KEY + ".subscriptions",
                SubscriptionSettings.KNOWN_KEYS);
        ServerSettings d = defaults();
        return new ServerSettings(
                config.get("mount-path").asString().orElse(d.mountPath()),
                duration(config, "long-poll-timeout", "long-poll-timeout", d.longPollTimeout()),
                duration(config, "sse-reconnect-interval", "sse-reconnect-interval",
                        d.sseReconnectInterval()),
                number(config, "max-append-bytes", "max-append-bytes", d.maxAppendBytes()),
                Math.toIntExact(number(config, "max-read-bytes", "max-read-bytes",
                        d.maxReadBytes())),
                Math.toIntExact(number(config, "max-path-bytes", "max-path-bytes",
                        d.maxPathBytes())),
                duration(config, "reap-interval", "reap-interval", d.reapInterval()),
                config.get("cors.allowed-origins").asList(String.class)
                        .orElse(d.corsAllowedOrigins()),
                StorageSettings.from(config.get("storage")),
                SecuritySettings.from(config));
    }

    /**
     * Reads an ISO-8601 duration.
     *
     * @param config the node holding the key
     * @param name the key's name below {@code durable-streams}, for messages
     * @param key the key within {@code config}
     * @param fallback the value when the key is absent
     * @return the duration
     */
    static Duration duration(Config config, String name, String key, Duration fallback) {
        var value = config.get(key).asString();
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Duration.parse(value.get());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(CONFIG_KEY + "." + name + " must be an ISO-8601"
                    + " duration such as PT30S or PT0.5S; got " + value.get());
        }
    }

    /**
     * Reads a whole number.
     *
     * @param config the node holding the key
     * @param name the key's name below {@code durable-streams}, for messages
     * @param key the key within {@code config}
     * @param fallback the value when the key is absent
     * @return the number
     */
    static long number(Config config, String name, String key, long fallback) {
        var value = config.get(key).asString();
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.get().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(CONFIG_KEY + "." + name + " must be a whole"
                    + " number; got " + value.get());
        }
    }

    /**
     * Stops start-up on a key this server does not know, which is most likely a typo that would
     * otherwise leave a setting silently at its default.
     */
    static void rejectUnknownKeys(Config node, String path, Set<String> known) {
        if (!node.exists() || node.isLeaf()) {
            return;
        }
        for (Config child : node.asNodeList().orElse(List.of())) {
            if (!known.contains(child.name())) {
                throw new IllegalArgumentException("Unknown configuration key " + path + "."
                        + child.name() + "; accepted keys are " + new TreeSet<>(known));
            }
        }
    }

    private static void requirePositive(String key, Duration value) {
        Objects.requireNonNull(value, key);
        // A day bounds every interval and timeout, so that their arithmetic cannot overflow.
        if (value.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(CONFIG_KEY + "." + key + " must be at most one"
                    + " day (PT24H); got " + value);
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(CONFIG_KEY + "." + key + " must be positive; got "
                    + value);
        }
    }
}
