package io.durablestreams.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.helidon.config.Config;

/**
 * Access control, rate limits and resource limits, read from the {@code durable-streams.auth},
 * {@code durable-streams.rate-limit} and {@code durable-streams.limits} nodes. Everything is off
 * or unlimited by default.
 *
 * @param readTokens bearer tokens that allow reads; reads are open when empty
 * @param writeTokens bearer tokens that allow reads and writes; writes are open only while both
 *        token lists are empty
 * @param rateLimitPerSecond sustained requests per second per client, 0 to turn limits off
 * @param rateLimitBurst requests a client may make at once
 * @param rateLimitKey {@code address} to limit per client address, {@code token} per bearer
 *        token (falling back to the address)
 * @param maxStreams streams the server holds at most; more creates get 503
 * @param maxPathSegments segments a stream path may have; more get 414
 * @param maxLiveReaders long-poll and SSE readers served at once in all; more get 503
 * @param maxLiveReadersPerStream live readers of one stream at once; more get 503
 * @param maxBodyReadTime how long a client may take to send a request body; slower ones get 408
 * @param writeTimeout how long one write to an SSE client may block before the server closes
 *        the connection, so that clients that stop reading are dropped
 * @param connections limits on connections and request heads
 */
public record SecuritySettings(List<String> readTokens,
                               List<String> writeTokens,
                               double rateLimitPerSecond,
                               int rateLimitBurst,
                               String rateLimitKey,
                               int maxStreams,
                               int maxPathSegments,
                               int maxLiveReaders,
                               int maxLiveReadersPerStream,
                               Duration maxBodyReadTime,
                               Duration writeTimeout,
                               ConnectionLimits connections) {

    static final Set<String> AUTH_KEYS = Set.of("read-tokens", "write-tokens");
    static final Set<String> RATE_LIMIT_KEYS = Set.of("requests-per-second", "burst", "key");
    static final Set<String> LIMIT_KEYS = Set.of("max-streams", "max-path-segments",
            "max-body-read-time", "write-timeout",
            "max-live-readers", "max-live-readers-per-stream", "max-connections",
            "max-connections-per-client", "max-request-line-bytes", "max-header-bytes",
            "request-head-timeout");

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException naming the setting that is invalid
     */
    public SecuritySettings {
        readTokens = List.copyOf(readTokens);
        writeTokens = List.copyOf(writeTokens);
        Objects.requireNonNull(rateLimitKey, "rateLimitKey");
        if (rateLimitPerSecond < 0 || Double.isNaN(rateLimitPerSecond)
                || Double.isInfinite(rateLimitPerSecond)) {
            throw new IllegalArgumentException("durable-streams.rate-limit.requests-per-second"
                    + " must be a finite number of at least 0; got " + rateLimitPerSecond);
        }
        if (rateLimitBurst < 1) {
            throw new IllegalArgumentException("durable-streams.rate-limit.burst must be at"
                    + " least 1; got " + rateLimitBurst);
        }
        if (!rateLimitKey.equals("address") && !rateLimitKey.equals("token")) {
            throw new IllegalArgumentException("durable-streams.rate-limit.key must be address"
                    + " or token; got " + rateLimitKey);
        }
        requirePositive("max-streams", maxStreams);
        requirePositive("max-path-segments", maxPathSegments);
        requirePositive("max-live-readers", maxLiveReaders);
        requirePositive("max-live-readers-per-stream", maxLiveReadersPerStream);
        Objects.requireNonNull(maxBodyReadTime, "maxBodyReadTime");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        Objects.requireNonNull(connections, "connections");
        if (writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("durable-streams.limits.write-timeout must be"
                    + " positive; got " + writeTimeout);
        }
        if (maxBodyReadTime.isNegative() || maxBodyReadTime.isZero()) {
            throw new IllegalArgumentException("durable-streams.limits.max-body-read-time must be"
                    + " positive; got " + maxBodyReadTime);
        }
        for (String token : readTokens) {
            requireToken(token);
        }
        for (String token : writeTokens) {
            requireToken(token);
        }
    }

    /**
     * Returns the defaults: no tokens, no rate limit, generous resource limits.
     *
     * @return default settings
     */
    public static SecuritySettings defaults() {
        return new SecuritySettings(List.of(), List.of(), 0, 100, "address", 1_000_000, 64,
                100_000, 10_000, Duration.ofSeconds(60), Duration.ofSeconds(30),
                ConnectionLimits.defaults());
    }

    /**
     * Reads settings from the {@code durable-streams} node.
     *
     * @param root the {@code durable-streams} node
     * @return the settings
     */
    static SecuritySettings from(Config root) {
        SecuritySettings d = defaults();
        Config auth = root.get("auth");
        Config rate = root.get("rate-limit");
        Config limits = root.get("limits");
        ServerSettings.rejectUnknownKeys(auth, ServerSettings.CONFIG_KEY + ".auth", AUTH_KEYS);
        ServerSettings.rejectUnknownKeys(rate, ServerSettings.CONFIG_KEY + ".rate-limit",
                RATE_LIMIT_KEYS);
        ServerSettings.rejectUnknownKeys(limits, ServerSettings.CONFIG_KEY + ".limits",
                LIMIT_KEYS);
        double perSecond;
        try {
            perSecond = Double.parseDouble(rate.get("requests-per-second").asString()
                    .orElse("0").strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("durable-streams.rate-limit.requests-per-second"
                    + " must be a number; got " + rate.get("requests-per-second").asString()
                    .orElse(""));
        }
        return new SecuritySettings(
                auth.get("read-tokens").asList(String.class).orElse(d.readTokens()),
                auth.get("write-tokens").asList(String.class).orElse(d.writeTokens()),
                perSecond,
                intNumber(rate, "rate-limit.burst", "burst",
                        d.rateLimitBurst()),
                rate.get("key").asString().orElse(d.rateLimitKey()),
                intNumber(limits, "limits.max-streams", "max-streams",
                        d.maxStreams()),
                intNumber(limits, "limits.max-path-segments",
                        "max-path-segments", d.maxPathSegments()),
                intNumber(limits, "limits.max-live-readers",
                        "max-live-readers", d.maxLiveReaders()),
                intNumber(limits, "limits.max-live-readers-per-stream",
                        "max-live-readers-per-stream", d.maxLiveReadersPerStream()),
                ServerSettings.duration(limits, "limits.max-body-read-time",
                        "max-body-read-time", d.maxBodyReadTime()),
                ServerSettings.duration(limits, "limits.write-timeout", "write-timeout",
                        d.writeTimeout()),
                ConnectionLimits.from(limits));
    }

    private static int intNumber(Config node, String name, String key, int fallback) {
        long value = ServerSettings.number(node, name, key, fallback);
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("durable-streams." + name + " must be at most "
                    + Integer.MAX_VALUE + "; got " + value);
        }
        return (int) value;
    }

    private static void requirePositive(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("durable-streams.limits." + key
                    + " must be positive; got " + value);
        }
    }

    private static void requireToken(String token) {
        if (token.isBlank() || token.length() < 16) {
            // The value itself is a secret, so the message does not echo it.
            throw new IllegalArgumentException("durable-streams.auth tokens must be at least 16"
                    + " characters long");
        }
    }
}
