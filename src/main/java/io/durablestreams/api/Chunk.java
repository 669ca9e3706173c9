package io.durablestreams.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import io.durablestreams.json.InvalidJsonException;
import io.durablestreams.json.JsonMessages;
import io.durablestreams.store.StreamConfig;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A range of stream data returned by one read, with the offset to continue from.
 *
 * <p>For a JSON stream, {@link #data()} is one JSON array holding the range's messages, as an
 * HTTP read returns it; {@link #jsonMessages()} splits it.
 *
 * @param offset where the read started, as requested: {@code -1}, {@code now} or a token
 * @param nextOffset the offset token just past the returned data: where the next read starts
 * @param data the bytes read; empty when nothing was stored past {@code offset}
 * @param contentType the stream's content type, or {@code application/octet-stream} when the
 *        response sent none, as an HTTP {@code 204} does
 * @param upToDate whether the read reached the tail, so that nothing more is stored for now
 * @param closed whether the stream is closed and this chunk reaches its end, so that no more
 *        data will ever arrive
 */
public record Chunk(String offset,
                    String nextOffset,
                    byte[] data,
                    String contentType,
                    boolean upToDate,
                    boolean closed) {

    /**
     * Checks the arguments.
     */
    public Chunk {
        Objects.requireNonNull(offset, "offset");
        Objects.requireNonNull(nextOffset, "nextOffset");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(contentType, "contentType");
    }

    /**
     * Tells whether the chunk comes from a JSON stream.
     *
     * @return true for {@code application/json}
     */
    public boolean isJson() {
        return "application/json".equals(StreamConfig.mediaTypeOf(contentType));
    }

    /**
     * Tells whether the chunk contains no stream data: no bytes, or a JSON array without messages.
     *
     * @return true when there is nothing to handle
     */
    public boolean isEmpty() {
        if (data.length == 0) {
            return true;
        }
        if (!isJson()) {
            return false;
        }
        int open = skipWhitespace(0);
        if (open == data.length || data[open] != '[') {
            return false;
        }
        int close = skipWhitespace(open + 1);
        return close < data.length && data[close] == ']'
                && skipWhitespace(close + 1) == data.length;
    }

    /**
     * Decodes the data as UTF-8 text.
     *
     * @return the text
     */
    public String text() {
        return new String(data, UTF_8);
    }

    /**
     * Splits the JSON array of a JSON stream's chunk into its messages.
     *
     * @return each message's JSON text as it was appended, in stream order
     * @throws IllegalStateException when the chunk is not from a JSON stream, or its data is not
     *         a JSON array
     */
    public List<String> jsonMessages() {
        if (!isJson()) {
            throw new IllegalStateException("The chunk's content type is " + contentType
                    + ", not application/json; use data() or text()");
        }
        if (isEmpty()) {
            return List.of();
        }
        int open = skipWhitespace(0);
        if (open == data.length || data[open] != '[') {
            throw new IllegalStateException("Chunk data is not a JSON array");
        }
        List<byte[]> records;
        try {
            records = JsonMessages.split(data, true);
        } catch (InvalidJsonException e) {
            throw new IllegalStateException("Chunk data is not a JSON array: " + e.getMessage(),
                    e);
        }
        List<String> messages = new ArrayList<>(records.size());
        for (byte[] record : records) {
            // Every record ends with the separator that JsonMessages appends.
            messages.add(new String(record, 0, record.length - 1, UTF_8));
        }
        return List.copyOf(messages);
    }

    /** Returns the index of the first byte at or after {@code from} that is not JSON whitespace. */
    private int skipWhitespace(int from) {
        int i = from;
        while (i < data.length
                && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r')) {
            i++;
        }
        return i;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Chunk that
                && offset.equals(that.offset)
                && nextOffset.equals(that.nextOffset)
                && Arrays.equals(data, that.data)
                && contentType.equals(that.contentType)
                && upToDate == that.upToDate
                && closed == that.closed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, nextOffset, Arrays.hashCode(data), contentType, upToDate,
                closed);
    }

    @Override
    public String toString() {
        return "Chunk[offset=" + offset + ", nextOffset=" + nextOffset + ", data=" + data.length
                + " bytes, contentType=" + contentType + ", upToDate=" + upToDate + ", closed="
                + closed + "]";
    }
}
