package io.durablestreams.api;

/** Receives the status changes of a {@link StreamListener}, on the listener's thread. */
@FunctionalInterface
public interface StatusListener {

    /**
     * Handles one status change. Exceptions thrown here are logged and otherwise ignored.
     *
     * @param change the new status, the offset, and the failure behind the change, if any
     */
    void onStatus(StatusChange change);
}
