package io.durablestreams.store;

import java.util.regex.Pattern;

/**
 * Encodes stream positions as offset tokens and decodes them back.
 *
 * <p>A token is the byte position in the stream's stored representation written as a
 * zero-padded 32-digit decimal number, with an underscore after the 16th digit for legibility:
 * position 42 is {@code 0000000000000000_0000000000000042}. Fixed width makes lexicographic order
 * equal numeric order, so clients may compare tokens as strings, and the alphabet never contains
 * the characters the protocol reserves ({@code , & = ? /}). The sentinels {@code -1} and
 * {@code now} can never be produced.
 *
 * <p>Thread-safety: stateless.
 */
public final class Offsets {

    /** The token of position 0, the start of every stream. */
    public static final String START = "0000000000000000_0000000000000000";

    private static final Pattern TOKEN = Pattern.compile("[0-9]{16}_[0-9]{16}");
    private static final long LOW_DIGITS = 10_000_000_000_000_000L;

    private Offsets() {
    }

    /**
     * Formats a byte position as an offset token.
     *
     * @param position non-negative byte position
     * @return the token
     */
    public static String format(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("Offset position must not be negative: " + position);
        }
        char[] digits = START.toCharArray();
        fillDigits(digits, 32, position % LOW_DIGITS);
        fillDigits(digits, 15, position / LOW_DIGITS);
        return new String(digits);
    }

    /**
     * Tells whether a string has the form of an offset token.
     *
     * @param token the string as a client sent it
     * @return true for 16 digits, an underscore and 16 digits
     */
    public static boolean isWellFormed(String token) {
        return TOKEN.matcher(token).matches();
    }

    /**
     * Parses a well-formed offset token.
     *
     * @param token a token for which {@link #isWellFormed(String)} holds
     * @return the byte position, or {@link Long#MAX_VALUE} for a token beyond any stream's tail
     */
    public static long parse(String token) {
        if (!isWellFormed(token)) {
            throw new IllegalArgumentException("Malformed offset: " + token);
        }
        long high = Long.parseLong(token, 0, 16, 10);
        long low = Long.parseLong(token, 17, 33, 10);
        if (high > (Long.MAX_VALUE - low) / LOW_DIGITS) {
            return Long.MAX_VALUE;
        }
        return high * LOW_DIGITS + low;
    }

    /** Writes {@code value} in decimal into {@code digits}, its last digit at {@code last}. */
    private static void fillDigits(char[] digits, int last, long value) {
        long rest = value;
        for (int i = last; rest > 0; i--) {
            digits[i] = (char) ('0' + rest % 10);
            rest /= 10;
        }
    }
}
