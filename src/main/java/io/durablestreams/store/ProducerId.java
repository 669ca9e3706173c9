package io.durablestreams.store;

import java.util.Objects;

/**
 * The idempotent-producer identity of one append: who sent it, in which epoch, as which batch.
 *
 * @param id the producer's stable identifier, not empty
 * @param epoch the producer's epoch, from 0 to 2^53-1
 * @param seq the batch sequence number within the epoch, from 0 to 2^53-1
 */
public record ProducerId(String id, long epoch, long seq) {

    /** The largest epoch or sequence number, 2^53-1, so that JavaScript clients hold it exactly. */
    public static final long MAX_VALUE = (1L << 53) - 1;

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException when the id is empty or a number is out of range
     */
    public ProducerId {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("Producer id must not be empty");
        }
        if (epoch < 0 || epoch > MAX_VALUE || seq < 0 || seq > MAX_VALUE) {
            throw new IllegalArgumentException("Producer epoch and sequence must be in [0, 2^53-1]");
        }
    }
}
