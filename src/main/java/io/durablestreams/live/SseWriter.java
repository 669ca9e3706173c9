package io.durablestreams.live;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Writes Server-Sent Events to a response body.
 *
 * <p>Events are buffered until {@link #flush()}, so that a {@code data} event and the
 * {@code control} event that completes it reach the client in one write: a client that stops
 * reading after a data event then already holds its offset. Helidon's {@code SseSink} flushes
 * after every event, which is why this writer exists. Payload lines are split at CR, LF and
 * CRLF, each becoming its own {@code data:} line, so no payload can inject an event.
 *
 * <p>Thread-safety: not thread-safe; one response, one thread.
 */
public final class SseWriter implements BlockingWrites {

    private static final byte[] DATA = "data:".getBytes(UTF_8);
    private static final byte[] KEEP_ALIVE = ":\n\n".getBytes(UTF_8);

    /** The response body, whose writes {@link WriteWatchdog} can time out. */
    private final TimedOutputStream out;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(256);

    /**
     * Creates a writer for the current thread.
     *
     * @param out the response body
     */
    public SseWriter(OutputStream out) {
        this.out = new TimedOutputStream(Objects.requireNonNull(out, "out"));
    }

    /**
     * Buffers one event.
     *
     * @param name the event name
     * @param payload the event data; its lines become {@code data:} lines
     */
    public void event(String name, byte[] payload) {
        pending.writeBytes(("event: " + name + "\n").getBytes(UTF_8));
        int lineStart = 0;
        for (int i = 0; i < payload.length; i++) {
            byte b = payload[i];
            if (b == '\r' || b == '\n') {
                dataLine(payload, lineStart, i);
                if (b == '\r' && i + 1 < payload.length && payload[i + 1] == '\n') {
                    i++;
                }
                lineStart = i + 1;
            }
        }
        // The last line, empty when the payload ends with a line break, so that it survives.
        dataLine(payload, lineStart, payload.length);
        pending.write('\n');
    }

    /**
     * Sends the buffered events to the client.
     *
     * @throws UncheckedIOException when the client has gone away
     */
    public void flush() {
        try {
            pending.writeTo(out);
            pending.reset();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean interruptIfBlockedSince(long startedBeforeNanos) {
        return out.interruptIfBlockedSince(startedBeforeNanos);
    }

    /**
     * Buffers a comment line, which clients ignore; sent while idle it reveals a client that
     * has gone away.
     */
    public void comment() {
        pending.writeBytes(KEEP_ALIVE);
    }

    private void dataLine(byte[] payload, int from, int to) {
        pending.writeBytes(DATA);
        if (to > from && payload[from] == ' ') {
            // Clients drop one space after "data:", so a line that starts with one needs another.
            pending.write(' ');
        }
        pending.write(payload, from, to - from);
        pending.write('\n');
    }
}
