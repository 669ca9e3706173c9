package io.durablestreams.store;

import java.util.Objects;
import java.util.Optional;

/**
 * The writer state one append commits together with its data: after a crash, replaying these
 * rebuilds exactly which producer batches, {@code Stream-Seq} values and closure the stream had
 * accepted.
 *
 * @param producer the idempotent producer and batch that appended, if any
 * @param streamSeq the {@code Stream-Seq} value, if any
 * @param close whether this append closed the stream
 * @param timestampMillis when the append was accepted, for the sliding TTL after recovery
 */
public record WriterState(Optional<ProducerId> producer,
                          Optional<String> streamSeq,
                          boolean close,
                          long timestampMillis) {

    /**
     * Checks the arguments.
     */
    public WriterState {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(streamSeq, "streamSeq");
    }
}
