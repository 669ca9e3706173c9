package io.durablestreams.api;

import java.util.Objects;

import io.durablestreams.store.InvalidRequestException;
import io.durablestreams.store.Offsets;

/**
 * A read position: the beginning of a stream, its current tail, or an offset token that an
 * earlier read or append returned.
 *
 * <p>Offset tokens are opaque to callers. They sort as strings in stream order, so two tokens of
 * one stream may be compared with {@link String#compareTo(String)}.
 *
 * @param value {@code -1}, {@code now} or an offset token
 */
public record Offset(String value) {

    /** The start of a stream ({@code -1}). */
    public static final Offset BEGINNING = new Offset("-1");

    /** The tail of a stream when the read starts ({@code now}): only later data is read. */
    public static final Offset NOW = new Offset("now");

    /**
     * Checks the value.
     *
     * @throws InvalidRequestException when the value is neither {@code -1}, {@code now} nor an
     *         offset token
     */
    public Offset {
        Objects.requireNonNull(value, "value");
        if (!value.equals("-1") && !value.equals("now") && !Offsets.isWellFormed(value)) {
            throw new InvalidRequestException("Invalid offset \"" + value + "\": use -1, now, or"
                    + " an offset token returned by a read or an append");
        }
    }

    /**
     * Parses an offset as a client sends it.
     *
     * @param value {@code -1}, {@code now} or an offset token
     * @return the offset
     * @throws InvalidRequestException when the value is not one of these
     */
    public static Offset of(String value) {
        return new Offset(value);
    }

    /**
     * Tells whether this is the {@code -1} sentinel.
     *
     * @return true for the start of a stream
     */
    public boolean isBeginning() {
        return value.equals("-1");
    }

    /**
     * Tells whether this is the {@code now} sentinel.
     *
     * @return true for the tail at the time of the read
     */
    public boolean isNow() {
        return value.equals("now");
    }

    @Override
    public String toString() {
        return value;
    }
}
