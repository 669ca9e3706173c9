package io.durablestreams.store;

/**
 * A failure of the storage under a stream: a write, sync or read that did not succeed
 * (HTTP 503). The request may be retried; data acknowledged before stays intact.
 */
public final class StorageException extends StreamException {

    /**
     * Creates the exception.
     *
     * @param message what failed, naming the stream but not its data
     * @param cause the I/O failure
     */
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
