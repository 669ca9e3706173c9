package io.durablestreams.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A create request as sent: settings left out by the client stay empty, because a fork fills
 * them from its source.
 *
 * @param contentType the requested content type
 * @param ttlSeconds the requested sliding TTL
 * @param expiresAt the requested absolute expiry time
 * @param body the initial content, possibly empty
 * @param close whether the stream starts closed
 * @param fork the fork to create, or empty for a new stream
 * @param retention how much old data the stream keeps
 */
public record CreateRequest(Optional<String> contentType,
                            OptionalLong ttlSeconds,
                            Optional<Instant> expiresAt,
                            byte[] body,
                            boolean close,
                            Optional<ForkRequest> fork,
                            Retention retention) {

    /**
     * Checks the arguments.
     */
    public CreateRequest {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(ttlSeconds, "ttlSeconds");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(fork, "fork");
        Objects.requireNonNull(retention, "retention");
    }

    /**
     * Creates a request that keeps all data.
     *
     * @param contentType the requested content type
     * @param ttlSeconds the requested sliding TTL
     * @param expiresAt the requested absolute expiry time
     * @param body the initial content, possibly empty
     * @param close whether the stream starts closed
     * @param fork the fork to create, or empty for a new stream
     */
    public CreateRequest(Optional<String> contentType, OptionalLong ttlSeconds,
                         Optional<Instant> expiresAt, byte[] body, boolean close,
                         Optional<ForkRequest> fork) {
        this(contentType, ttlSeconds, expiresAt, body, close, fork, Retention.NONE);
    }
}
