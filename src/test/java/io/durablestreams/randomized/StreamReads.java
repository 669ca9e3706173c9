package io.durablestreams.randomized;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.durablestreams.LoopbackServer;
import io.durablestreams.LoopbackServer.Reply;
import io.durablestreams.BlockingSseEvents;
import io.durablestreams.BlockingSseEvents.Event;
import io.durablestreams.randomized.StreamModel.Kind;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Reads streams in the three read modes and turns what comes back into message ids, reporting
 * every protocol violation it finds to a sink instead of stopping at the first.
 *
 * <p>Text and binary streams carry appends like {@code <c3n17é>}, so their bytes are parsed
 * only once a read is complete: a chunk limit may cut an append, or a UTF-8 character, in two.
 * JSON streams carry objects like {@code {"c":3,"n":17,"i":0}}, and every response holds whole
 * messages.
 */
final class StreamReads {

    /** Bound on pages of one catch-up read; the workload stores far less than this many. */
    private static final int MAX_PAGES = 5_000;
    /** Bound on events of one SSE read. */
    private static final int MAX_EVENTS = 5_000;
    /** Bound on the wait for one SSE event; the server sends one at least every 2 s. */
    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(20);

    private static final Pattern TOKEN = Pattern.compile("<c(\\d+)n(\\d+)(?:\u00e9)?>");
    private static final Pattern NEXT_OFFSET = Pattern.compile("\"streamNextOffset\":\"([^\"]+)\"");
    private static final JsonFactory JSON = new JsonFactory();

    private final LoopbackServer server;
    private final Consumer<String> violations;

    StreamReads(LoopbackServer server, Consumer<String> violations) {
        this.server = server;
        this.violations = violations;
    }

    /**
     * The result of a read.
     *
     * @param status the status of the first response that was not 200, or 200
     * @param messageIds the messages read, in order
     * @param tail the last {@code Stream-Next-Offset} or {@code streamNextOffset}
     * @param upToDate whether the read reached the tail
     * @param closed whether the server reported the stream closed at the tail
     */
    record Outcome(int status, List<String> messageIds, String tail, boolean upToDate,
                   boolean closed) {
    }

    /** Collects the data of one read, page by page. */
    private final class Accumulator {
        private final Kind kind;
        private final String label;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final List<String> jsonIds = new ArrayList<>();

        Accumulator(Kind kind, String label) {
            this.kind = kind;
            this.label = label;
        }

        /** Adds a catch-up or long-poll body and returns whether it carried data. */
        boolean addBody(byte[] body) {
            if (kind == Kind.JSON) {
                List<String> ids = parseJson(body, label);
                jsonIds.addAll(ids);
                return !ids.isEmpty();
            }
            bytes.writeBytes(body);
            return body.length > 0;
        }

        /** Adds the payload of an SSE data event and returns whether it carried data. */
        boolean addEvent(String data) {
            if (kind == Kind.JSON) {
                return addBody(data.getBytes(UTF_8));
            }
            byte[] decoded;
            if (kind == Kind.BINARY) {
                try {
                    decoded = Base64.getDecoder().decode(data.replace("\n", "")
                            .replace("\r", ""));
                } catch (IllegalArgumentException e) {
                    violations.accept(label + ": SSE data event is not valid base64: " + data);
                    return false;
                }
            } else {
                decoded = data.getBytes(UTF_8);
            }
            bytes.writeBytes(decoded);
            return decoded.length > 0;
        }

        List<String> messageIds() {
            return kind == Kind.JSON ? List.copyOf(jsonIds) : parseTokens(bytes.toByteArray(),
                    label);
        }
    }

    /**
     * Reads a stream from the start with catch-up reads, following {@code Stream-Next-Offset}
     * until {@code Stream-Up-To-Date}.
     *
     * @param model the stream
     * @param label a label for violations
     * @return the outcome
     */
    Outcome catchUp(StreamModel model, String label) {
        return catchUp(model, "-1", new Accumulator(model.kind, label), label);
    }

    /**
     * Reads a stream from an offset with catch-up reads.
     *
     * @param model the stream
     * @param offset where to start
     * @param label a label for violations
     * @return the outcome, whose messages start at the offset
     */
    Outcome catchUpFrom(StreamModel model, String offset, String label) {
        return catchUp(model, offset, new Accumulator(model.kind, label), label);
    }

    /**
     * Reads a stream to its tail, waits there with one long-poll, and reads on to the tail
     * again when the long-poll returned data.
     *
     * @param model the stream
     * @param label a label for violations
     * @return the outcome of the whole read
     */
    Outcome catchUpThenLongPoll(StreamModel model, String label) {
        Accumulator data = new Accumulator(model.kind, label);
        Outcome first = catchUp(model, "-1", data, label);
        if (first.status() != 200 || first.closed()) {
            return first;
        }
        Reply poll = server.get(model.path, "offset=" + first.tail() + "&live=long-poll");
        checkNoServerError(poll, label + " long-poll");
        String next = poll.header("Stream-Next-Offset");
        if (poll.status() == 204) {
            if (!first.tail().equals(next)) {
                violations.accept(label + ": long-poll 204 must carry the requested offset "
                        + first.tail() + " as Stream-Next-Offset; got " + next);
            }
            if (!"true".equals(poll.header("Stream-Up-To-Date"))) {
                violations.accept(label + ": long-poll 204 must carry Stream-Up-To-Date: true");
            }
            return new Outcome(200, data.messageIds(), first.tail(), true,
                    "true".equals(poll.header("Stream-Closed")));
        }
        if (poll.status() != 200) {
            return new Outcome(poll.status(), List.of(), first.tail(), false, false);
        }
        if (next == null || next.compareTo(first.tail()) <= 0) {
            violations.accept(label + ": long-poll 200 must move Stream-Next-Offset past "
                    + first.tail() + "; got " + next);
            return new Outcome(200, data.messageIds(), first.tail(), false, false);
        }
        data.addBody(poll.body());
        return catchUp(model, next, data, label);
    }

    /**
     * Reads a stream from the start over SSE until a control event reports it up to date.
     *
     * @param model the stream
     * @param label a label for violations
     * @return the outcome; not up to date when the server ended the response first
     */
    Outcome sse(StreamModel model, String label) throws InterruptedException {
        HttpResponse<Stream<String>> response = server.openSse(model.path, "-1");
        if (response.statusCode() != 200) {
            response.body().close();
            if (response.statusCode() >= 500) {
                violations.accept(label + ": SSE read got server error " + response.statusCode());
            }
            return new Outcome(response.statusCode(), List.of(), null, false, false);
        }
        Accumulator data = new Accumulator(model.kind, label);
        String tail = null;
        boolean dataSinceControl = false;
        try (BlockingSseEvents events = new BlockingSseEvents(response)) {
            for (int i = 0; i < MAX_EVENTS; i++) {
                Optional<Event> next = events.next(EVENT_TIMEOUT);
                if (next.isEmpty()) {
                    return new Outcome(200, data.messageIds(), tail, false, false);
                }
                Event event = next.get();
                if (event.type().equals("data")) {
                    dataSinceControl |= data.addEvent(event.data());
                } else if (event.type().equals("control")) {
                    String offset = controlOffset(event.data(), label);
                    if (tail != null && offset != null) {
                        int order = offset.compareTo(tail);
                        if (dataSinceControl ? order <= 0 : order < 0) {
                            violations.accept(label + ": SSE streamNextOffset went from " + tail
                                    + " to " + offset);
                        }
                    }
                    tail = offset;
                    dataSinceControl = false;
                    boolean closed = event.data().contains("\"streamClosed\":true");
                    if (closed || event.data().contains("\"upToDate\":true")) {
                        return new Outcome(200, data.messageIds(), tail, true, closed);
                    }
                }
            }
        }
        violations.accept(label + ": SSE read did not become up to date within " + MAX_EVENTS
                + " events");
        return new Outcome(200, data.messageIds(), tail, false, false);
    }

    /** Reports a 5xx, which the server must never send in this workload. */
    void checkNoServerError(Reply reply, String label) {
        if (reply.status() >= 500) {
            violations.accept(label + ": server error " + reply.status() + ": " + reply.text());
        }
    }

    private Outcome catchUp(StreamModel model, String start, Accumulator data, String label) {
        String offset = start;
        String previous = start.equals("-1") ? null : start;
        for (int page = 0; page < MAX_PAGES; page++) {
            Reply reply = server.get(model.path, "offset=" + offset);
            checkNoServerError(reply, label + " catch-up");
            if (reply.status() != 200) {
                return new Outcome(reply.status(), List.of(), previous, false, false);
            }
            String next = reply.header("Stream-Next-Offset");
            if (next == null) {
                violations.accept(label + ": catch-up 200 without Stream-Next-Offset");
                return new Outcome(200, data.messageIds(), previous, false, false);
            }
            boolean hadData = data.addBody(reply.body());
            if (previous != null) {
                int order = next.compareTo(previous);
                if (hadData ? order <= 0 : order != 0) {
                    violations.accept(label + ": Stream-Next-Offset went from " + previous
                            + " to " + next + (hadData ? " after data" : " without data"));
                }
            }
            if ("true".equals(reply.header("Stream-Up-To-Date"))) {
                return new Outcome(200, data.messageIds(), next, true,
                        "true".equals(reply.header("Stream-Closed")));
            }
            if (!hadData) {
                violations.accept(label + ": catch-up read at " + offset + " returned no data"
                        + " but is not up to date");
                return new Outcome(200, data.messageIds(), next, false, false);
            }
            previous = next;
            offset = next;
        }
        violations.accept(label + ": catch-up read did not reach the tail in " + MAX_PAGES
                + " pages");
        return new Outcome(200, data.messageIds(), previous, false, false);
    }

    private String controlOffset(String json, String label) {
        Matcher matcher = NEXT_OFFSET.matcher(json);
        if (!matcher.find()) {
            violations.accept(label + ": SSE control event without streamNextOffset: " + json);
            return null;
        }
        return matcher.group(1);
    }

    private List<String> parseTokens(byte[] bytes, String label) {
        String text = new String(bytes, UTF_8);
        List<String> ids = new ArrayList<>();
        Matcher matcher = TOKEN.matcher(text);
        int position = 0;
        while (position < text.length()) {
            if (!matcher.find(position) || matcher.start() != position) {
                violations.accept(label + ": content is not a sequence of whole appends at"
                        + " character " + position + ": "
                        + text.substring(position, Math.min(text.length(), position + 40)));
                break;
            }
            ids.add("c" + matcher.group(1) + "n" + matcher.group(2));
            position = matcher.end();
        }
        return ids;
    }

    private List<String> parseJson(byte[] body, String label) {
        List<String> ids = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                violations.accept(label + ": JSON read must return an array; got "
                        + new String(body, UTF_8));
                return ids;
            }
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                long client = -1;
                long number = -1;
                long index = -1;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    parser.nextToken();
                    switch (field) {
                        case "c" -> client = parser.getLongValue();
                        case "n" -> number = parser.getLongValue();
                        case "i" -> index = parser.getLongValue();
                        default -> violations.accept(label + ": unexpected JSON field " + field);
                    }
                }
                ids.add("c" + client + "n" + number + "i" + index);
            }
            if (parser.currentToken() != JsonToken.END_ARRAY || parser.nextToken() != null) {
                violations.accept(label + ": JSON array has unexpected content: "
                        + new String(body, UTF_8));
            }
        } catch (IOException e) {
            violations.accept(label + ": JSON read is not valid JSON (" + e.getMessage() + "): "
                    + new String(body, UTF_8));
        }
        return ids;
    }
}
