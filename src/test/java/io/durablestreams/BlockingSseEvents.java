package io.durablestreams;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Parses the Server-Sent Events of a response on a virtual thread, so that a test can wait for
 * each event with a timeout instead of blocking on the connection.
 *
 * <p>Follows the SSE parsing rules the protocol relies on: {@code event:} names the event, the
 * {@code data:} lines of one event are joined with line feeds after dropping one space after the
 * colon, lines starting with {@code :} are comments, and an empty line ends the event.
 */
public final class BlockingSseEvents implements AutoCloseable {

    /**
     * One event.
     *
     * @param type the event name, {@code message} when none was sent
     * @param data the data lines joined with line feeds
     */
    public record Event(String type, String data) {
    }

    /** Queued after the last event when the response body ends. */
    private static final Event END = new Event("", "");

    private final Stream<String> lines;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread parser;
    private volatile Throwable failure;
    private boolean ended;

    /**
     * Starts parsing a response.
     *
     * @param response an SSE response whose body yields lines
     */
    public BlockingSseEvents(HttpResponse<Stream<String>> response) {
        this.lines = response.body();
        this.parser = Thread.ofVirtual().name("sse-event-reader").start(this::parse);
    }

    /**
     * Waits for the next event.
     *
     * @param timeout how long to wait at most
     * @return the event, or empty when the response body ended
     * @throws AssertionError when no event arrives in time or reading the body failed
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public Optional<Event> next(Duration timeout) throws InterruptedException {
        if (ended) {
            return Optional.empty();
        }
        Event event = events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (event == null) {
            throw new AssertionError("No SSE event arrived within " + timeout);
        }
        if (event == END) {
            ended = true;
            if (failure != null) {
                throw new AssertionError("Reading the SSE response failed", failure);
            }
            return Optional.empty();
        }
        return Optional.of(event);
    }

    /** Closes the connection and stops parsing. */
    @Override
    public void close() {
        lines.close();
        parser.interrupt();
    }

    private void parse() {
        String type = null;
        StringBuilder data = null;
        try {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.isEmpty()) {
                    if (data != null || type != null) {
                        events.add(new Event(type == null ? "message" : type,
                                data == null ? "" : data.toString()));
                    }
                    type = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    continue;
                } else if (line.startsWith("event:")) {
                    type = field(line, "event:");
                } else if (line.startsWith("data:")) {
                    if (data == null) {
                        data = new StringBuilder();
                    } else {
                        data.append('\n');
                    }
                    data.append(field(line, "data:"));
                }
            }
        } catch (RuntimeException e) {
            // Closing the reader from the test ends the body with an exception too.
            failure = e;
        } finally {
            events.add(END);
        }
    }

    private static String field(String line, String name) {
        String value = line.substring(name.length());
        return value.startsWith(" ") ? value.substring(1) : value;
    }
}
