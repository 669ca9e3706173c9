package io.durablestreams.store;

/** An append from a producer epoch older than the stream's current one (HTTP 403). */
public final class ProducerFencedException extends StreamException {

    private final long currentEpoch;

    /**
     * Creates the exception.
     *
     * @param producerId the producer
     * @param requestEpoch the epoch the request carried
     * @param currentEpoch the epoch the stream has accepted
     */
    public ProducerFencedException(String producerId, long requestEpoch, long currentEpoch) {
        super("Producer epoch " + requestEpoch + " is stale; the current epoch is "
                + currentEpoch);
        this.currentEpoch = currentEpoch;
    }

    /**
     * Returns the epoch the stream has accepted for this producer.
     *
     * @return the current epoch
     */
    public long currentEpoch() {
        return currentEpoch;
    }
}
