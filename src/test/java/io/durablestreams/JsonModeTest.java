package io.durablestreams;

import java.time.Clock;
import java.time.Duration;

import io.durablestreams.http.ProtocolHeaders;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.StreamStore;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.durablestreams.TestStreams.bodyText;
import static io.durablestreams.TestStreams.header;
import static io.durablestreams.TestStreams.newPath;
import static io.durablestreams.TestStreams.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * Streams created with {@code Content-Type: application/json}: message boundaries, one-level
 * array flattening, JSON validation and reads as one JSON array.
 */
@RoutingTest
class JsonModeTest {

    private static final String JSON = "application/json";
    private static final StreamStore STORE = new StreamStore(Clock.systemUTC(),
            Duration.ofMinutes(1));

    private final Http1Client client;

    JsonModeTest(DirectClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Main.routing(routing, STORE,
                TestSettings.withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(5)));
    }

    @AfterAll
    static void closeStore() {
        STORE.close();
    }

    @Test
    void appendFlattensExactlyOneArrayLevel() {
        String path = newPath("json-flatten");
        TestStreams.create(client, path, JSON, "");
        TestStreams.append(client, path, JSON, "{\"event\":\"created\"}");
        TestStreams.append(client, path, JSON, "[{\"event\":\"a\"},{\"event\":\"b\"}]");
        TestStreams.append(client, path, JSON, "[[1,2],[3,4]]");
        TestStreams.append(client, path, JSON, "[[[1,2,3]]]");

        try (HttpClientResponse response = read(client, path, "-1").request()) {
            assertThat("status of a JSON read", response.status(), is(Status.OK_200));
            assertThat("a JSON read returns every message in one array", bodyText(response),
                    is("[{\"event\":\"created\"},{\"event\":\"a\"},{\"event\":\"b\"},[1,2],[3,4],"
                            + "[[1,2,3]]]"));
            assertThat("a JSON read has the JSON content type",
                    header(response, HeaderNames.CONTENT_TYPE), startsWith(JSON));
        }
    }

    @Test
    void offsetsSeparateMessages() {
        String path = newPath("json-offsets");
        String afterFirst = TestStreams.create(client, path, JSON, "[1,2]");
        String afterSecond = TestStreams.append(client, path, JSON, "[3]");
        TestStreams.append(client, path, JSON, "[4,5]");

        try (HttpClientResponse response = read(client, path, afterFirst).request()) {
            assertThat("a read from the first append's offset", bodyText(response),
                    is("[3,4,5]"));
        }
        try (HttpClientResponse response = read(client, path, afterSecond).request()) {
            assertThat("a read from the second append's offset", bodyText(response),
                    is("[4,5]"));
        }
    }

    @Test
    void readAtTailReturnsEmptyArray() {
        String path = newPath("json-tail");
        String tail = TestStreams.create(client, path, JSON, "[1]");

        try (HttpClientResponse response = read(client, path, tail).request()) {
            assertThat("a JSON read with no messages", bodyText(response), is("[]"));
        }
    }

    @Test
    void postOfEmptyArrayIsRejected() {
        String path = newPath("json-post-empty");
        String tail = TestStreams.create(client, path, JSON, "[1]");

        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, JSON)
                .submit("[]")) {
            assertThat("POST [] is a no-op append", response.status(),
                    is(Status.BAD_REQUEST_400));
        }
        try (HttpClientResponse response = client.head(path).request()) {
            assertThat("the rejected append left the stream unchanged",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(tail));
        }
    }

    @Test
    void putOfEmptyArrayCreatesEmptyStream() {
        String path = newPath("json-put-empty");
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, JSON)
                .submit("[]")) {
            assertThat("PUT [] creates a stream", response.status(), is(Status.CREATED_201));
            assertThat("the stream holds no messages",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(Offsets.START));
        }
        try (HttpClientResponse response = read(client, path, "-1").request()) {
            assertThat("a read of the empty stream", bodyText(response), is("[]"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "[1,]", "{\"a\":}", "nope", "1 2", "[1]x", "{'a':1}", "NaN",
        "\"unterminated", "   "})
    void invalidJsonAppendIsRejected(String body) {
        String path = newPath("json-invalid-append");
        String tail = TestStreams.create(client, path, JSON, "[1]");

        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, JSON)
                .submit(body)) {
            assertThat("POST of '" + body + "'", response.status(), is(Status.BAD_REQUEST_400));
        }
        try (HttpClientResponse response = client.head(path).request()) {
            assertThat("the rejected append left the stream unchanged",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(tail));
        }
    }

    @Test
    void invalidJsonCreateIsRejectedWithoutStream() {
        String path = newPath("json-invalid-create");
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, JSON)
                .submit("{oops")) {
            assertThat("PUT of invalid JSON", response.status(), is(Status.BAD_REQUEST_400));
        }
        try (HttpClientResponse response = client.head(path).request()) {
            assertThat("a rejected create must not leave a stream behind", response.status(),
                    is(Status.NOT_FOUND_404));
        }
    }

    @Test
    void deeplyNestedJsonIsRejected() {
        String path = newPath("json-deep");
        TestStreams.create(client, path, JSON, "");

        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, JSON)
                .submit("[".repeat(5_000) + "]".repeat(5_000))) {
            assertThat("nesting past the parser limit is invalid input, not a server error",
                    response.status(), is(Status.BAD_REQUEST_400));
        }
    }

    @Test
    void numbersAndStringsAreReturnedByteExact() {
        String path = newPath("json-exact");
        String messages = "1.0,1e3,1E+2,-0,0.10,123456789012345678901234567890,\"\\u00e9\",\"é\","
                + "\"a\\\"b\",{\"k\" : [ 1 , 2 ]}";
        TestStreams.create(client, path, JSON, "");
        TestStreams.append(client, path, JSON + "; charset=utf-8", "[" + messages + "]");

        try (HttpClientResponse response = read(client, path, "-1").request()) {
            assertThat("numbers, escapes and inner whitespace are returned as sent",
                    bodyText(response), is("[" + messages + "]"));
        }
    }

    @Test
    void otherContentTypeWinsOverInvalidJson() {
        String path = newPath("json-wrong-type");
        TestStreams.create(client, path, JSON, "");

        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .submit("not json")) {
            assertThat("a body of another content type is a conflict, not invalid JSON",
                    response.status(), is(Status.CONFLICT_409));
        }
    }

    @Test
    void closedStreamWinsOverInvalidJson() {
        String path = newPath("json-closed");
        TestStreams.create(client, path, JSON, "[1]");
        TestStreams.close(client, path);

        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, JSON)
                .submit("{oops")) {
            assertThat("append to a closed stream is reported first", response.status(),
                    is(Status.CONFLICT_409));
            assertThat("the conflict says the stream is closed",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
    }
}
