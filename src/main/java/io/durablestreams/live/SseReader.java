package io.durablestreams.live;

import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

import io.durablestreams.json.JsonMessages;
import io.durablestreams.store.DurableStream;
import io.durablestreams.store.LiveWait;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.ReadResult;
import io.durablestreams.store.StreamException;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Serves one SSE read: sends the stored data from a position, then follows the stream live until
 * it closes, is deleted, or the connection has been open for the reconnect interval.
 *
 * <p>Every {@code data} event is followed by a {@code control} event carrying the next offset, so
 * a client that reconnects with that offset neither loses nor repeats data. Binary streams (any
 * content type other than {@code text/*} and {@code application/json}) send base64 text.
 *
 * <p>Thread-safety: one instance serves one response on one thread. Events are written while no
 * stream lock is held.
 */
public final class SseReader {

    private static final System.Logger LOGGER = System.getLogger(SseReader.class.getName());

    /** How long an SSE response may stay silent before a comment checks the client is there. */
    static final Duration KEEP_ALIVE_INTERVAL = Duration.ofSeconds(15);

    private final DurableStream stream;
    private final SseWriter writer;
    private final Cursors cursors;
    private final Optional<String> echoedCursor;
    private final int maxReadBytes;
    private final boolean base64;

    /**
     * Creates a reader.
     *
     * @param stream the stream to read
     * @param writer event writer on the response body
     * @param cursors cursor source
     * @param echoedCursor the {@code cursor} query parameter, if sent
     * @param maxReadBytes largest amount of data per {@code data} event
     */
    public SseReader(DurableStream stream, SseWriter writer, Cursors cursors,
                     Optional<String> echoedCursor, int maxReadBytes) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.cursors = Objects.requireNonNull(cursors, "cursors");
        this.echoedCursor = Objects.requireNonNull(echoedCursor, "echoedCursor");
        this.maxReadBytes = maxReadBytes;
        this.base64 = usesBase64(stream.config().mediaType());
    }

    /**
     * Tells whether SSE data events of a stream carry base64 text.
     *
     * @param mediaType the stream's media type essence
     * @return true unless the type is {@code text/*} or {@code application/json}
     */
    public static boolean usesBase64(String mediaType) {
        return !mediaType.startsWith("text/") && !mediaType.equals("application/json");
    }

    /**
     * Sends events until the stream ends, the interval passes or the client goes away.
     *
     * @param from the position to start at
     * @param openFor how long to keep the connection open
     * @throws InterruptedException when the serving thread is interrupted
     */
    public void serve(long from, Duration openFor) throws InterruptedException {
        long deadline = System.nanoTime() + openFor.toNanos();
        long position = from;
        try {
            boolean first = true;
            while (true) {
                ReadResult read = wholeCharacters(stream.read(position, maxReadBytes));
                if (read.hasData()) {
                    sendData(read);
                    sendControl(read.next(), read.upToDate(), read.endOfStream());
                    writer.flush();
                    position = read.next();
                } else if (first || read.endOfStream()) {
                    // Tell a reader that starts at the tail that it is caught up, or that the
                    // stream has ended.
                    sendControl(position, true, read.endOfStream());
                    writer.flush();
                }
                if (read.endOfStream()) {
                    return;
                }
                first = false;
                if (read.upToDate() && !awaitMore(position, deadline)) {
                    return;
                }
            }
        } catch (StreamException e) {
            // Deleted, soft-deleted, or retention overtook the reader: the response has
            // started, so it ends here and the client's next request gets the status.
            LOGGER.log(Level.DEBUG, () -> "SSE read of stream " + stream.path() + " ended: "
                    + e.getMessage());
        } catch (UncheckedIOException e) {
            LOGGER.log(Level.DEBUG, () -> "SSE client of stream " + stream.path()
                    + " went away: " + e.getMessage());
        }
    }

    /** Waits for data; returns false when the connection should end instead. */
    private boolean awaitMore(long position, long deadline) throws InterruptedException {
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            long wait = Math.min(remaining, KEEP_ALIVE_INTERVAL.toNanos());
            LiveWait wake = stream.awaitData(position, Duration.ofNanos(wait));
            if (wake == LiveWait.SHUTDOWN) {
                // Tell the client where to resume, then end so it reconnects elsewhere.
                sendControl(position, true, false);
                writer.flush();
                return false;
            }
            if (wake != LiveWait.TIMED_OUT) {
                // DATA and CLOSED continue: the next read sends the data or the final control.
                return wake == LiveWait.DATA || wake == LiveWait.CLOSED;
            }
            if (wait < remaining) {
                writer.comment();
                writer.flush();
            }
        }
    }

    /**
     * Ends a text read on a whole UTF-8 character, so that each event is valid text; a chunk
     * limit can otherwise cut a character in two. Other content is returned unchanged.
     */
    private ReadResult wholeCharacters(ReadResult read) {
        if (base64 || stream.config().isJson() || read.next() >= read.tail()) {
            return read;
        }
        byte[] data = read.data();
        int cut = data.length;
        // Back up over continuation bytes (10xxxxxx) to the lead byte of the last character.
        int lead = cut - 1;
        while (lead > 0 && cut - lead < 4 && (data[lead] & 0xc0) == 0x80) {
            lead--;
        }
        int needed = sequenceLength(data[lead]);
        if (lead + needed <= cut || lead == 0) {
            return read;
        }
        byte[] trimmed = java.util.Arrays.copyOf(data, lead);
        return new ReadResult(read.from(), read.from() + lead, trimmed, read.tail(),
                read.closed());
    }

    private static int sequenceLength(byte lead) {
        int b = lead & 0xff;
        if (b >= 0xf0) {
            return 4;
        }
        if (b >= 0xe0) {
            return 3;
        }
        return b >= 0xc0 ? 2 : 1;
    }

    private void sendData(ReadResult read) {
        byte[] payload;
        if (stream.config().isJson()) {
            payload = JsonMessages.toArray(read.data());
        } else if (base64) {
            payload = Base64.getEncoder().encode(read.data());
        } else {
            payload = read.data();
        }
        writer.event("data", payload);
    }

    private void sendControl(long next, boolean upToDate, boolean closed) {
        StringBuilder json = new StringBuilder(96);
        json.append("{\"streamNextOffset\":\"").append(Offsets.format(next)).append('"');
        if (!closed) {
            json.append(",\"streamCursor\":\"").append(cursors.next(echoedCursor)).append('"');
        }
        if (upToDate) {
            json.append(",\"upToDate\":true");
        }
        if (closed) {
            json.append(",\"streamClosed\":true");
        }
        json.append('}');
        writer.event("control", json.toString().getBytes(UTF_8));
    }
}
