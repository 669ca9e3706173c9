package io.durablestreams.api;

import java.util.Objects;
import java.util.Optional;

import io.durablestreams.store.ProducerId;

/**
 * Optional settings of one append: a content type to check, a writer sequence, an
 * idempotent-producer identity, and whether the append closes the stream.
 *
 * <p>Start from {@link #defaults()} and add settings with the {@code with} methods.
 *
 * @param contentType the content type of the data, checked against the stream's; empty to use
 *        the stream's own
 * @param streamSeq a writer sequence that must be greater, byte by byte, than the last one the
 *        stream accepted ({@code Stream-Seq})
 * @param producer the idempotent-producer identity: a batch the stream already contains is
 *        reported as a duplicate instead of being stored twice
 * @param close whether the stream closes after this append, atomically with it
 */
public record AppendOptions(Optional<String> contentType,
                            Optional<String> streamSeq,
                            Optional<ProducerId> producer,
                            boolean close) {

    /**
     * Checks the arguments.
     */
    public AppendOptions {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(streamSeq, "streamSeq");
        Objects.requireNonNull(producer, "producer");
    }

    /**
     * Returns options without any setting: the stream's content type, no sequence, no producer,
     * no close.
     *
     * @return the options
     */
    public static AppendOptions defaults() {
        return new AppendOptions(Optional.empty(), Optional.empty(), Optional.empty(), false);
    }

    /**
     * Returns a copy that checks the data's content type against the stream's.
     *
     * @param contentType the data's content type
     * @return the new options
     */
    public AppendOptions withContentType(String contentType) {
        return new AppendOptions(Optional.of(contentType), streamSeq, producer, close);
    }

    /**
     * Returns a copy with a writer sequence ({@code Stream-Seq}).
     *
     * @param streamSeq a value greater, byte by byte, than the stream's last one
     * @return the new options
     */
    public AppendOptions withStreamSeq(String streamSeq) {
        return new AppendOptions(contentType, Optional.of(streamSeq), producer, close);
    }

    /**
     * Returns a copy with an idempotent-producer identity.
     *
     * @param producerId the producer's stable identifier
     * @param epoch the producer's epoch, raised on each restart of the producer
     * @param seq the batch number within the epoch, starting at 0
     * @return the new options
     * @throws IllegalArgumentException when the id is empty or a number is outside [0, 2^53-1]
     */
    public AppendOptions withProducer(String producerId, long epoch, long seq) {
        return new AppendOptions(contentType, streamSeq,
                Optional.of(new ProducerId(producerId, epoch, seq)), close);
    }

    /**
     * Returns a copy that closes the stream after the append.
     *
     * @return the new options
     */
    public AppendOptions withClose() {
        return new AppendOptions(contentType, streamSeq, producer, true);
    }
}
