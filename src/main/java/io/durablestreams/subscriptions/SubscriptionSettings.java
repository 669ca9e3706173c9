package io.durablestreams.subscriptions;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import io.helidon.config.Config;

/**
 * Settings of the subscription APIs, read from the {@code durable-streams.subscriptions} node.
 *
 * @param allowInsecureLocalhostWebhooks development setting: whether webhook URLs may target
 *        {@code localhost} and {@code 127.0.0.x}, also over plain {@code http}; off by default,
 *        because in production it lets clients make the server call services on its own host
 * @param webhookTimeout bound on connecting to a webhook receiver and on waiting for its response
 * @param callbackTokenTtl how long a callback or claim token is accepted; a token also stops
 *        working as soon as its wake is no longer current
 */
public record SubscriptionSettings(boolean allowInsecureLocalhostWebhooks,
                                   Duration webhookTimeout,
                                   Duration callbackTokenTtl) {

    /** Keys accepted in the {@code durable-streams.subscriptions} node. */
    public static final Set<String> KNOWN_KEYS = Set.of("allow-insecure-localhost-webhooks",
            "webhook-timeout", "callback-token-ttl");

    private static final String PREFIX = "durable-streams.subscriptions.";

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public SubscriptionSettings {
        requirePositive("webhook-timeout", webhookTimeout);
        requirePositive("callback-token-ttl", callbackTokenTtl);
    }

    /**
     * Returns the defaults: no loopback webhooks, a 10 s webhook timeout and tokens valid for
     * one hour.
     *
     * @return default settings
     */
    public static SubscriptionSettings defaults() {
        return new SubscriptionSettings(false, Duration.ofSeconds(10), Duration.ofHours(1));
    }

    /**
     * Reads settings from configuration, using the defaults for absent keys. Unknown keys are
     * rejected by {@code ServerSettings.from}, which checks the whole {@code durable-streams}
     * node.
     *
     * @param config the {@code durable-streams.subscriptions} node
     * @return the settings
     * @throws IllegalArgumentException naming the key whose value is invalid
     */
    public static SubscriptionSettings from(Config config) {
        SubscriptionSettings d = defaults();
        return new SubscriptionSettings(
                flag(config, "allow-insecure-localhost-webhooks",
                        d.allowInsecureLocalhostWebhooks()),
                duration(config, "webhook-timeout", d.webhookTimeout()),
                duration(config, "callback-token-ttl", d.callbackTokenTtl()));
    }

    /**
     * Returns a copy with the development exception for loopback webhooks on or off.
     *
     * @param allow whether loopback webhooks are allowed
     * @return the new settings
     */
    public SubscriptionSettings withInsecureLocalhostWebhooks(boolean allow) {
        return new SubscriptionSettings(allow, webhookTimeout, callbackTokenTtl);
    }

    private static boolean flag(Config config, String key, boolean fallback) {
        var value = config.get(key).asString();
        if (value.isEmpty()) {
            return fallback;
        }
        String text = value.get().strip().toLowerCase(Locale.ROOT);
        if (!text.equals("true") && !text.equals("false")) {
            throw new IllegalArgumentException(PREFIX + key + " must be true or false; got "
                    + value.get());
        }
        return Boolean.parseBoolean(text);
    }

    private static Duration duration(Config config, String key, Duration fallback) {
        var value = config.get(key).asString();
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Duration.parse(value.get().strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(PREFIX + key + " must be an ISO-8601 duration"
                    + " such as PT10S; got " + value.get());
        }
    }

    private static void requirePositive(String key, Duration value) {
        Objects.requireNonNull(value, key);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(PREFIX + key + " must be positive; got " + value);
        }
    }
}
