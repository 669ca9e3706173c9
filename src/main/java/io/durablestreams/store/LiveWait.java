package io.durablestreams.store;

/** Why a live reader's wait for data ended. */
public enum LiveWait {
    /** Data exists past the reader's position. */
    DATA,
    /** The stream is closed and the reader is at its end. */
    CLOSED,
    /** The stream was deleted or expired. */
    DELETED,
    /** The timeout passed with no new data. */
    TIMED_OUT,
    /** The server is shutting down; the reader should answer with its current position. */
    SHUTDOWN
}
