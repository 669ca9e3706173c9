package io.durablestreams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import io.durablestreams.RawHttpConnection.Response;
import io.durablestreams.SseEventReader.SseEvent;
import io.durablestreams.live.Cursors;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.StreamStore;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.durablestreams.TestStreams.newPath;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * SSE reads over real connections: event framing, base64 for binary streams, closure, and the
 * reconnect interval after which the server ends the response.
 *
 * <p>Responses are read from a plain socket and parsed with the rules of a browser's
 * {@code EventSource}. Each socket read times out after {@link RawHttpConnection#READ_TIMEOUT}.
 */
@ServerTest
class SseTest {

    private static final String TEXT = "text/plain";
    private static final Duration RECONNECT_INTERVAL = Duration.ofMillis(1500);
    private static final int MAX_READ_BYTES = 100;
    private static final StreamStore STORE = new StreamStore(Clock.systemUTC(),
            Duration.ofMinutes(1));
    private static final Cursors CURSORS = new Cursors(Clock.systemUTC());

    private final WebServer server;
    private final Http1Client client;

    SseTest(WebServer server, Http1Client client) {
        this.server = server;
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Main.routing(routing, STORE, TestSettings.with(Duration.ofMillis(500), RECONNECT_INTERVAL,
                1024 * 1024, MAX_READ_BYTES));
    }

    @AfterAll
    static void closeStore() {
        STORE.close();
    }

    @Test
    void storedDataIsFollowedByControlEvent() throws IOException {
        String path = newPath("sse-data");
        String tail = TestStreams.create(client, path, TEXT, "hello");
        long before = CURSORS.currentInterval();

        try (SseSession sse = openSse(path, "-1")) {
            assertThat("SSE status", sse.response().status(), is(200));
            assertThat("SSE content type", sse.response().header("Content-Type").orElse(""),
                    startsWith("text/event-stream"));
            assertThat("a text stream is sent as text",
                    sse.response().header("stream-sse-data-encoding"), is(Optional.empty()));
            assertThat("SSE responses forbid MIME sniffing too",
                    sse.response().header("X-Content-Type-Options").orElse(""), is("nosniff"));

            SseEvent data = sse.next();
            assertThat("first event", data.type(), is("data"));
            assertThat("the stored text", data.data(), is("hello"));

            Map<String, Object> control = sse.nextControl();
            assertThat("offset after the data", control.get("streamNextOffset"), is(tail));
            assertThat("the reader is caught up", control.get("upToDate"), is(true));
            assertThat("an open stream's control carries the current cursor interval",
                    Long.parseLong((String) control.get("streamCursor")),
                    allOf(greaterThanOrEqualTo(before), lessThan(CURSORS.currentInterval() + 1)));
            assertThat("an open stream is not closed", control, not(hasKey("streamClosed")));
        }
    }

    @Test
    void dataAppendedWhileConnectedIsDelivered() throws IOException {
        String path = newPath("sse-live");
        String tail = TestStreams.create(client, path, TEXT, "old");

        try (SseSession sse = openSse(path, tail)) {
            Map<String, Object> first = sse.nextControl();
            assertThat("a reader at the tail first learns it is caught up", first.get("upToDate"),
                    is(true));
            assertThat("at the tail", first.get("streamNextOffset"), is(tail));

            String newTail = TestStreams.append(client, path, TEXT, "new");
            SseEvent data = sse.next();
            assertThat("the appended data arrives", data.data(), is("new"));
            assertThat("followed by its offset", sse.nextControl().get("streamNextOffset"),
                    is(newTail));
        }
    }

    @Test
    void offsetNowSkipsStoredData() throws IOException {
        String path = newPath("sse-now");
        String tail = TestStreams.create(client, path, TEXT, "old");

        try (SseSession sse = openSse(path, "now")) {
            Map<String, Object> first = sse.nextControl();
            assertThat("the first control names the tail", first.get("streamNextOffset"),
                    is(tail));
            assertThat("and says the reader is caught up", first.get("upToDate"), is(true));

            TestStreams.append(client, path, TEXT, "new");
            assertThat("only data appended after connecting arrives", sse.next().data(),
                    is("new"));
        }
    }

    @Test
    void binaryStreamIsSentAsBase64() throws IOException {
        String path = newPath("sse-binary");
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        createBinary(path, "application/octet-stream", new byte[] {'\r', '\n', 0});

        try (SseSession sse = openSse(path, "-1")) {
            assertThat("binary streams announce base64",
                    sse.response().header("stream-sse-data-encoding").orElse(""), is("base64"));
            assertArrayEquals(new byte[] {'\r', '\n', 0}, decodeBase64(sse.next()),
                    "stored bytes, base64-decoded");
            sse.nextControl();

            appendBinary(path, "application/octet-stream", bytes);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            boolean upToDate = false;
            while (!upToDate) {
                received.writeBytes(decodeBase64(sse.next()));
                upToDate = sse.nextControl().containsKey("upToDate");
            }
            assertArrayEquals(bytes, received.toByteArray(),
                    "appended bytes 0 to 255, in chunks of at most " + MAX_READ_BYTES);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/x-protobuf", "application/ndjson", "image/png"})
    void nonTextTypesAreSentAsBase64(String contentType) throws IOException {
        String path = newPath("sse-types");
        createBinary(path, contentType, "{}".getBytes(UTF_8));

        try (SseSession sse = openSse(path, "-1")) {
            assertThat(contentType + " is neither text/* nor application/json",
                    sse.response().header("stream-sse-data-encoding").orElse(""), is("base64"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "text/csv", "application/json"})
    void textAndJsonTypesAreSentAsText(String contentType) throws IOException {
        String path = newPath("sse-text-types");
        createBinary(path, contentType, "[1]".getBytes(UTF_8));

        try (SseSession sse = openSse(path, "-1")) {
            assertThat(contentType + " is sent as UTF-8 text",
                    sse.response().header("stream-sse-data-encoding"), is(Optional.empty()));
            assertThat("the data is the text itself", sse.next().data(), is("[1]"));
        }
    }

    @Test
    void jsonDataEventIsOneArray() throws IOException {
        String path = newPath("sse-json");
        TestStreams.create(client, path, "application/json", "[1,{\"a\":\"b\"}]");
        TestStreams.append(client, path, "application/json", "\"c\"");

        try (SseSession sse = openSse(path, "-1")) {
            assertThat("stored messages as one JSON array", sse.next().data(),
                    is("[1,{\"a\":\"b\"},\"c\"]"));
        }
    }

    @Test
    void payloadLineBreaksCannotInjectEvents() throws IOException {
        String path = newPath("sse-injection");
        String payload = "a\rb\nc\r\nd\n\nevent: control\ndata: {\"streamClosed\":true}\n";
        String tail = TestStreams.create(client, path, TEXT, payload);

        try (SseSession sse = openSse(path, "-1")) {
            SseEvent data = sse.next();
            assertThat("the whole payload is one data event", data.type(), is("data"));
            String expected = "a\nb\nc\nd\n\nevent: control\ndata: {\"streamClosed\":true}\n";
            assertThat("CR, LF and CRLF each become a line break, and nothing else changes",
                    data.data(), is(expected));
            Map<String, Object> control = sse.nextControl();
            assertThat("the next event is the server's control", control.get("streamNextOffset"),
                    is(tail));
            assertThat("the injected closure was not taken as a control field", control,
                    not(hasKey("streamClosed")));
        }
    }

    @Test
    void leadingSpacesOfTextLinesSurvive() throws IOException {
        String path = newPath("sse-leading-space");
        TestStreams.create(client, path, TEXT, " indented\n  twice");

        try (SseSession sse = openSse(path, "-1")) {
            assertThat("an SSE client strips one space after 'data:', so the server must keep"
                    + " the text's own leading spaces", sse.next().data(),
                    is(" indented\n  twice"));
        }
    }

    @Test
    void largeBacklogIsSentInChunksWithControls() throws IOException {
        String path = newPath("sse-chunks");
        String text = "x".repeat(2 * MAX_READ_BYTES + 50);
        String tail = TestStreams.create(client, path, TEXT, text);

        try (SseSession sse = openSse(path, "-1")) {
            StringBuilder received = new StringBuilder();
            for (int chunk = 1; chunk <= 3; chunk++) {
                received.append(sse.next().data());
                Map<String, Object> control = sse.nextControl();
                assertThat("control after chunk " + chunk + " is up to date only at the tail",
                        control.containsKey("upToDate"), is(chunk == 3));
                assertThat("control after chunk " + chunk + " names the offset after it",
                        control.get("streamNextOffset"),
                        is(Offsets.format(Math.min(chunk * MAX_READ_BYTES, text.length()))));
            }
            assertThat("all data arrived in order", received.toString(), is(text));
            assertThat("the last offset is the tail", tail, is(Offsets.format(text.length())));
        }
    }

    @Test
    void echoedCursorAdvances() throws IOException {
        String path = newPath("sse-cursor");
        TestStreams.create(client, path, TEXT, "abc");
        long current = CURSORS.currentInterval();

        try (SseSession sse = openSse(path, "-1", "&cursor=" + current)) {
            sse.next();
            assertThat("a cursor echoed in the current interval must advance",
                    Long.parseLong((String) sse.nextControl().get("streamCursor")),
                    greaterThan(current));
        }
    }

    @Test
    void closedStreamEndsWithStreamClosed() throws IOException {
        String path = newPath("sse-closed");
        String tail = TestStreams.create(client, path, TEXT, "abc");
        TestStreams.close(client, path);

        try (SseSession sse = openSse(path, "-1")) {
            assertThat("the stored data", sse.next().data(), is("abc"));
            Map<String, Object> control = sse.nextControl();
            assertThat("the final control signals EOF", control.get("streamClosed"), is(true));
            assertThat("at the final offset", control.get("streamNextOffset"), is(tail));
            assertThat("no cursor, because the client must not reconnect", control,
                    not(hasKey("streamCursor")));
            assertThat("the server ends the response after EOF", sse.events().next(),
                    is(Optional.empty()));
        }
    }

    @Test
    void offsetNowOnClosedStreamSendsOnlyEof() throws IOException {
        String path = newPath("sse-closed-now");
        String tail = TestStreams.create(client, path, TEXT, "abc");
        TestStreams.close(client, path);

        try (SseSession sse = openSse(path, "now")) {
            Map<String, Object> control = sse.nextControl();
            assertThat("the only control signals EOF", control.get("streamClosed"), is(true));
            assertThat("and that the reader is caught up", control.get("upToDate"), is(true));
            assertThat("at the final offset", control.get("streamNextOffset"), is(tail));
            assertThat("the server ends the response", sse.events().next(),
                    is(Optional.empty()));
        }
    }

    @Test
    void closeWhileConnectedEndsTheResponse() throws IOException {
        String path = newPath("sse-close-live");
        String tail = TestStreams.create(client, path, TEXT, "abc");

        try (SseSession sse = openSse(path, tail)) {
            sse.nextControl();
            TestStreams.close(client, path);

            Map<String, Object> control = sse.nextControl();
            assertThat("the close is delivered as EOF", control.get("streamClosed"), is(true));
            assertThat("the server ends the response", sse.events().next(),
                    is(Optional.empty()));
        }
    }

    @Test
    void deleteWhileConnectedEndsTheResponse() throws IOException {
        String path = newPath("sse-delete-live");
        String tail = TestStreams.create(client, path, TEXT, "abc");

        try (SseSession sse = openSse(path, tail)) {
            sse.nextControl();
            try (HttpClientResponse response = client.delete(path).request()) {
                assertThat("delete", response.status(), is(Status.NO_CONTENT_204));
            }
            assertThat("the response ends without further events", sse.events().next(),
                    is(Optional.empty()));
        }
    }

    @Test
    void connectionClosesAfterReconnectInterval() throws IOException {
        String path = newPath("sse-reconnect");
        String tail = TestStreams.create(client, path, TEXT, "abc");

        long started = System.nanoTime();
        try (SseSession sse = openSse(path, tail)) {
            sse.nextControl();
            Optional<SseEvent> after = sse.events().next();
            long elapsedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

            assertThat("the server ends an idle response without more events", after,
                    is(Optional.empty()));
            assertThat("not before the reconnect interval", elapsedMillis,
                    greaterThanOrEqualTo(RECONNECT_INTERVAL.toMillis() - 100));
            assertThat("soon after the reconnect interval", elapsedMillis,
                    lessThan(RECONNECT_INTERVAL.toMillis() + 2_000));
        }
    }

    @Test
    void sseOnMissingStreamReturns404() throws IOException {
        try (SseSession sse = openSse(newPath("sse-missing"), "-1")) {
            assertThat("SSE of a stream that does not exist", sse.response().status(), is(404));
        }
    }

    private SseSession openSse(String path, String offset) throws IOException {
        return openSse(path, offset, "");
    }

    private SseSession openSse(String path, String offset, String extraQuery) throws IOException {
        RawHttpConnection connection = RawHttpConnection.open(server.port());
        try {
            connection.send(RawHttpConnection.head("GET", path + "?offset="
                    + URLEncoder.encode(offset, UTF_8) + "&live=sse" + extraQuery));
            Response response = connection.readResponse();
            return new SseSession(connection, response, new SseEventReader(response.body()));
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private void createBinary(String path, String contentType, byte[] body) {
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, contentType)
                .submit(body)) {
            assertThat("create " + contentType + " stream", response.status(),
                    is(Status.CREATED_201));
        }
    }

    private void appendBinary(String path, String contentType, byte[] body) {
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, contentType)
                .submit(body)) {
            assertThat("append to " + contentType + " stream", response.status(),
                    is(Status.NO_CONTENT_204));
        }
    }

    private static byte[] decodeBase64(SseEvent event) {
        assertThat("a data event", event.type(), is("data"));
        String text = event.data().replace("\n", "").replace("\r", "");
        assertThat("base64 text length is a multiple of 4", text.length() % 4, is(0));
        return Base64.getDecoder().decode(text);
    }

    /**
     * An open SSE response.
     *
     * @param connection the connection, closed with the session
     * @param response status and headers
     * @param events the parsed body
     */
    private record SseSession(RawHttpConnection connection, Response response,
                              SseEventReader events) implements AutoCloseable {

        SseEvent next() throws IOException {
            return events.next().orElseThrow(() -> new AssertionError(
                    "The server ended the SSE response where an event was expected"));
        }

        Map<String, Object> nextControl() throws IOException {
            SseEvent event = next();
            assertThat("expected a control event, got " + event, event.type(), is("control"));
            return event.controlFields();
        }

        @Override
        public void close() throws IOException {
            connection.close();
        }
    }
}
