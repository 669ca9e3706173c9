package io.durablestreams.api;

import java.util.Objects;

/**
 * The outcome of {@link DurableStreams#create(String, StreamOptions)}.
 *
 * @param stream the stream's metadata after the call
 * @param created true when this call created the stream, false when an identical stream existed
 */
public record CreateOutcome(StreamInfo stream, boolean created) {

    /**
     * Checks the arguments.
     */
    public CreateOutcome {
        Objects.requireNonNull(stream, "stream");
    }
}
