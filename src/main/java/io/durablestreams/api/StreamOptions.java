package io.durablestreams.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import io.durablestreams.store.Retention;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Settings of a stream to create: content type, expiry, initial content, closure, fork origin.
 *
 * <p>Build one with {@link #builder()}, or use {@link #of(String)} for a stream that only needs a
 * content type. Options that later versions add become further builder methods with defaults
 * that keep today's behaviour, so code written against this class keeps compiling.
 *
 * <p>Instances are immutable and safe to share.
 */
public final class StreamOptions {

    /**
     * Largest accepted TTL, about 31,700 years, the same limit the HTTP layer applies to
     * {@code Stream-TTL}, so that expiry arithmetic cannot overflow.
     */
    public static final long MAX_TTL_SECONDS = 1_000_000_000_000L;

    private final Optional<String> contentType;
    private final OptionalLong ttlSeconds;
    private final Optional<Instant> expiresAt;
    private final byte[] initialData;
    private final boolean closed;
    private final Optional<String> forkSource;
    private final Optional<Offset> forkOffset;
    private final long forkSubOffset;
    private final Retention retention;

    private StreamOptions(Builder builder) {
        this.contentType = builder.contentType;
        this.ttlSeconds = builder.ttlSeconds;
        this.expiresAt = builder.expiresAt;
        this.initialData = builder.initialData;
        this.closed = builder.closed;
        this.forkSource = builder.forkSource;
        this.forkOffset = builder.forkOffset;
        this.forkSubOffset = builder.forkSubOffset;
        this.retention = builder.retention;
    }

    /**
     * Returns how much old data the stream keeps.
     *
     * @return the retention policy, {@link Retention#NONE} unless set
     */
    public Retention retention() {
        return retention;
    }

    /**
     * Returns a new builder with the defaults: {@code application/octet-stream}, no expiry, no
     * initial data, open.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns options for an empty, open stream without expiry.
     *
     * @param contentType the stream's content type, for example {@code application/json}
     * @return the options
     */
    public static StreamOptions of(String contentType) {
        return builder().contentType(contentType).build();
    }

    /**
     * Returns the requested content type.
     *
     * @return the content type; empty for the default, or for a fork that inherits its source's
     */
    public Optional<String> contentType() {
        return contentType;
    }

    /**
     * Returns the requested sliding time-to-live.
     *
     * @return whole seconds, or empty
     */
    public OptionalLong ttlSeconds() {
        return ttlSeconds;
    }

    /**
     * Returns the requested absolute expiry time.
     *
     * @return the instant, or empty
     */
    public Optional<Instant> expiresAt() {
        return expiresAt;
    }

    /**
     * Returns the initial content.
     *
     * @return a copy of the bytes, empty when there are none
     */
    public byte[] initialData() {
        return initialData.clone();
    }

    /**
     * Tells whether the stream starts closed, its initial content being all it will hold.
     *
     * @return true for a closed stream
     */
    public boolean closed() {
        return closed;
    }

    /**
     * Returns the path of the stream this one forks.
     *
     * @return the source path, or empty for a stream that is not a fork
     */
    public Optional<String> forkSource() {
        return forkSource;
    }

    /**
     * Returns the offset in the source at which the fork diverges.
     *
     * @return the offset token, or empty for the source's tail
     */
    public Optional<Offset> forkOffset() {
        return forkOffset;
    }

    /**
     * Returns how far past {@link #forkOffset()} the fork diverges, within the append that
     * follows it.
     *
     * @return bytes, or messages for JSON streams
     */
    public long forkSubOffset() {
        return forkSubOffset;
    }

    /** Accumulates the options; not thread-safe. */
    public static final class Builder {

        private Optional<String> contentType = Optional.empty();
        private OptionalLong ttlSeconds = OptionalLong.empty();
        private Optional<Instant> expiresAt = Optional.empty();
        private byte[] initialData = new byte[0];
        private boolean closed;
        private Optional<String> forkSource = Optional.empty();
        private Optional<Offset> forkOffset = Optional.empty();
        private long forkSubOffset;
        private Retention retention = Retention.NONE;

        private Builder() {
        }

        /**
         * Sets how much old data the stream keeps; older data is dropped in whole messages,
         * and reads below the first kept offset fail with {@code OffsetNotRetainedException}.
         *
         * @param retention the policy, for example
         *        {@code new Retention(OptionalLong.empty(), OptionalLong.of(1000),
         *        OptionalLong.empty())} for the newest 1000 messages
         * @return this builder
         */
        public Builder retention(Retention retention) {
            this.retention = java.util.Objects.requireNonNull(retention, "retention");
            return this;
        }

        /**
         * Sets the content type; {@code application/json} streams keep message boundaries.
         *
         * @param contentType a media type, optionally with parameters
         * @return this builder
         */
        public Builder contentType(String contentType) {
            Objects.requireNonNull(contentType, "contentType");
            if (contentType.isBlank()) {
                throw new IllegalArgumentException("Content type must not be blank");
            }
            this.contentType = Optional.of(contentType);
            return this;
        }

        /**
         * Sets a sliding time-to-live: the stream expires when it has not been read or written
         * for this long.
         *
         * @param ttl whole seconds, at most {@link #MAX_TTL_SECONDS}
         * @return this builder
         * @throws IllegalArgumentException when the TTL is negative, has a fraction of a second,
         *         or is too large
         */
        public Builder ttl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.isNegative() || ttl.getNano() != 0 || ttl.getSeconds() > MAX_TTL_SECONDS) {
                throw new IllegalArgumentException("TTL must be whole seconds from 0 to "
                        + MAX_TTL_SECONDS + "; got " + ttl);
            }
            this.ttlSeconds = OptionalLong.of(ttl.getSeconds());
            return this;
        }

        /**
         * Sets an absolute expiry time.
         *
         * @param expiresAt when the stream expires
         * @return this builder
         */
        public Builder expiresAt(Instant expiresAt) {
            this.expiresAt = Optional.of(Objects.requireNonNull(expiresAt, "expiresAt"));
            return this;
        }

        /**
         * Sets the initial content; for a JSON stream, a JSON value or an array of messages.
         *
         * @param data the bytes, copied
         * @return this builder
         */
        public Builder initialData(byte[] data) {
            this.initialData = Objects.requireNonNull(data, "data").clone();
            return this;
        }

        /**
         * Sets the initial content as UTF-8 text or JSON.
         *
         * @param text the content
         * @return this builder
         */
        public Builder initialData(String text) {
            return initialData(Objects.requireNonNull(text, "text").getBytes(UTF_8));
        }

        /**
         * Sets whether the stream starts closed, so that the initial content is all it holds.
         *
         * @param closed true for a closed stream
         * @return this builder
         */
        public Builder closed(boolean closed) {
            this.closed = closed;
            return this;
        }

        /**
         * Makes the stream a fork of another: it reads as the source up to the fork point, then
         * as its own appends, and inherits the source's content type and expiry unless set here.
         *
         * @param sourcePath the path of the stream to fork
         * @return this builder
         */
        public Builder forkOf(String sourcePath) {
            this.forkSource = Optional.of(Objects.requireNonNull(sourcePath, "sourcePath"));
            return this;
        }

        /**
         * Sets where in the source the fork diverges; the source's tail by default.
         *
         * @param offset an offset token the source returned
         * @return this builder
         * @throws IllegalArgumentException for the {@code -1} and {@code now} sentinels
         */
        public Builder forkOffset(Offset offset) {
            Objects.requireNonNull(offset, "offset");
            if (offset.isBeginning() || offset.isNow()) {
                throw new IllegalArgumentException("A fork offset must be an offset token, not "
                        + offset);
            }
            this.forkOffset = Optional.of(offset);
            return this;
        }

        /**
         * Moves the fork point into the append that follows {@link #forkOffset(Offset)}.
         *
         * @param subOffset bytes, or messages for JSON streams; 0 by default
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder forkSubOffset(long subOffset) {
            if (subOffset < 0) {
                throw new IllegalArgumentException("Fork sub-offset must not be negative; got "
                        + subOffset);
            }
            this.forkSubOffset = subOffset;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException when both a TTL and an expiry time are set, or fork
         *         settings are given without {@link #forkOf(String)}
         */
        public StreamOptions build() {
            if (ttlSeconds.isPresent() && expiresAt.isPresent()) {
                throw new IllegalArgumentException("Set either a TTL or an expiry time, not"
                        + " both");
            }
            if (forkSource.isEmpty() && (forkOffset.isPresent() || forkSubOffset > 0)) {
                throw new IllegalArgumentException("A fork offset needs forkOf(sourcePath)");
            }
            return new StreamOptions(this);
        }
    }
}
