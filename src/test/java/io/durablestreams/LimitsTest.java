package io.durablestreams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.durablestreams.RawHttpConnection.Response;
import io.durablestreams.http.ProtocolHeaders;
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

import static io.durablestreams.TestStreams.bodyText;
import static io.durablestreams.TestStreams.header;
import static io.durablestreams.TestStreams.newPath;
import static io.durablestreams.TestStreams.read;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * Request body and response chunk limits, on a server that accepts bodies of at most
 * {@value #MAX_APPEND_BYTES} bytes and returns reads of at most {@value #MAX_READ_BYTES} bytes.
 */
@ServerTest
class LimitsTest {

    private static final String TEXT = "text/plain";
    private static final int MAX_APPEND_BYTES = 1024;
    private static final int MAX_READ_BYTES = 100;
    private static final StreamStore STORE = new StreamStore(Clock.systemUTC(),
            Duration.ofMinutes(1));

    private final WebServer server;
    private final Http1Client client;

    LimitsTest(WebServer server, Http1Client client) {
        this.server = server;
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Main.routing(routing, STORE, TestSettings.with(Duration.ofMillis(500),
                Duration.ofSeconds(5), MAX_APPEND_BYTES, MAX_READ_BYTES));
    }

    @AfterAll
    static void closeStore() {
        STORE.close();
    }

    @Test
    void appendAtLimitIsAccepted() {
        String path = newPath("limit-exact");
        TestStreams.create(client, path, TEXT, "");

        String tail = TestStreams.append(client, path, TEXT, "x".repeat(MAX_APPEND_BYTES));
        assertThat("a body of exactly the limit is stored", tail,
                is(Offsets.format(MAX_APPEND_BYTES)));
    }

    @Test
    void appendOverLimitReturns413() {
        String path = newPath("limit-over");
        String tail = TestStreams.create(client, path, TEXT, "");

        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, TEXT)
                .submit("x".repeat(MAX_APPEND_BYTES + 1))) {
            assertThat("a body one byte over the limit", response.status(),
                    is(Status.REQUEST_ENTITY_TOO_LARGE_413));
        }
        assertThat("the rejected body was not stored", tailOf(path), is(tail));
    }

    @Test
    void chunkedAppendOverLimitReturns413() throws IOException {
        String path = newPath("limit-chunked");
        String tail = TestStreams.create(client, path, TEXT, "");

        Response response = RawHttpConnection.exchange(server.port(),
                RawHttpConnection.head("POST", path, "Content-Type: text/plain",
                        "Transfer-Encoding: chunked"),
                chunked("a".repeat(600), "b".repeat(600)));
        assertThat("a chunked body over the limit, with no Content-Length to check first",
                response.status(), is(413));
        assertThat("the rejected body was not stored", tailOf(path), is(tail));
    }

    @Test
    void chunkedAppendIsAccepted() throws IOException {
        String path = newPath("chunked");
        TestStreams.create(client, path, TEXT, "");

        Response response = RawHttpConnection.exchange(server.port(),
                RawHttpConnection.head("POST", path, "Content-Type: text/plain",
                        "Transfer-Encoding: chunked"),
                chunked("hel", "lo ", "world"));
        assertThat("a chunked append", response.status(), is(204));
        assertThat("the tail after 11 bytes",
                response.header(ProtocolHeaders.STREAM_NEXT_OFFSET.defaultCase()).orElse(""),
                is(Offsets.format(11)));
        try (HttpClientResponse read = read(client, path, "-1").request()) {
            assertThat("the chunks are stored as one body", bodyText(read), is("hello world"));
        }
    }

    @Test
    void createOverLimitReturns413WithoutStream() {
        String path = newPath("limit-create");
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, TEXT)
                .submit("x".repeat(MAX_APPEND_BYTES + 1))) {
            assertThat("initial content over the limit", response.status(),
                    is(Status.REQUEST_ENTITY_TOO_LARGE_413));
        }
        try (HttpClientResponse response = client.head(path).request()) {
            assertThat("the rejected create left no stream", response.status(),
                    is(Status.NOT_FOUND_404));
        }
    }

    @Test
    void readIsSplitAtMaxReadBytes() {
        String path = newPath("read-chunks");
        String text = "0123456789".repeat(25);
        String tail = TestStreams.create(client, path, TEXT, text);

        StringBuilder received = new StringBuilder();
        String offset = "-1";
        for (int chunk = 1; chunk <= 3; chunk++) {
            try (HttpClientResponse response = read(client, path, offset).request()) {
                String body = bodyText(response);
                assertThat("chunk " + chunk + " stays within the limit", body.length(),
                        lessThanOrEqualTo(MAX_READ_BYTES));
                assertThat("only the last chunk is up to date",
                        response.headers().contains(ProtocolHeaders.STREAM_UP_TO_DATE),
                        is(chunk == 3));
                received.append(body);
                offset = header(response, ProtocolHeaders.STREAM_NEXT_OFFSET);
            }
        }
        assertThat("the chunks hold all data in order", received.toString(), is(text));
        assertThat("the last Stream-Next-Offset is the tail", offset, is(tail));
    }

    @Test
    void closedStreamSignalsEofOnlyOnLastChunk() {
        String path = newPath("read-chunks-closed");
        TestStreams.create(client, path, TEXT, "x".repeat(150));
        TestStreams.close(client, path);

        String next;
        try (HttpClientResponse response = read(client, path, "-1").request()) {
            assertThat("a partial chunk of a closed stream is not EOF",
                    response.headers().contains(ProtocolHeaders.STREAM_CLOSED), is(false));
            next = header(response, ProtocolHeaders.STREAM_NEXT_OFFSET);
        }
        try (HttpClientResponse response = read(client, path, next).request()) {
            assertThat("the last chunk of a closed stream is EOF",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
    }

    @Test
    void longPollBacklogIsSplit() {
        String path = newPath("poll-chunks");
        TestStreams.create(client, path, TEXT, "y".repeat(150));

        try (HttpClientResponse response = read(client, path, "-1")
                .queryParam("live", "long-poll")
                .request()) {
            assertThat("a long-poll behind the tail returns at most one chunk",
                    bodyText(response).length(), is(MAX_READ_BYTES));
            assertThat("and is not up to date",
                    response.headers().contains(ProtocolHeaders.STREAM_UP_TO_DATE), is(false));
        }
    }

    @Test
    void jsonChunksNeverSplitAMessage() {
        String path = newPath("json-chunks");
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            messages.add("{\"i\":" + i + ",\"pad\":\"" + "p".repeat(i % 7) + "\"}");
        }
        String tail = TestStreams.create(client, path, "application/json",
                "[" + String.join(",", messages) + "]");

        int next = 0;
        String offset = "-1";
        while (next < messages.size()) {
            try (HttpClientResponse response = read(client, path, offset).request()) {
                String body = bodyText(response);
                int end = wholeMessagesIn(body, messages, next);
                assertThat("chunk '" + body + "' holds whole messages from message " + next,
                        end, is(lessThanOrEqualTo(messages.size())));
                assertThat("chunk '" + body + "' makes progress", end > next, is(true));
                assertThat("chunk '" + body + "' stays within the limit",
                        body.length() - 2, lessThanOrEqualTo(MAX_READ_BYTES));
                next = end;
                offset = header(response, ProtocolHeaders.STREAM_NEXT_OFFSET);
            }
        }
        assertThat("the chunks end at the tail", offset, is(tail));
    }

    @Test
    void jsonMessageLargerThanChunkIsReturnedWhole() {
        String path = newPath("json-large-message");
        String large = "\"" + "z".repeat(3 * MAX_READ_BYTES) + "\"";
        TestStreams.create(client, path, "application/json", "[" + large + ",1]");

        try (HttpClientResponse response = read(client, path, "-1").request()) {
            assertThat("a message over the limit is never cut", bodyText(response),
                    is("[" + large + "]"));
        }
    }

    /**
     * Returns the index after the last message in a JSON array chunk, or a value past the list
     * when the chunk is not a run of whole messages starting at {@code from}.
     */
    private static int wholeMessagesIn(String body, List<String> messages, int from) {
        for (int end = from + 1; end <= messages.size(); end++) {
            if (body.equals("[" + String.join(",", messages.subList(from, end)) + "]")) {
                return end;
            }
        }
        return messages.size() + 1;
    }

    private String tailOf(String path) {
        try (HttpClientResponse response = client.head(path).request()) {
            return header(response, ProtocolHeaders.STREAM_NEXT_OFFSET);
        }
    }

    /** Encodes parts as a {@code Transfer-Encoding: chunked} body, one chunk per part. */
    private static byte[] chunked(String... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String part : parts) {
            byte[] bytes = part.getBytes(US_ASCII);
            body.writeBytes((Integer.toHexString(bytes.length) + "\r\n").getBytes(US_ASCII));
            body.writeBytes(bytes);
            body.writeBytes("\r\n".getBytes(US_ASCII));
        }
        body.writeBytes("0\r\n\r\n".getBytes(US_ASCII));
        return body.toByteArray();
    }
}
