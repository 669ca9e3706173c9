package io.durablestreams.subscriptions;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The configuration a client creates a subscription with, normalized: defaults applied and
 * explicit streams sorted without duplicates. Two requests with the same normalized
 * configuration re-confirm the same subscription, so {@link #hash()} decides between 200 and 409.
 *
 * @param type how wakes are delivered
 * @param pattern glob over stream paths whose streams are linked, if any
 * @param streams explicitly linked stream paths, sorted, without duplicates
 * @param webhookUrl where webhook wakes are sent; present exactly for webhook subscriptions
 * @param wakeStream stream that receives wake events; present exactly for pull-wake
 *        subscriptions
 * @param leaseTtlMillis how long a lease lasts without a callback or heartbeat
 * @param description free text from the client
 */
record SubscriptionConfig(DeliveryType type,
                          Optional<String> pattern,
                          List<String> streams,
                          Optional<String> webhookUrl,
                          Optional<String> wakeStream,
                          long leaseTtlMillis,
                          Optional<String> description) {

    /** Lease duration when the client sends none. */
    static final long DEFAULT_LEASE_TTL_MILLIS = 30_000;
    /** Minimum lease a client may request. */
    static final long MIN_LEASE_TTL_MILLIS = 1_000;
    /** Maximum lease a client may request. */
    static final long MAX_LEASE_TTL_MILLIS = 600_000;
    /** Maximum number of explicit streams in one request. */
    static final int MAX_STREAMS = 1000;
    /** Maximum description length, in characters. */
    static final int MAX_DESCRIPTION_LENGTH = 1000;

    /**
     * The delivery mechanism of a subscription's wakes.
     */
    enum DeliveryType {
        /** The server POSTs each wake to a webhook URL. */
        WEBHOOK("webhook"),
        /** The server appends each wake to a stream that workers read, then race to claim. */
        PULL_WAKE("pull-wake");

        private final String wireName;

        DeliveryType(String wireName) {
            this.wireName = wireName;
        }

        /**
         * Returns the name used in JSON.
         *
         * @return {@code webhook} or {@code pull-wake}
         */
        String wireName() {
            return wireName;
        }

        static Optional<DeliveryType> fromWireName(String name) {
            for (DeliveryType type : values()) {
                if (type.wireName.equals(name)) {
                    return Optional.of(type);
                }
            }
            return Optional.empty();
        }
    }

    SubscriptionConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(pattern, "pattern");
        streams = List.copyOf(new TreeSet<>(streams));
        Objects.requireNonNull(webhookUrl, "webhookUrl");
        Objects.requireNonNull(wakeStream, "wakeStream");
        Objects.requireNonNull(description, "description");
    }

    /**
     * Reads and validates a create request body. The webhook URL is only checked for syntax
     * here; {@link WebhookUrlPolicy} decides whether it is safe to call.
     *
     * @param json the parsed body
     * @return the normalized configuration
     * @throws SubscriptionException {@code INVALID_REQUEST} naming the invalid field
     */
    static SubscriptionConfig fromJson(Object json) {
        if (!(json instanceof Map<?, ?> body)) {
            throw SubscriptionException.invalidRequest("Request body must be a JSON object");
        }
        String typeName = JsonFields.requiredString(body, "type");
        DeliveryType type = DeliveryType.fromWireName(typeName).orElseThrow(() ->
                SubscriptionException.invalidRequest("type must be webhook or pull-wake; got "
                        + typeName));

        Optional<String> pattern = JsonFields.optionalString(body, "pattern");
        pattern.ifPresent(Glob::compile);
        List<String> streams = JsonFields.optionalStringList(body, "streams", MAX_STREAMS);
        for (String stream : streams) {
            StreamPathSyntax.checkStreamPath(stream, "streams[]");
        }
        if (pattern.isEmpty() && streams.isEmpty()) {
            throw SubscriptionException.invalidRequest("At least one of pattern or streams is"
                    + " required");
        }

        Optional<String> webhookUrl = Optional.empty();
        Optional<String> wakeStream = Optional.empty();
        if (type == DeliveryType.WEBHOOK) {
            Object webhook = body.get("webhook");
            if (!(webhook instanceof Map<?, ?> webhookObject)) {
                throw SubscriptionException.invalidRequest("webhook subscriptions require a"
                        + " webhook object with a url");
            }
            webhookUrl = Optional.of(JsonFields.requiredString(webhookObject, "url"));
        } else {
            String stream = JsonFields.optionalString(body, "wake_stream").orElseThrow(() ->
                    SubscriptionException.invalidRequest("pull-wake subscriptions require"
                            + " wake_stream"));
            wakeStream = Optional.of(StreamPathSyntax.checkStreamPath(stream, "wake_stream"));
            if (streams.contains(stream)) {
                throw SubscriptionException.invalidRequest("wake_stream " + stream + " must not"
                        + " also be a subscribed stream, or every wake would cause another");
            }
        }

        long leaseTtl = JsonFields.optionalLong(body, "lease_ttl_ms")
                .orElse(DEFAULT_LEASE_TTL_MILLIS);
        if (leaseTtl < MIN_LEASE_TTL_MILLIS || leaseTtl > MAX_LEASE_TTL_MILLIS) {
            throw SubscriptionException.invalidRequest("lease_ttl_ms must be between "
                    + MIN_LEASE_TTL_MILLIS + " and " + MAX_LEASE_TTL_MILLIS + "; got " + leaseTtl);
        }
        Optional<String> description = JsonFields.optionalString(body, "description");
        if (description.isPresent() && description.get().length() > MAX_DESCRIPTION_LENGTH) {
            throw SubscriptionException.invalidRequest("description is longer than "
                    + MAX_DESCRIPTION_LENGTH + " characters");
        }
        return new SubscriptionConfig(type, pattern, streams, webhookUrl, wakeStream, leaseTtl,
                description);
    }

    /**
     * Returns the configuration as stored and hashed.
     *
     * @return a JSON object with every field, absent ones as {@code null}
     */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", type.wireName());
        json.put("pattern", pattern.orElse(null));
        json.put("streams", new ArrayList<>(streams));
        json.put("webhook_url", webhookUrl.orElse(null));
        json.put("wake_stream", wakeStream.orElse(null));
        json.put("lease_ttl_ms", leaseTtlMillis);
        json.put("description", description.orElse(null));
        return json;
    }

    /**
     * Reads a configuration written by {@link #toJson()}.
     *
     * @param json the stored object
     * @return the configuration
     */
    static SubscriptionConfig fromStoredJson(Map<?, ?> json) {
        DeliveryType type = DeliveryType.fromWireName(JsonFields.requiredString(json, "type"))
                .orElseThrow(() -> new IllegalArgumentException("Unknown subscription type"));
        return new SubscriptionConfig(type,
                JsonFields.optionalString(json, "pattern"),
                JsonFields.optionalStringList(json, "streams", Integer.MAX_VALUE),
                JsonFields.optionalString(json, "webhook_url"),
                JsonFields.optionalString(json, "wake_stream"),
                JsonFields.optionalLong(json, "lease_ttl_ms").orElse(DEFAULT_LEASE_TTL_MILLIS),
                JsonFields.optionalString(json, "description"));
    }

    /**
     * Returns the SHA-256 of the normalized configuration, which covers the type, pattern,
     * explicit streams, delivery target, lease duration and description.
     *
     * @return lower-case hex digest
     */
    String hash() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Json.write(toJson()));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime provides SHA-256", e);
        }
    }

    /**
     * Returns the compiled pattern.
     *
     * @return the glob, or empty when the subscription only has explicit streams
     */
    Optional<Glob> glob() {
        return pattern.map(Glob::compile);
    }
}
