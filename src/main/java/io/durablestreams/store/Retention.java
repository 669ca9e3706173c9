package io.durablestreams.store;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * How much old data a stream keeps. Older data is dropped in whole records (messages of a JSON
 * stream, appends of any other), and a read below the first kept record gets 410 Gone.
 *
 * @param maxAgeSeconds drop appends older than this
 * @param maxMessages keep at most this many records
 * @param maxBytes keep at most this many bytes, except that the newest record is always kept
 */
public record Retention(OptionalLong maxAgeSeconds, OptionalLong maxMessages,
                        OptionalLong maxBytes) {

    /** Largest max age, about 31,700 years, so that age arithmetic in milliseconds fits. */
    public static final long MAX_AGE_SECONDS = 1_000_000_000_000L;

    /** Keeps everything. */
    public static final Retention NONE =
            new Retention(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException when a limit is not positive
     */
    public Retention {
        Objects.requireNonNull(maxAgeSeconds, "maxAgeSeconds");
        Objects.requireNonNull(maxMessages, "maxMessages");
        Objects.requireNonNull(maxBytes, "maxBytes");
        requirePositive("max age", maxAgeSeconds);
        if (maxAgeSeconds.isPresent() && maxAgeSeconds.getAsLong() > MAX_AGE_SECONDS) {
            throw new IllegalArgumentException("Retention max age must be at most "
                    + MAX_AGE_SECONDS + " seconds; got " + maxAgeSeconds.getAsLong());
        }
        requirePositive("max messages", maxMessages);
        requirePositive("max bytes", maxBytes);
    }

    /**
     * Tells whether any limit is set.
     *
     * @return false for {@link #NONE}
     */
    public boolean isLimited() {
        return maxAgeSeconds.isPresent() || maxMessages.isPresent() || maxBytes.isPresent();
    }

    private static void requirePositive(String name, OptionalLong value) {
        if (value.isPresent() && value.getAsLong() <= 0) {
            throw new IllegalArgumentException("Retention " + name + " must be positive; got "
                    + value.getAsLong());
        }
    }
}
