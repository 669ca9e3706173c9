package io.durablestreams.store;

import java.util.Objects;
import java.util.Optional;

/**
 * The fork part of a create request.
 *
 * @param sourcePath path of the stream to fork
 * @param offset the divergence offset; the source's tail when empty
 * @param subOffset bytes (or, for JSON streams, messages) past {@code offset} to also inherit,
 *        counted within the append that follows {@code offset}
 */
public record ForkRequest(String sourcePath, Optional<Long> offset, long subOffset) {

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException when the sub-offset is negative
     */
    public ForkRequest {
        Objects.requireNonNull(sourcePath, "sourcePath");
        Objects.requireNonNull(offset, "offset");
        if (subOffset < 0) {
            throw new IllegalArgumentException("Sub-offset must not be negative: " + subOffset);
        }
    }
}
