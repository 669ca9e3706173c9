package io.durablestreams.live;

/**
 * Writes to a client that {@link WriteWatchdog} can end when one of them blocks too long.
 */
public interface BlockingWrites {

    /**
     * Interrupts the writing thread when its current write started before a time; on a virtual
     * thread blocked in socket I/O this closes the socket.
     *
     * @param startedBeforeNanos the {@link System#nanoTime()} a write must have started before
     * @return true when the thread was interrupted
     */
    boolean interruptIfBlockedSince(long startedBeforeNanos);
}
