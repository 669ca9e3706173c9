package io.durablestreams.crash;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static java.nio.charset.StandardCharsets.US_ASCII;

/**
 * The self-delimiting records the crash test appends to text streams, one record per append:
 * {@code writer:n:padLength:pad;}, where {@code writer} names the client, {@code n} numbers its
 * records, and {@code pad} repeats one letter chosen by {@code n} to vary the record's size.
 * Because every record states its own length, stream content parses back into whole records,
 * and a torn or interleaved record shows up as a parse error.
 */
final class TextRecords {

    private static final int MAX_WRITER_CHARS = 64;

    private TextRecords() {
    }

    /**
     * Formats one record.
     *
     * @param writer the client's name: letters, digits and {@code -}
     * @param n the record's number, unique per writer
     * @param padLength how many pad characters follow the header
     * @return the record's bytes
     */
    static byte[] format(String writer, long n, int padLength) {
        String header = writer + ":" + n + ":" + padLength + ":";
        byte[] record = new byte[header.length() + padLength + 1];
        System.arraycopy(header.getBytes(US_ASCII), 0, record, 0, header.length());
        Arrays.fill(record, header.length(), header.length() + padLength, padLetter(n));
        record[record.length - 1] = ';';
        return record;
    }

    /**
     * Returns the key that identifies a record across the whole test.
     *
     * @param writer the client's name
     * @param n the record's number
     * @return {@code writer:n}
     */
    static String key(String writer, long n) {
        return writer + ":" + n;
    }

    /**
     * A record found in stream content.
     *
     * @param key the record's key
     * @param start position of its first byte
     * @param end position just past its last byte
     */
    record Found(String key, int start, int end) {
    }

    /**
     * Parses stream content into records.
     *
     * @param content the stream's bytes from its start
     * @return the records, in stream order
     * @throws MalformedRecordException at the first record that is not well-formed
     */
    static List<Found> parse(byte[] content) {
        List<Found> found = new ArrayList<>();
        int position = 0;
        while (position < content.length) {
            int start = position;
            int writerEnd = indexOf(content, (byte) ':', position, MAX_WRITER_CHARS + 1);
            String writer = new String(content, position, writerEnd - position, US_ASCII);
            if (writer.isEmpty() || !writer.chars().allMatch(TextRecords::isWriterChar)) {
                throw malformed(start, "invalid writer name");
            }
            position = writerEnd + 1;
            int numberEnd = indexOf(content, (byte) ':', position, 20);
            long n = parseNumber(content, position, numberEnd, start);
            position = numberEnd + 1;
            int lengthEnd = indexOf(content, (byte) ':', position, 10);
            long padLength = parseNumber(content, position, lengthEnd, start);
            position = lengthEnd + 1;
            if (padLength > content.length - position - 1) {
                throw malformed(start, "record of " + padLength + " pad bytes is cut off at the"
                        + " end of the content");
            }
            byte letter = padLetter(n);
            for (int i = 0; i < padLength; i++) {
                if (content[position + i] != letter) {
                    throw malformed(start, "pad byte " + i + " is not '" + (char) letter + "'");
                }
            }
            position += (int) padLength;
            if (content[position] != ';') {
                throw malformed(start, "record does not end with ';'");
            }
            position++;
            found.add(new Found(key(writer, n), start, position));
        }
        return found;
    }

    private static byte padLetter(long n) {
        return (byte) ('a' + n % 26);
    }

    private static boolean isWriterChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    }

    /** Finds {@code target} within {@code maxDistance} bytes of {@code from}. */
    private static int indexOf(byte[] content, byte target, int from, int maxDistance) {
        int limit = Math.min(content.length, from + maxDistance);
        for (int i = from; i < limit; i++) {
            if (content[i] == target) {
                return i;
            }
        }
        throw malformed(from, "missing ':' separator");
    }

    private static long parseNumber(byte[] content, int from, int to, int recordStart) {
        if (from == to) {
            throw malformed(recordStart, "empty number");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            if (content[i] < '0' || content[i] > '9') {
                throw malformed(recordStart, "invalid digit in a number");
            }
            value = value * 10 + (content[i] - '0');
        }
        return value;
    }

    private static MalformedRecordException malformed(int position, String problem) {
        return new MalformedRecordException(position, problem);
    }

    /** Stream content that does not parse as whole records. */
    static final class MalformedRecordException extends IllegalArgumentException {

        private final int position;

        MalformedRecordException(int position, String problem) {
            super("Malformed record at byte " + position + ": " + problem);
            this.position = position;
        }

        /** Returns the position where the malformed record starts. */
        int position() {
            return position;
        }
    }
}
