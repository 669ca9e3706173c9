package io.durablestreams.store;

/** An append whose producer sequence number skips ahead of the next expected one (HTTP 409). */
public final class ProducerSequenceGapException extends StreamException {

    private final long expected;
    private final long received;

    /**
     * Creates the exception.
     *
     * @param expected the sequence number the stream expects next
     * @param received the sequence number the request carried
     */
    public ProducerSequenceGapException(long expected, long received) {
        super("Producer sequence gap: expected " + expected + ", received " + received);
        this.expected = expected;
        this.received = received;
    }

    /**
     * Returns the sequence number the stream expects next.
     *
     * @return the expected sequence number
     */
    public long expected() {
        return expected;
    }

    /**
     * Returns the sequence number the request carried.
     *
     * @return the received sequence number
     */
    public long received() {
        return received;
    }
}
