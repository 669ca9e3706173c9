package io.durablestreams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Parses a {@code text/event-stream} body the way a browser's {@code EventSource} does, so that
 * tests see events as a standard client would.
 *
 * <p>It follows the event stream rules of the WHATWG HTML standard. Lines end at CRLF, LF or CR.
 * A blank line dispatches the event. A field value loses one leading space. The values of
 * {@code data} lines are joined with LF, and lines that start with a colon are comments.
 *
 * <p>Thread-safety: not thread-safe.
 */
public final class SseEventReader {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final PushbackInputStream in;

    /**
     * Creates a reader.
     *
     * @param body the response body, already de-chunked
     */
    public SseEventReader(InputStream body) {
        this.in = new PushbackInputStream(body, 1);
    }

    /**
     * Reads the next event.
     *
     * @return the event, or empty when the server ended the response
     * @throws IOException when the read fails or times out
     */
    public Optional<SseEvent> next() throws IOException {
        String type = "message";
        StringBuilder data = new StringBuilder();
        boolean hasData = false;
        List<String> lines = new ArrayList<>();
        while (true) {
            Optional<String> read = readLine();
            if (read.isEmpty()) {
                return Optional.empty();
            }
            String line = read.get();
            if (line.isEmpty()) {
                if (hasData) {
                    data.setLength(data.length() - 1);
                    return Optional.of(new SseEvent(type, data.toString(), lines));
                }
                // A blank line after no data lines dispatches nothing, as in EventSource.
                type = "message";
                lines.clear();
                continue;
            }
            lines.add(line);
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
    }

    /** Reads one line ending at CRLF, LF or CR, or returns empty at the end of the stream. */
    private Optional<String> readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                // A partial line at the end of the stream is discarded, as EventSource does.
                return Optional.empty();
            }
            if (b == '\n') {
                return Optional.of(line.toString(UTF_8));
            }
            if (b == '\r') {
                int following = in.read();
                if (following >= 0 && following != '\n') {
                    in.unread(following);
                }
                return Optional.of(line.toString(UTF_8));
            }
            line.write(b);
        }
    }

    /**
     * One dispatched event.
     *
     * @param type the {@code event} field, {@code message} when absent
     * @param data the {@code data} lines joined with LF
     * @param lines the raw lines of the event, for checks on framing
     */
    public record SseEvent(String type, String data, List<String> lines) {

        /**
         * Parses the data of a {@code control} event, a flat JSON object.
         *
         * @return field names mapped to String, Boolean or Long values
         * @throws IOException when the data is not a flat JSON object
         */
        public Map<String, Object> controlFields() throws IOException {
            Map<String, Object> fields = new LinkedHashMap<>();
            try (JsonParser parser = JSON.createParser(data)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("Control event data is not a JSON object: " + data);
                }
                for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME;
                        token = parser.nextToken()) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    fields.put(name, switch (value) {
                        case VALUE_STRING -> parser.getText();
                        case VALUE_TRUE, VALUE_FALSE -> parser.getBooleanValue();
                        case VALUE_NUMBER_INT -> parser.getLongValue();
                        default -> throw new IOException("Unexpected value " + value + " for "
                                + name + " in control event " + data);
                    });
                }
            }
            return fields;
        }
    }
}
