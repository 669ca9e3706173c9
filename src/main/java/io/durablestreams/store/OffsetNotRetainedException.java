package io.durablestreams.store;

/**
 * A read below the first position a stream still keeps, because retention dropped the data
 * there (HTTP 410 with {@code Stream-Earliest-Offset}).
 */
public final class OffsetNotRetainedException extends StreamException {

    private final long earliest;

    /**
     * Creates the exception.
     *
     * @param path the stream's path
     * @param earliest the first position still kept
     */
    public OffsetNotRetainedException(String path, long earliest) {
        super("Data of stream " + path + " before offset " + Offsets.format(earliest)
                + " was dropped by its retention policy; read from that offset instead");
        this.earliest = earliest;
    }

    /**
     * Returns the first position the stream still keeps.
     *
     * @return the earliest position
     */
    public long earliest() {
        return earliest;
    }
}
