package io.durablestreams.store;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The settings a stream is created with and compared on for idempotent creation.
 *
 * @param contentType the content type exactly as the creator sent it
 * @param ttlSeconds sliding time-to-live, reset by every read and write
 * @param expiresAt absolute expiry time
 * @param retention how much old data the stream keeps
 */
public record StreamConfig(String contentType, OptionalLong ttlSeconds, Optional<Instant> expiresAt,
                           Retention retention) {

    /** Content type of streams created without one. */
    public static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException when both a TTL and an expiry time are set
     */
    public StreamConfig {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(ttlSeconds, "ttlSeconds");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(retention, "retention");
        if (ttlSeconds.isPresent() && expiresAt.isPresent()) {
            throw new IllegalArgumentException("A stream has either a TTL or an expiry time");
        }
    }

    /**
     * Creates settings that keep all data.
     *
     * @param contentType the content type exactly as the creator sent it
     * @param ttlSeconds sliding time-to-live, reset by every read and write
     * @param expiresAt absolute expiry time
     */
    public StreamConfig(String contentType, OptionalLong ttlSeconds, Optional<Instant> expiresAt) {
        this(contentType, ttlSeconds, expiresAt, Retention.NONE);
    }

    /**
     * Returns the media type without parameters, in lower case, for example
     * {@code application/json} for {@code Application/JSON; charset=utf-8}.
     *
     * @return the media type essence
     */
    public String mediaType() {
        return mediaTypeOf(contentType);
    }

    /**
     * Tells whether the stream uses JSON mode, where appends are split into messages and reads
     * return one JSON array.
     *
     * @return true for {@code application/json}
     */
    public boolean isJson() {
        return "application/json".equals(mediaType());
    }

    /**
     * Tells whether another content type names the same media type as this stream's.
     *
     * @param other a content type from a request
     * @return true when the media types match, ignoring case and parameters
     */
    public boolean acceptsContentType(String other) {
        return mediaType().equals(mediaTypeOf(other));
    }

    /**
     * Returns the media type essence of a content type header value.
     *
     * @param contentType the header value
     * @return type and subtype in lower case, without parameters
     */
    public static String mediaTypeOf(String contentType) {
        int semicolon = contentType.indexOf(';');
        String essence = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
        return essence.strip().toLowerCase(Locale.ROOT);
    }
}
