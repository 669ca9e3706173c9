package io.durablestreams.api;

import java.time.Duration;
import java.util.Objects;

import io.durablestreams.store.DurableStream;
import io.durablestreams.store.LiveWait;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.StorageException;
import io.durablestreams.store.StreamDeletedException;

/**
 * Follows a stream of a {@link DurableStreams} instance in the same process: catch-up reads
 * until the reader reaches the tail, then waits on the stream for new data, without HTTP.
 *
 * <p>Storage failures are retried after a backoff. Any other failure, such as a deleted stream,
 * ends the run in {@link ListenerStatus#IDLE} with the failure in the {@link StatusChange}, and
 * so does closing the {@link DurableStreams} instance, with an {@link IllegalStateException}.
 *
 * <p>Build one with {@link DurableStreams#listener(String)}. Thread-safety: see
 * {@link StreamListener}.
 */
public final class LocalStreamListener extends AbstractStreamListener {

    private final DurableStreams streams;
    private final String path;
    private final int maxBytes;
    private final Duration waitTimeout;

    /** Whether the last read reached the tail, so that the next one waits. Worker-confined. */
    private boolean caughtUp;

    private LocalStreamListener(Builder builder) {
        super(builder.path, builder.from, builder.dataHandler, builder.statusListener,
                builder.backoff);
        this.streams = builder.streams;
        this.path = builder.path;
        this.maxBytes = builder.maxBytes;
        this.waitTimeout = builder.waitTimeout;
    }

    static Builder builder(DurableStreams streams, String path) {
        return new Builder(streams, path);
    }

    /**
     * Resolves {@code now} to the tail token when {@link #start()} is called, so that data
     * appended after {@code start()} returns is never skipped, and {@code -1} to the start
     * token.
     *
     * @throws io.durablestreams.store.StreamNotFoundException when the stream does not exist
     */
    @Override
    protected String resolveStartOffset(String offset) {
        if (offset.equals(Offset.NOW.value())) {
            return streams.metadata(path).tailOffset();
        }
        if (offset.equals(Offset.BEGINNING.value())) {
            return streams.metadata(path).earliestOffset();
        }
        return offset;
    }

    @Override
    protected Chunk fetch(String offset) throws Exception {
        if (caughtUp) {
            DurableStream stream = streams.stream(path);
            long position = Offsets.parse(offset);
            // Only the wait is interruptible: an interrupt during the file store's reads would
            // close its shared file channels.
            LiveWait wake = interruptibly(() -> stream.awaitData(position, waitTimeout));
            if (wake == LiveWait.DELETED) {
                // Reports a soft delete as gone and a removal as not found.
                streams.metadata(path);
                throw new StreamDeletedException(path);
            }
            if (wake == LiveWait.SHUTDOWN) {
                // Every later wait would end at once too, so the run ends here.
                throw new IllegalStateException("The store of stream " + path
                        + " is shutting down");
            }
        }
        // After a wait that timed out this read is empty, or contains data that just arrived.
        Chunk chunk = streams.read(path, Offset.of(offset), maxBytes);
        caughtUp = chunk.upToDate();
        return chunk;
    }

    @Override
    protected boolean isRetryable(Exception failure) {
        return failure instanceof StorageException;
    }

    @Override
    protected void release() {
        caughtUp = false;
    }

    /** Collects the settings of a {@link LocalStreamListener}; not thread-safe. */
    public static final class Builder {

        private final DurableStreams streams;
        private final String path;
        private Offset from = Offset.BEGINNING;
        private DataHandler dataHandler;
        private StatusListener statusListener = change -> { };
        private Backoff backoff = Backoff.defaults();
        private int maxBytes;
        private Duration waitTimeout = Duration.ofSeconds(30);

        private Builder(DurableStreams streams, String path) {
            this.streams = Objects.requireNonNull(streams, "streams");
            this.path = Objects.requireNonNull(path, "path");
            this.maxBytes = streams.settings().maxChunkBytes();
        }

        /**
         * Sets where the listener starts; {@code -1} (the beginning) by default.
         *
         * @param offset {@code -1}, {@code now} or an offset token saved from an earlier run
         * @return this builder
         */
        public Builder from(Offset offset) {
            this.from = Objects.requireNonNull(offset, "offset");
            return this;
        }

        /**
         * Sets where the listener starts, as text.
         *
         * @param offset {@code -1}, {@code now} or an offset token
         * @return this builder
         * @throws io.durablestreams.store.InvalidRequestException when the offset is invalid
         */
        public Builder from(String offset) {
            return from(Offset.of(offset));
        }

        /**
         * Sets the handler that receives the data; required.
         *
         * @param handler the handler
         * @return this builder
         */
        public Builder onData(DataHandler handler) {
            this.dataHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Sets the listener that receives status changes; none by default.
         *
         * @param listener the status listener
         * @return this builder
         */
        public Builder onStatus(StatusListener listener) {
            this.statusListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets the delays between retries after a storage failure.
         *
         * @param backoff the backoff
         * @return this builder
         */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /**
         * Sets the largest chunk handed to the data handler;
         * {@link io.durablestreams.config.ServerSettings#maxChunkBytes()} by default.
         * A JSON chunk contains at least one whole message even when that message is larger.
         *
         * @param maxBytes a positive number of bytes
         * @return this builder
         */
        public Builder maxBytes(int maxBytes) {
            if (maxBytes <= 0) {
                throw new IllegalArgumentException("maxBytes must be positive; got " + maxBytes);
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /**
         * Builds the listener, not yet started.
         *
         * @return the listener
         * @throws IllegalStateException when no data handler was set
         */
        public LocalStreamListener build() {
            if (dataHandler == null) {
                throw new IllegalStateException("Set a data handler with onData()");
            }
            return new LocalStreamListener(this);
        }
    }
}
