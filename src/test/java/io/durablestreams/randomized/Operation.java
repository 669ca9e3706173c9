package io.durablestreams.randomized;

/**
 * One generated step of a client's script. What the step does depends on the model's state
 * when the client reaches it: an append to a stream that does not exist expects 404.
 *
 * @param kind what to do
 * @param slot the stream slot the step works on, an index into {@link WorkloadRunner#SLOTS}
 * @param target the second slot of a fork, the fork's target
 * @param variant a number from 0 to 99 that picks between the ways to do the step, such as
 *        with or without an initial body
 * @param batchSize messages per JSON append, from 1 to 3
 */
public record Operation(Kind kind, int slot, int target, int variant, int batchSize) {

    /** What a step does. */
    public enum Kind {
        /** PUT a stream, new or again. */
        CREATE,
        /** POST data without extra headers. */
        APPEND,
        /** POST data with a {@code Stream-Seq}, sometimes a stale one. */
        APPEND_WITH_SEQ,
        /** POST data as an idempotent producer, then retry it as after a lost response. */
        PRODUCER_APPEND,
        /** POST with {@code Stream-Closed: true}, with or without a final body. */
        CLOSE,
        /** Read the whole stream with catch-up reads, page by page. */
        READ_CATCH_UP,
        /** Read to the tail, then wait there with a long-poll. */
        READ_LONG_POLL,
        /** Read from the start over SSE until up to date. */
        READ_SSE,
        /** PUT a fork of one slot's stream into another slot. */
        FORK,
        /** DELETE a stream. */
        DELETE
    }
}
