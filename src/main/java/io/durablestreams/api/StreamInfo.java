package io.durablestreams.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import io.durablestreams.store.StreamConfig;

/**
 * A stream's metadata, as a {@code HEAD} request returns it.
 *
 * @param path the stream's path, for example {@code chat/room-1}
 * @param contentType the content type the stream was created with
 * @param tailOffset the offset token just past the last stored byte: where new data will start
 * @param closed whether the stream is closed, so that no more data will ever arrive
 * @param ttl the sliding time-to-live, which every read and write restarts, if the stream has one
 * @param expiresAt the absolute expiry time, if the stream has one
 * @param earliestOffset the first offset still kept: the start, unless retention dropped data
 */
public record StreamInfo(String path,
                         String contentType,
                         String tailOffset,
                         boolean closed,
                         Optional<Duration> ttl,
                         Optional<Instant> expiresAt,
                         String earliestOffset) {

    /**
     * Checks the arguments.
     */
    public StreamInfo {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(tailOffset, "tailOffset");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /**
     * Tells whether the stream is in JSON mode, where each append stores one message per array
     * element and reads return one JSON array.
     *
     * @return true for {@code application/json}
     */
    public boolean isJson() {
        return "application/json".equals(StreamConfig.mediaTypeOf(contentType));
    }
}
