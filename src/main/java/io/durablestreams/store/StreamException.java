package io.durablestreams.store;

/**
 * Base of the failures a stream operation reports to its caller; the HTTP layer maps each
 * subtype to one status code.
 */
public abstract sealed class StreamException extends RuntimeException
        permits InvalidRequestException, StreamConflictException, StreamClosedException,
                ProducerFencedException, ProducerSequenceGapException, StreamDeletedException,
                StreamGoneException, StreamNotFoundException, StorageException,
                OffsetNotRetainedException, StreamLimitException {

    StreamException(String message) {
        super(message, null, false, false);
    }

    StreamException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
