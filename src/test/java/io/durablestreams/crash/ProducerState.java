package io.durablestreams.crash;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client side of one idempotent producer across rounds: its epoch, its next sequence
 * number, the batches the server acknowledged, and the batch whose request failed when the
 * server was killed, which must be retried unchanged after the restart.
 *
 * <p>Thread-safety: not thread-safe. One client thread uses it during a round and the test's
 * main thread between rounds, and joining the client thread orders the two.
 */
final class ProducerState {

    private final String id;
    private long epoch;
    private long nextSeq;
    private long nextRecord;
    private Batch pending;
    private final List<Batch> acknowledged = new ArrayList<>();

    /**
     * One batch: a single record sent with Producer-Id, Producer-Epoch and Producer-Seq.
     *
     * @param epoch the Producer-Epoch value
     * @param seq the Producer-Seq value
     * @param key the record's key
     * @param body the record
     */
    record Batch(long epoch, long seq, String key, byte[] body) {
    }

    ProducerState(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    long epoch() {
        return epoch;
    }

    /** Returns the sequence number of the next new batch. */
    long nextSeq() {
        return nextSeq;
    }

    /** Starts a new epoch with sequence numbers from 0 again, as a restarted producer does. */
    void bumpEpoch() {
        epoch++;
        nextSeq = 0;
    }

    /** Returns the number for this producer's next record, unique across epochs. */
    long takeRecordNumber() {
        return nextRecord++;
    }

    /** Records that the request for a batch failed, so it must be retried as is. */
    void failed(Batch batch) {
        pending = batch;
    }

    /** Returns the batch that must be retried, if any. */
    Optional<Batch> pending() {
        return Optional.ofNullable(pending);
    }

    /** Records that the server stored a batch, when first sent or on retry. */
    void acknowledged(Batch batch) {
        if (pending == batch) {
            pending = null;
        }
        acknowledged.add(batch);
        nextSeq = batch.seq() + 1;
    }

    /** Returns the acknowledged batches, oldest first. */
    List<Batch> acknowledgedBatches() {
        return acknowledged;
    }
}
