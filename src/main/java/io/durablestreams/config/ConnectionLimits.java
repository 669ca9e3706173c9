package io.durablestreams.config;

import java.time.Duration;
import java.util.Objects;

import io.helidon.config.Config;

/**
 * Limits on connections and request heads, read from {@code durable-streams.limits}. The
 * standalone server applies them to its listener; an application that mounts the service sets
 * its own.
 *
 * @param maxConnections connections served at once in all; more get 503
 * @param maxConnectionsPerClient connections served at once per client address; more get 429
 * @param maxRequestLineBytes longest request line (method, target and version, without the line
 *        break); longer ones get 414
 * @param maxHeaderBytes largest block of request header lines, each counted with its line break;
 *        larger ones get 431
 * @param requestHeadTimeout how long a connection may take to send a complete request head,
 *        from its opening or from the end of its previous request, before it is closed
 */
public record ConnectionLimits(int maxConnections,
                               int maxConnectionsPerClient,
                               int maxRequestLineBytes,
                               int maxHeaderBytes,
                               Duration requestHeadTimeout) {

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public ConnectionLimits {
        requireAtLeast("max-connections", maxConnections, 1);
        requireAtLeast("max-connections-per-client", maxConnectionsPerClient, 1);
        // A request line needs room for a method, a path below the mount path and the version.
        requireAtLeast("max-request-line-bytes", maxRequestLineBytes, 256);
        requireAtLeast("max-header-bytes", maxHeaderBytes, 1024);
        Objects.requireNonNull(requestHeadTimeout, "requestHeadTimeout");
        if (requestHeadTimeout.compareTo(Duration.ofSeconds(1)) < 0
                || requestHeadTimeout.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(ServerSettings.CONFIG_KEY
                    + ".limits.request-head-timeout must be between PT1S and PT24H; got "
                    + requestHeadTimeout);
        }
    }

    /**
     * Returns the defaults: 10,000 connections in all, 2,000 per client address, request lines
     * of 4 KiB, headers of 16 KiB, and 60 seconds to send a request head.
     *
     * @return the default limits
     */
    public static ConnectionLimits defaults() {
        return new ConnectionLimits(10_000, 2_000, 4096, 16 * 1024, Duration.ofSeconds(60));
    }

    /**
     * Reads the limits.
     *
     * @param limits the {@code durable-streams.limits} node
     * @return the limits, with defaults for absent keys
     */
    static ConnectionLimits from(Config limits) {
        ConnectionLimits d = defaults();
        return new ConnectionLimits(
                intNumber(limits, "max-connections", d.maxConnections()),
                intNumber(limits, "max-connections-per-client", d.maxConnectionsPerClient()),
                intNumber(limits, "max-request-line-bytes", d.maxRequestLineBytes()),
                intNumber(limits, "max-header-bytes", d.maxHeaderBytes()),
                ServerSettings.duration(limits, "limits.request-head-timeout",
                        "request-head-timeout", d.requestHeadTimeout()));
    }

    /**
     * Returns a copy with another connection limit in all.
     *
     * @param maxConnections the new limit
     * @return the new limits
     */
    public ConnectionLimits withMaxConnections(int maxConnections) {
        return new ConnectionLimits(maxConnections, maxConnectionsPerClient, maxRequestLineBytes,
                maxHeaderBytes, requestHeadTimeout);
    }

    private static int intNumber(Config limits, String key, int fallback) {
        long value = ServerSettings.number(limits, "limits." + key, key, fallback);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(ServerSettings.CONFIG_KEY + ".limits." + key
                    + " must be at most " + Integer.MAX_VALUE + "; got " + value);
        }
        return (int) value;
    }

    private static void requireAtLeast(String key, long value, long minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(ServerSettings.CONFIG_KEY + ".limits." + key
                    + " must be at least " + minimum + "; got " + value);
        }
    }
}
