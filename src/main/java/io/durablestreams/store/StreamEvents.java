package io.durablestreams.store;

/**
 * Receives notice of changes to a store's streams, for features built on top of it such as
 * subscriptions. Callbacks run on the thread that made the change, after the change is visible
 * to readers and with no stream lock held, so they may read the stream; they must return quickly
 * and must not throw.
 */
public interface StreamEvents {

    /**
     * Called after a stream was created, including a fork.
     *
     * @param stream the new stream
     */
    default void created(DurableStream stream) {
    }

    /**
     * Called after an append or close changed a stream.
     *
     * @param stream the stream
     * @param tail its tail after the change
     */
    default void appended(DurableStream stream, long tail) {
    }

    /**
     * Called after a stream was deleted through {@link StreamStore#delete} (soft deletes
     * included). Expiry is not reported: a listener finds expired streams gone on next access.
     *
     * @param path the stream's path
     */
    default void deleted(String path) {
    }
}
