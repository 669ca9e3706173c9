package io.durablestreams.api;

import java.time.Duration;

/**
 * Follows one stream from an offset and hands its data, in order, to a {@link DataHandler},
 * tracking the offset as it goes.
 *
 * <p>{@link #stop()} and a later {@link #start()} resume exactly where delivery stopped: the
 * offset moves past a chunk only after the handler returned, so no data is lost or delivered
 * twice. To resume in another process, save {@link #offset()} and build a new listener from it.
 * The listener ends by itself, in {@link ListenerStatus#CLOSED}, once a closed stream is fully
 * delivered.
 *
 * <p>Thread-safety: the methods are safe to call from any thread. Handlers run on one thread per
 * run of the listener, one call at a time.
 */
public interface StreamListener extends AutoCloseable {

    /**
     * Starts following the stream on a new thread, from {@link #offset()}. Does nothing while
     * the listener runs. Returns without waiting for data.
     *
     * @throws IllegalStateException when the listener is closed, or when called from its own
     *         handler after {@link #stop()}
     */
    void start();

    /**
     * Stops following the stream. Blocks until the handler call in progress, if any, has
     * returned and the listener's thread has ended. Returns early, with the interrupt flag set,
     * when the calling thread is interrupted. Called from a handler, it returns at once, and the
     * listener stops after that handler returns.
     */
    void stop();

    /**
     * Returns where the listener reads next: an offset token, or the starting {@code -1} or
     * {@code now} until the first read resolved it.
     *
     * @return the offset
     */
    String offset();

    /**
     * Returns the current status.
     *
     * @return the status
     */
    ListenerStatus status();

    /**
     * Waits until the listener's thread has ended: after {@link #stop()}, after the stream
     * closed, or after a failure that is not retried. Blocks for at most {@code timeout}.
     *
     * @param timeout how long to wait at most
     * @return true when the listener is not running, false when the timeout passed first
     * @throws InterruptedException when the waiting thread is interrupted
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /**
     * Stops the listener as {@link #stop()} does and releases its resources; it cannot be
     * started again.
     */
    @Override
    void close();
}
