package io.durablestreams.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One append request, already parsed and validated for syntax.
 *
 * @param contentType the request's content type, if it sent one
 * @param records the records to store: the body of a byte stream append, or the messages of a
 *        JSON append; empty for a close-only request
 * @param close whether the stream closes after this append
 * @param streamSeq the writer's {@code Stream-Seq} value, if any
 * @param producer the idempotent-producer identity, if any
 */
public record Append(Optional<String> contentType,
                     List<byte[]> records,
                     boolean close,
                     Optional<String> streamSeq,
                     Optional<ProducerId> producer) {

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException when there is nothing to append and no close
     */
    public Append {
        Objects.requireNonNull(contentType, "contentType");
        records = List.copyOf(records);
        Objects.requireNonNull(streamSeq, "streamSeq");
        Objects.requireNonNull(producer, "producer");
        if (records.isEmpty() && !close) {
            throw new IllegalArgumentException("An append needs data or a close");
        }
    }

    /**
     * Tells whether this request only closes the stream.
     *
     * @return true when it carries no data
     */
    public boolean isCloseOnly() {
        return records.isEmpty();
    }
}
