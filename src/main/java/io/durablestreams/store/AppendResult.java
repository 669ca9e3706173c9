package io.durablestreams.store;

import java.util.Optional;

/**
 * The outcome of an accepted append.
 *
 * @param tail the stream's tail position after the append
 * @param closed whether the stream is closed now
 * @param duplicate whether an idempotent producer resent a batch the stream already holds, so
 *        nothing was appended
 * @param producer the producer state after the append: its epoch and highest accepted sequence
 */
public record AppendResult(long tail, boolean closed, boolean duplicate,
                           Optional<ProducerId> producer) {
}
