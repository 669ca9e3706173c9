package io.durablestreams;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/**
 * The {@code offset} query parameter: the tokens the server returns, the {@code -1} and
 * {@code now} sentinels, and rejection of anything else.
 */
@RoutingTest
class OffsetParameterTest {

    private static final StreamStore STORE = new StreamStore(Clock.systemUTC(),
            Duration.ofMinutes(1));

    private final Http1Client client;

    OffsetParameterTest(DirectClient client) {
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
    void offsetsAreFixedWidthAndStrictlyIncreasing() {
        String path = newPath("offsets");
        List<String> offsets = new ArrayList<>();
        offsets.add(TestStreams.create(client, path, "text/plain", ""));
        for (String data : List.of("a", "bb", "c".repeat(1000), "d", "é")) {
            offsets.add(TestStreams.append(client, path, "text/plain; charset=utf-8", data));
        }

        for (String offset : offsets) {
            assertThat("offset " + offset + " should be a 33-character token",
                    Offsets.isWellFormed(offset), is(true));
            assertThat("offsets must never be the -1 sentinel", offset, not("-1"));
            assertThat("offsets must never be the now sentinel", offset, not("now"));
        }
        for (int i = 1; i < offsets.size(); i++) {
            assertThat("offset after append " + i + " should sort after the one before",
                    offsets.get(i - 1).compareTo(offsets.get(i)), lessThan(0));
        }
    }

    @Test
    void minusOneReadsFromTheBeginning() {
        String path = newPath("minus-one");
        TestStreams.create(client, path, "text/plain", "abc");
        TestStreams.append(client, path, "text/plain", "def");

        try (HttpClientResponse response = read(client, path, "-1").request()) {
            assertThat("offset=-1 returns all data", bodyText(response), is("abcdef"));
        }
        try (HttpClientResponse response = read(client, path, Offsets.START).request()) {
            assertThat("the start token reads the same data", bodyText(response), is("abcdef"));
        }
    }

    @Test
    void nowSkipsExistingData() {
        String path = newPath("now");
        String tail = TestStreams.create(client, path, "text/plain", "old data");

        try (HttpClientResponse response = read(client, path, "now").request()) {
            assertThat("offset=now succeeds", response.status(), is(Status.OK_200));
            assertThat("offset=now returns no existing data", bodyText(response), is(""));
            assertThat("Stream-Next-Offset is the tail",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(tail));
            assertThat("offset=now is up to date",
                    header(response, ProtocolHeaders.STREAM_UP_TO_DATE), is("true"));
            assertThat("the tail position must not be cached",
                    header(response, HeaderNames.CACHE_CONTROL), is("no-store"));
            assertThat("an open stream is not EOF",
                    response.headers().contains(ProtocolHeaders.STREAM_CLOSED), is(false));
        }
    }

    @Test
    void nowOnJsonStreamReturnsEmptyArray() {
        String path = newPath("now-json");
        TestStreams.create(client, path, "application/json", "[1,2]");

        try (HttpClientResponse response = read(client, path, "now").request()) {
            assertThat("offset=now on a JSON stream is an empty array", bodyText(response),
                    is("[]"));
        }
    }

    @Test
    void nowOnClosedStreamSignalsEof() {
        String path = newPath("now-closed");
        String tail = TestStreams.create(client, path, "text/plain", "abc");
        TestStreams.close(client, path);

        try (HttpClientResponse response = read(client, path, "now").request()) {
            assertThat("offset=now on a closed stream succeeds", response.status(),
                    is(Status.OK_200));
            assertThat("no data", bodyText(response), is(""));
            assertThat("the closure is signalled",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
            assertThat("the reader is up to date",
                    header(response, ProtocolHeaders.STREAM_UP_TO_DATE), is("true"));
            assertThat("Stream-Next-Offset is the final offset",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(tail));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "now\n", "0,1", "garbage", "../x", "-2", "NOW", "Now", " -1",
        "-1 ", "0", "42", "0000000000000000_000000000000004", "0000000000000000-0000000000000004",
        "0000000000000000_0000000000000004/x", "+0000000000000000_0000000000000004"})
    void malformedOffsetIsRejected(String offset) {
        String path = newPath("bad-offset");
        TestStreams.create(client, path, "text/plain", "0123456789");

        for (String live : List.of("", "long-poll", "sse")) {
            var request = read(client, path, offset);
            if (!live.isEmpty()) {
                request.queryParam("live", live);
            }
            try (HttpClientResponse response = request.request()) {
                assertThat("offset '" + offset + "' with live='" + live + "'", response.status(),
                        is(Status.BAD_REQUEST_400));
            }
        }
    }

    @Test
    void repeatedOffsetIsRejected() {
        String path = newPath("repeated-offset");
        String tail = TestStreams.create(client, path, "text/plain", "abc");

        try (HttpClientResponse response = client.get(path)
                .queryParam("offset", "-1", tail)
                .request()) {
            assertThat("two offset parameters are ambiguous", response.status(),
                    is(Status.BAD_REQUEST_400));
        }
    }

    @Test
    void offsetBeyondTailIsRejected() {
        String path = newPath("beyond-tail");
        TestStreams.create(client, path, "text/plain", "abc");

        for (String offset : List.of(Offsets.format(4), Offsets.format(Long.MAX_VALUE),
                "9999999999999999_9999999999999999")) {
            for (String live : List.of("", "long-poll", "sse")) {
                var request = read(client, path, offset);
                if (!live.isEmpty()) {
                    request.queryParam("live", live);
                }
                try (HttpClientResponse response = request.request()) {
                    assertThat("offset " + offset + " past the tail with live='" + live + "'",
                            response.status(), is(Status.BAD_REQUEST_400));
                }
            }
        }
    }

    @Test
    void offsetInsideJsonMessageIsRejected() {
        String path = newPath("json-mid-message");
        TestStreams.create(client, path, "application/json", "[{\"a\":1},{\"b\":2}]");

        for (String live : List.of("", "long-poll", "sse")) {
            var request = read(client, path, Offsets.format(3));
            if (!live.isEmpty()) {
                request.queryParam("live", live);
            }
            try (HttpClientResponse response = request.request()) {
                assertThat("an offset inside a stored JSON message, with live='" + live + "'",
                        response.status(), is(Status.BAD_REQUEST_400));
            }
        }
    }

    @Test
    void liveReadWithoutOffsetIsRejected() {
        String path = newPath("live-no-offset");
        TestStreams.create(client, path, "text/plain", "abc");

        for (String live : List.of("long-poll", "sse")) {
            try (HttpClientResponse response = client.get(path)
                    .queryParam("live", live)
                    .request()) {
                assertThat("live=" + live + " needs an offset", response.status(),
                        is(Status.BAD_REQUEST_400));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "poll", "SSE", "long-poll,sse", "true"})
    void unknownLiveModeIsRejected(String live) {
        String path = newPath("bad-live");
        TestStreams.create(client, path, "text/plain", "abc");

        try (HttpClientResponse response = read(client, path, "-1")
                .queryParam("live", live)
                .request()) {
            assertThat("live='" + live + "'", response.status(), is(Status.BAD_REQUEST_400));
        }
    }

    @Test
    void unknownQueryParametersAreIgnored() {
        String path = newPath("extra-params");
        TestStreams.create(client, path, "text/plain", "abc");

        try (HttpClientResponse response = read(client, path, "-1")
                .queryParam("filter", "x")
                .queryParam("timeout", "bogus")
                .queryParam("flag")
                .request()) {
            assertThat("extension parameters must not break reads", response.status(),
                    is(Status.OK_200));
            assertThat("the data is returned", bodyText(response), is("abc"));
        }
    }
}
