package io.durablestreams.demo.llm.provider;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Reads Server-Sent Events from a response body, following the event stream parsing rules of
 * the WHATWG HTML standard: lines end with CR, LF or CRLF, comment lines start with a colon,
 * one space after a field's colon is dropped, {@code data} lines of one event are joined with
 * LF, and a blank line dispatches the event. An event without data is not dispatched, and an
 * unfinished event at the end of the body is dropped.
 *
 * <p>Thread-safety: not thread-safe; one body, one thread.
 */
public final class ServerSentEventReader {

    private final BufferedReader lines;
    private boolean atStart = true;

    /**
     * An event as dispatched.
     *
     * @param type the {@code event} field, or {@code message} when the event had none
     * @param data the {@code data} lines joined with LF
     */
    public record Event(String type, String data) {
    }

    /**
     * Creates a reader.
     *
     * @param body the response body, UTF-8
     */
    public ServerSentEventReader(InputStream body) {
        this.lines = new BufferedReader(new InputStreamReader(body, UTF_8));
    }

    /**
     * Reads the next event, blocking until a blank line ends it.
     *
     * @return the event, or empty at the end of the body
     * @throws IOException when reading fails
     */
    public Optional<Event> next() throws IOException {
        String type = null;
        StringBuilder data = null;
        String line;
        while ((line = lines.readLine()) != null) {
            if (atStart && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            atStart = false;
            if (line.isEmpty()) {
                if (data != null) {
                    return Optional.of(new Event(type == null ? "message" : type,
                            data.toString()));
                }
                type = null;
                continue;
            }
            if (line.charAt(0) == ':') {
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
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            // Other fields (id, retry) do not matter to a one-shot response.
        }
        return Optional.empty();
    }
}
