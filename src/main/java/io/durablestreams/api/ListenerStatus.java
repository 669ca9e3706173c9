package io.durablestreams.api;

/** The state of a {@link StreamListener}. */
public enum ListenerStatus {
    /** Not running: not started yet, stopped, or ended by a failure it does not retry. */
    IDLE,
    /** Starting, or reconnecting after a failure, before the first read succeeded. */
    CONNECTING,
    /** Reading: delivering stored data, or waiting for new data. */
    STREAMING,
    /** A read failed with an error that may pass; the listener retries after a backoff. */
    DISCONNECTED,
    /** The stream is closed and every byte of it was delivered; the listener has ended. */
    CLOSED
}
