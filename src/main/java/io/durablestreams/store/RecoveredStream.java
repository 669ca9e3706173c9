package io.durablestreams.store;

import java.util.List;
import java.util.Objects;

/**
 * A stream as storage found it at start-up.
 *
 * @param meta identity, settings and fork origin
 * @param log the stream's data, already verified
 * @param appends the writer state of every stored append, in order, with the position after it
 * @param softDeleted whether the stream was deleted while forks still read it
 * @param lastAccessMillis the last read or write that storage knows of, for the sliding TTL
 */
public record RecoveredStream(StreamMeta meta,
                              StreamLog log,
                              List<StoredAppend> appends,
                              boolean softDeleted,
                              long lastAccessMillis) {

    /**
     * Checks the arguments.
     */
    public RecoveredStream {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(log, "log");
        appends = List.copyOf(appends);
    }

    /**
     * The writer state of one stored append.
     *
     * @param state what the append carried
     * @param end the position just past its data
     */
    public record StoredAppend(WriterState state, long end) {
    }
}
