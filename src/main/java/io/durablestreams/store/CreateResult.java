package io.durablestreams.store;

/**
 * The outcome of a create request.
 *
 * @param stream the stream at the path
 * @param created true when this request created it, false when an identical stream existed
 */
public record CreateResult(DurableStream stream, boolean created) {
}
