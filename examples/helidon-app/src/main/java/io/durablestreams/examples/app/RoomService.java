package io.durablestreams.examples.app;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import io.durablestreams.api.AppendOutcome;
import io.durablestreams.api.DurableStreams;
import io.durablestreams.api.Message;
import io.durablestreams.api.StreamInfo;
import io.durablestreams.api.StreamOptions;
import io.durablestreams.store.StreamClosedException;
import io.durablestreams.store.StreamException;
import io.durablestreams.store.StreamGoneException;
import io.durablestreams.store.StreamNotFoundException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The application's own chat-room routes, which write and read room streams through the Java
 * API, while browsers and other clients follow the same streams over the mounted protocol:
 *
 * <ul>
 * <li>{@code POST /api/v1/rooms/{room}/messages} with a text body appends one JSON message
 *     {@code {"text": ..., "at": ...}} to the stream {@code rooms/{room}}, creating it when
 *     needed, and returns the message's offset and the stream's URL.</li>
 * <li>{@code GET /api/v1/rooms/{room}} returns the room's message count, tail offset and
 *     closure.</li>
 * <li>{@code POST /api/v1/rooms/{room}/close} closes the room's stream.</li>
 * </ul>
 */
final class RoomService implements HttpService {

    private static final System.Logger LOGGER = System.getLogger(RoomService.class.getName());
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final int MAX_TEXT_BYTES = 4096;

    private final DurableStreams streams;
    private final String streamMount;

    /**
     * Creates the service.
     *
     * @param streams the streams the rooms live in
     * @param streamMount where the protocol is mounted, for the URLs it returns
     */
    RoomService(DurableStreams streams, String streamMount) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.streamMount = Objects.requireNonNull(streamMount, "streamMount");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/{room}/messages", this::postMessage)
                .get("/{room}", this::describeRoom)
                .post("/{room}/close", this::closeRoom);
    }

    private void postMessage(ServerRequest req, ServerResponse res) {
        String room = room(req, res);
        if (room == null) {
            return;
        }
        byte[] body = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        if (body.length == 0 || body.length > MAX_TEXT_BYTES) {
            sendError(res, Status.BAD_REQUEST_400, "Send the message as a text body of 1 to "
                    + MAX_TEXT_BYTES + " bytes");
            return;
        }
        String path = "rooms/" + room;
        try {
            // Idempotent: creates the room's stream on the first message, confirms it after.
            streams.create(path, StreamOptions.of("application/json"));
            AppendOutcome appended = streams.appendJson(path,
                    message(new String(body, UTF_8), Instant.now()));
            res.status(Status.CREATED_201);
            sendJson(res, json(generator -> {
                generator.writeStringField("room", room);
                generator.writeStringField("offset", appended.nextOffset());
                generator.writeStringField("stream", streamMount + "/" + path);
            }));
        } catch (StreamClosedException e) {
            sendError(res, Status.CONFLICT_409, "Room " + room + " is closed");
        } catch (StreamException e) {
            LOGGER.log(Level.WARNING, "Appending to room " + room + " failed: " + e.getMessage());
            sendError(res, Status.SERVICE_UNAVAILABLE_503, e.getMessage());
        }
    }

    private void describeRoom(ServerRequest req, ServerResponse res) {
        String room = room(req, res);
        if (room == null) {
            return;
        }
        String path = "rooms/" + room;
        try {
            StreamInfo info = streams.metadata(path);
            long count = 0;
            String offset = "-1";
            while (true) {
                List<Message> messages = streams.readMessages(path, offset);
                if (messages.isEmpty()) {
                    break;
                }
                count += messages.size();
                offset = messages.getLast().nextOffset();
            }
            long messages = count;
            sendJson(res, json(generator -> {
                generator.writeStringField("room", room);
                generator.writeNumberField("messages", messages);
                generator.writeStringField("tailOffset", info.tailOffset());
                generator.writeBooleanField("closed", info.closed());
                generator.writeStringField("stream", streamMount + "/" + path);
            }));
        } catch (StreamNotFoundException | StreamGoneException e) {
            sendError(res, Status.NOT_FOUND_404, "Room " + room + " has no messages yet");
        }
    }

    private void closeRoom(ServerRequest req, ServerResponse res) {
        String room = room(req, res);
        if (room == null) {
            return;
        }
        try {
            AppendOutcome closed = streams.close("rooms/" + room);
            sendJson(res, json(generator -> {
                generator.writeStringField("room", room);
                generator.writeStringField("finalOffset", closed.nextOffset());
            }));
        } catch (StreamNotFoundException | StreamGoneException e) {
            sendError(res, Status.NOT_FOUND_404, "Room " + room + " has no messages yet");
        }
    }

    /** Returns the validated room name, or sends 400 and returns null. */
    private static String room(ServerRequest req, ServerResponse res) {
        String room = req.path().pathParameters().get("room");
        if (!ROOM.matcher(room).matches()) {
            sendError(res, Status.BAD_REQUEST_400, "Invalid room name: use 1 to 64 letters,"
                    + " digits, '-' or '_'");
            return null;
        }
        return room;
    }

    private static String message(String text, Instant at) {
        return json(generator -> {
            generator.writeStringField("text", text);
            generator.writeStringField("at", at.toString());
        });
    }

    private static void sendError(ServerResponse res, Status status, String message) {
        res.status(status);
        sendJson(res, json(generator -> generator.writeStringField("error", message)));
    }

    private static void sendJson(ServerResponse res, String json) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(json);
    }

    /** Writes one JSON object whose fields the given code writes. */
    private static String json(Fields fields) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            generator.writeStartObject();
            fields.write(generator);
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator generator) throws IOException;
    }
}
