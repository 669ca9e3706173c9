package io.durablestreams.store;

import java.util.Objects;

/**
 * Where a fork branches from its source: positions below {@code position} read the source's
 * data, positions at or past it read the fork's own.
 *
 * @param source the stream the fork inherits from
 * @param position the divergence point, in the shared offset space
 */
public record ForkPoint(DurableStream source, long position) {

    /**
     * Checks the arguments.
     */
    public ForkPoint {
        Objects.requireNonNull(source, "source");
    }
}
