package io.durablestreams.json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Validates JSON request bodies and splits them into the messages a JSON stream stores.
 *
 * <p>A body that is a JSON array is one batch: each element becomes a message, so exactly one
 * level of array is flattened. Any other JSON value is one message. Each message is kept as the
 * exact bytes the client sent (surrounding whitespace removed), followed by a comma, so that a
 * read only has to join stored records and wrap them in brackets.
 *
 * <p>Thread-safety: stateless and safe for concurrent use.
 */
public final class JsonMessages {

    /** Separator stored after every message. */
    public static final byte SEPARATOR = ',';

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private JsonMessages() {
    }

    /**
     * Validates a body and splits it into stored records.
     *
     * @param body the request body, UTF-8 JSON
     * @param allowEmptyArray whether {@code []} is accepted (as no messages), which creation
     *        allows and appends do not
     * @return one record per message, each ending with {@link #SEPARATOR}
     * @throws InvalidJsonException when the body is not one valid JSON value, or is an empty
     *         array where that is not allowed
     */
    public static List<byte[]> split(byte[] body, boolean allowEmptyArray)
            throws InvalidJsonException {
        requireUtf8(body);
        try (JsonParser parser = FACTORY.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new InvalidJsonException("Request body is empty, expected a JSON value");
            }
            List<byte[]> records = first == JsonToken.START_ARRAY
                    ? splitArray(parser, body)
                    : List.of(record(body, 0, skipValue(parser, body)));
            if (parser.nextToken() != null) {
                throw new InvalidJsonException("Request body has data after the first JSON value");
            }
            if (records.isEmpty() && !allowEmptyArray) {
                throw new InvalidJsonException("An empty JSON array appends nothing; send at least"
                        + " one message");
            }
            return records;
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage();
            int detail = reason.indexOf(" (");
            String shortReason = detail > 0 ? reason.substring(0, detail) : reason;
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            throw new InvalidJsonException("Invalid JSON" + (at >= 0 ? " at byte " + at : "")
                    + ": " + shortReason);
        } catch (IOException e) {
            // The parser reads from a byte array, so any other I/O failure is also bad input.
            throw new InvalidJsonException("Invalid JSON: " + e.getMessage());
        }
    }

    /**
     * Checks that a body is UTF-8 text, as JSON exchanged between systems must be (RFC 8259).
     * Without this check the parser would guess UTF-16 or UTF-32 from the first bytes, or
     * accept a byte order mark, and reads would return bytes that are not valid JSON.
     */
    private static void requireUtf8(byte[] body) throws InvalidJsonException {
        if (body.length >= 3 && (body[0] & 0xff) == 0xef && (body[1] & 0xff) == 0xbb
                && (body[2] & 0xff) == 0xbf) {
            throw new InvalidJsonException("Invalid JSON: remove the byte order mark");
        }
        for (int i = 0; i < body.length; i++) {
            if (body[i] == 0) {
                throw new InvalidJsonException("Invalid JSON at byte " + i + ": NUL byte");
            }
        }
        try {
            UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw new InvalidJsonException("Invalid JSON: the body is not valid UTF-8");
        }
    }

    /**
     * Joins stored records into one JSON array.
     *
     * @param records stored records, each ending with {@link #SEPARATOR}, or empty
     * @return the bytes of a JSON array holding every message
     */
    public static byte[] toArray(byte[] records) {
        int contentLength = records.length == 0 ? 0 : records.length - 1;
        byte[] array = new byte[contentLength + 2];
        array[0] = '[';
        System.arraycopy(records, 0, array, 1, contentLength);
        array[array.length - 1] = ']';
        return array;
    }

    private static List<byte[]> splitArray(JsonParser parser, byte[] body)
            throws IOException, InvalidJsonException {
        List<byte[]> records = new ArrayList<>();
        JsonToken token = parser.nextToken();
        while (token != JsonToken.END_ARRAY) {
            if (token == null) {
                throw new InvalidJsonException("Unexpected end of JSON array");
            }
            int start = (int) parser.currentTokenLocation().getByteOffset();
            skipValue(parser, body);
            token = parser.nextToken();
            if (token == null) {
                throw new InvalidJsonException("Unexpected end of JSON array");
            }
            // The element ends where the next token (an element or the closing bracket) starts,
            // less the comma and whitespace between them.
            int next = (int) parser.currentTokenLocation().getByteOffset();
            records.add(record(body, start, next));
        }
        return records;
    }

    /**
     * Reads past the value at the parser's current token, checking every token on the way.
     *
     * @return the body length, as the bound of a top-level value
     */
    private static int skipValue(JsonParser parser, byte[] body)
            throws IOException, InvalidJsonException {
        int depth = 0;
        JsonToken token = parser.currentToken();
        while (true) {
            if (token == null) {
                throw new InvalidJsonException("Unexpected end of JSON value");
            }
            if (token == JsonToken.VALUE_STRING) {
                // Strings are decoded lazily; decoding here rejects invalid escapes and UTF-8.
                parser.getText();
            }
            if (token.isStructStart()) {
                depth++;
            } else if (token.isStructEnd()) {
                depth--;
            }
            if (depth == 0) {
                return body.length;
            }
            token = parser.nextToken();
        }
    }

    /** Copies {@code body[start, end)} without trailing whitespace and commas, plus a separator. */
    private static byte[] record(byte[] body, int start, int end) {
        int from = start;
        while (from < end && isWhitespace(body[from])) {
            from++;
        }
        int to = end;
        while (to > from && (isWhitespace(body[to - 1]) || body[to - 1] == SEPARATOR)) {
            to--;
        }
        byte[] record = Arrays.copyOfRange(body, from, to + 1);
        record[record.length - 1] = SEPARATOR;
        return record;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
