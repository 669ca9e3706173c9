package io.durablestreams.api;

import java.util.Objects;
import java.util.Optional;

import io.durablestreams.store.ProducerId;

/**
 * The outcome of an accepted append or close.
 *
 * @param nextOffset the stream's tail offset token after the call
 * @param closed whether the stream is closed now
 * @param duplicate true when an idempotent producer resent a batch the stream already holds, so
 *        nothing was appended
 * @param producer for an append with a producer identity: the producer's current epoch and its
 *        highest accepted sequence number
 */
public record AppendOutcome(String nextOffset, boolean closed, boolean duplicate,
                            Optional<ProducerId> producer) {

    /**
     * Checks the arguments.
     */
    public AppendOutcome {
        Objects.requireNonNull(nextOffset, "nextOffset");
        Objects.requireNonNull(producer, "producer");
    }
}
