package io.durablestreams.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Parses a {@code text/event-stream} body into events, following the parsing rules of the
 * Server-Sent Events standard (WHATWG HTML, "Interpreting an event stream"): lines end at CR,
 * LF or CRLF; a line starting with {@code :} is a comment; one space after the field's colon is
 * dropped; {@code data} lines are joined with LF; an empty line ends an event.
 *
 * <p>Thread-safety: not thread-safe; one reader per response.
 */
final class SseEventReader implements AutoCloseable {

    /**
     * One event.
     *
     * @param type the {@code event} field, or {@code message} when absent
     * @param data the {@code data} lines joined with LF
     */
    record Event(String type, String data) {
    }

    private final BufferedReader reader;
    /** Whether the next line is the body's first, which may start with a byte order mark. */
    private boolean firstLine = true;

    SseEventReader(InputStream body) {
        this.reader = new BufferedReader(new InputStreamReader(body, UTF_8));
    }

    /**
     * Reads the next event, blocking until it is complete.
     *
     * @return the event, or null when the body ended; a partial event at the end is dropped, as
     *         the standard requires
     * @throws IOException when reading fails
     */
    Event next() throws IOException {
        StringBuilder data = new StringBuilder();
        boolean hasData = false;
        String type = "";
        String line;
        while ((line = reader.readLine()) != null) {
            if (firstLine) {
                firstLine = false;
                if (line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
            }
            if (line.isEmpty()) {
                if (hasData) {
                    data.setLength(data.length() - 1);
                    return new Event(type.isEmpty() ? "message" : type, data.toString());
                }
                type = "";
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("event")) {
                type = value;
            } else if (field.equals("data")) {
                data.append(value).append('\n');
                hasData = true;
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
