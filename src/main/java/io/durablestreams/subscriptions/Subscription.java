package io.durablestreams.subscriptions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

import io.durablestreams.store.Offsets;

/**
 * The state of one subscription: its configuration, one cursor per linked stream, and the wake,
 * lease and retry state of its delivery. A deleted subscription stays as a tombstone that keeps
 * its generation, so that tokens of the deleted one never match a re-created one.
 *
 * <p>Thread-safety: every field except {@link #id} is guarded by {@link #lock}, which
 * {@link SubscriptionManager} holds while it reads or changes the state and while it persists
 * it, so the stored state follows the same order as the changes.
 */
final class Subscription {

    /** Guards every mutable field. */
    final ReentrantLock lock = new ReentrantLock();

    /** The client-provided id. */
    final String id;

    /** Whether the subscription was deleted; a tombstone has no config and no links. */
    boolean deleted = true;
    SubscriptionConfig config;
    /** SHA-256 of the normalized configuration, for the 200 or 409 decision on re-create. */
    String configHash;
    /** Random id of this incarnation, in every token, so that deletion voids the tokens. */
    String incarnation;
    Instant createdAt;
    /** Absolute URL of the stream root, from the create request; callback URLs start with it. */
    String baseUrl;
    /** Linked streams by path. */
    final TreeMap<String, StreamLink> links = new TreeMap<>();

    /** Fencing counter: increased by every wake, never reset, not even by deletion. */
    long generation;
    /** The wake in flight, or null when none is. */
    String wakeId;
    /** Worker that claimed the pull-wake in flight, or null when it is unclaimed. */
    String holder;
    /** When the lease of the wake in flight ends, or null when no lease runs. */
    Instant leaseExpiresAt;
    /** Tails sent with the webhook wake in flight, acked when the receiver responds done. */
    final Map<String, Long> snapshot = new TreeMap<>();
    /** Whether the wake event of the pull-wake in flight is in the wake stream. */
    boolean wakeEventWritten;

    /** Failed attempts in a row of the delivery that is being retried; 0 when none failed. */
    int retryAttempt;
    /** When the next attempt is due while a retry is pending, or null. */
    Instant nextAttemptAt;

    Subscription(String id) {
        this.id = Objects.requireNonNull(id, "id");
    }

    /**
     * One linked stream and its cursor.
     */
    static final class StreamLink {
        final String path;
        /** Linked through {@code streams[]} or the membership API. */
        boolean explicit;
        /** Linked because the pattern matches. */
        boolean glob;
        /** Last processed position, inclusive: the next read starts here. */
        long ackedPosition;
        /** Id of the stream incarnation of the cursor, or null while the stream is absent. */
        String streamId;

        StreamLink(String path) {
            this.path = path;
        }

        String linkType() {
            return explicit ? "explicit" : "glob";
        }
    }

    /**
     * Tells whether a webhook retry is pending, which the API reports as status {@code failed}.
     *
     * @return true while a retry is scheduled
     */
    boolean retryPending() {
        return nextAttemptAt != null;
    }

    /**
     * Tells whether a stream path is this subscription's own wake stream, which is never linked
     * by the pattern: every wake would otherwise wake the subscription again.
     */
    boolean isOwnWakeStream(String path) {
        return config.wakeStream().map(path::equals).orElse(false);
    }

    /**
     * Tells whether the pattern links a stream path.
     *
     * @param path a stream path
     * @return true when a pattern exists, matches, and the path is not the own wake stream
     */
    boolean patternMatches(String path) {
        Optional<Glob> glob = config.glob();
        return glob.isPresent() && glob.get().matches(path) && !isOwnWakeStream(path);
    }

    /** Ends the wake in flight and its lease. */
    void clearWake() {
        wakeId = null;
        holder = null;
        leaseExpiresAt = null;
        snapshot.clear();
        wakeEventWritten = false;
    }

    /** Ends a pending retry, after a delivery succeeded or when nothing is left to deliver. */
    void clearRetry() {
        retryAttempt = 0;
        nextAttemptAt = null;
    }

    /**
     * Returns the state to persist.
     *
     * @return a JSON object
     */
    Map<String, Object> toStoredJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("deleted", deleted);
        json.put("generation", generation);
        if (!deleted) {
            json.put("config", config.toJson());
            json.put("config_hash", configHash);
            json.put("incarnation", incarnation);
            json.put("created_at", createdAt.toString());
            json.put("base_url", baseUrl);
            List<Object> storedLinks = new ArrayList<>();
            for (StreamLink link : links.values()) {
                Map<String, Object> stored = new LinkedHashMap<>();
                stored.put("path", link.path);
                stored.put("explicit", link.explicit);
                stored.put("glob", link.glob);
                stored.put("acked_offset", Offsets.format(link.ackedPosition));
                stored.put("stream_id", link.streamId);
                storedLinks.add(stored);
            }
            json.put("links", storedLinks);
            json.put("wake_id", wakeId);
            json.put("holder", holder);
            json.put("lease_expires_at", instantOrNull(leaseExpiresAt));
            Map<String, Object> storedSnapshot = new LinkedHashMap<>();
            snapshot.forEach((path, tail) -> storedSnapshot.put(path, Offsets.format(tail)));
            json.put("snapshot", storedSnapshot);
            json.put("wake_event_written", wakeEventWritten);
            json.put("retry_attempt", (long) retryAttempt);
            json.put("next_attempt_at", instantOrNull(nextAttemptAt));
        }
        return json;
    }

    /**
     * Rebuilds a subscription from persisted state.
     *
     * @param json an object written by {@link #toStoredJson()}
     * @return the subscription
     * @throws IllegalArgumentException when the state is malformed
     */
    static Subscription fromStoredJson(Map<?, ?> json) {
        Subscription s = new Subscription(JsonFields.requiredString(json, "id"));
        s.deleted = JsonFields.optionalBoolean(json, "deleted");
        s.generation = JsonFields.optionalLong(json, "generation").orElse(0L);
        if (s.deleted) {
            return s;
        }
        if (!(json.get("config") instanceof Map<?, ?> config)) {
            throw new IllegalArgumentException("config is missing");
        }
        s.config = SubscriptionConfig.fromStoredJson(config);
        s.configHash = JsonFields.requiredString(json, "config_hash");
        s.incarnation = JsonFields.requiredString(json, "incarnation");
        s.createdAt = Instant.parse(JsonFields.requiredString(json, "created_at"));
        s.baseUrl = JsonFields.requiredString(json, "base_url");

        if (json.get("links") instanceof List<?> storedLinks) {
            for (Object element : storedLinks) {
                if (!(element instanceof Map<?, ?> stored)) {
                    throw new IllegalArgumentException("links must hold objects");
                }
                StreamLink link = new StreamLink(JsonFields.requiredString(stored, "path"));
                link.explicit = JsonFields.optionalBoolean(stored, "explicit");
                link.glob = JsonFields.optionalBoolean(stored, "glob");
                link.ackedPosition = Offsets.parse(JsonFields.requiredString(stored,
                        "acked_offset"));
                link.streamId = JsonFields.optionalString(stored, "stream_id").orElse(null);
                s.links.put(link.path, link);
            }
        }

        s.wakeId = JsonFields.optionalString(json, "wake_id").orElse(null);
        s.holder = JsonFields.optionalString(json, "holder").orElse(null);
        s.leaseExpiresAt = JsonFields.optionalString(json, "lease_expires_at")
                .map(Instant::parse).orElse(null);
        if (json.get("snapshot") instanceof Map<?, ?> storedSnapshot) {
            storedSnapshot.forEach((path, tail) ->
                    s.snapshot.put((String) path, Offsets.parse((String) tail)));
        }
        s.wakeEventWritten = JsonFields.optionalBoolean(json, "wake_event_written");
        s.retryAttempt = Math.toIntExact(JsonFields.optionalLong(json, "retry_attempt")
                .orElse(0L));
        s.nextAttemptAt = JsonFields.optionalString(json, "next_attempt_at")
                .map(Instant::parse).orElse(null);
        return s;
    }

    private static String instantOrNull(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
