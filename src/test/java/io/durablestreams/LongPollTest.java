package io.durablestreams;

import java.time.Clock;
import java.time.Duration;

import io.durablestreams.http.ProtocolHeaders;
import io.durablestreams.live.Cursors;
import io.durablestreams.store.StreamStore;

import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static io.durablestreams.TestStreams.bodyText;
import static io.durablestreams.TestStreams.header;
import static io.durablestreams.TestStreams.newPath;
import static io.durablestreams.TestStreams.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * Long-poll reads against a server with a 500 ms long-poll timeout: the 204 after the timeout,
 * immediate responses when data exists, and cursors.
 */
@ServerTest
class LongPollTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final StreamStore STORE = new StreamStore(Clock.systemUTC(),
            Duration.ofMinutes(1));
    private static final Cursors CURSORS = new Cursors(Clock.systemUTC());

    private final Http1Client client;

    LongPollTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Main.routing(routing, STORE, TestSettings.withTimeouts(TIMEOUT, Duration.ofSeconds(5)));
    }

    @AfterAll
    static void closeStore() {
        STORE.close();
    }

    @Test
    void longPollAtTailTimesOutWith204() {
        String path = newPath("poll-timeout");
        String tail = TestStreams.create(client, path, "text/plain", "abc");
        long before = CURSORS.currentInterval();

        long started = System.nanoTime();
        try (HttpClientResponse response = longPoll(path, tail)) {
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            assertThat("a long-poll without new data", response.status(),
                    is(Status.NO_CONTENT_204));
            assertThat("the server waited for the long-poll timeout", elapsed.toMillis(),
                    greaterThanOrEqualTo(TIMEOUT.toMillis() - 50));
            assertThat("Stream-Next-Offset is the tail",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(tail));
            assertThat("the reader is up to date",
                    header(response, ProtocolHeaders.STREAM_UP_TO_DATE), is("true"));
            assertThat("an open stream's 204 carries the current cursor interval",
                    Long.parseLong(header(response, ProtocolHeaders.STREAM_CURSOR)),
                    allOf(greaterThanOrEqualTo(before),
                            lessThanOrEqualTo(CURSORS.currentInterval())));
            assertThat("an open stream is not EOF",
                    response.headers().contains(ProtocolHeaders.STREAM_CLOSED), is(false));
        }
    }

    @Test
    void longPollWithStoredDataReturnsAtOnce() {
        String path = newPath("poll-data");
        TestStreams.create(client, path, "text/plain", "abc");

        try (HttpClientResponse response = longPoll(path, "-1")) {
            assertThat("a long-poll behind the tail", response.status(), is(Status.OK_200));
            assertThat("it returns the stored data", bodyText(response), is("abc"));
            assertThat("a live 200 carries a cursor",
                    response.headers().contains(ProtocolHeaders.STREAM_CURSOR), is(true));
            assertThat("the read reached the tail",
                    header(response, ProtocolHeaders.STREAM_UP_TO_DATE), is("true"));
        }
    }

    @Test
    void longPollToEndOfClosedStreamSignalsEof() {
        String path = newPath("poll-closed-data");
        TestStreams.create(client, path, "text/plain", "abc");
        TestStreams.close(client, path);

        try (HttpClientResponse response = longPoll(path, "-1")) {
            assertThat("a long-poll behind the tail of a closed stream", response.status(),
                    is(Status.OK_200));
            assertThat("it returns the remaining data", bodyText(response), is("abc"));
            assertThat("and signals EOF, because it reached the final offset",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
    }

    @Test
    void longPollFromNowSkipsStoredData() {
        String path = newPath("poll-now");
        String tail = TestStreams.create(client, path, "text/plain", "old");

        try (HttpClientResponse response = longPoll(path, "now")) {
            assertThat("offset=now waits for new data only", response.status(),
                    is(Status.NO_CONTENT_204));
            assertThat("Stream-Next-Offset is the tail",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(tail));
            assertThat("the reader is up to date",
                    header(response, ProtocolHeaders.STREAM_UP_TO_DATE), is("true"));
        }
    }

    @Test
    void longPollOnJsonStreamReturnsArray() {
        String path = newPath("poll-json");
        TestStreams.create(client, path, "application/json", "[{\"a\":1},2]");

        try (HttpClientResponse response = longPoll(path, "-1")) {
            assertThat("JSON long-poll data", bodyText(response), is("[{\"a\":1},2]"));
        }
    }

    @Test
    void echoedCurrentCursorAdvances() {
        String path = newPath("poll-cursor");
        TestStreams.create(client, path, "text/plain", "abc");
        long current = CURSORS.currentInterval();

        try (HttpClientResponse response = longPoll(path, "-1", Long.toString(current))) {
            assertThat("a cursor echoed in the current interval must advance",
                    Long.parseLong(header(response, ProtocolHeaders.STREAM_CURSOR)),
                    greaterThan(current));
        }
        String tail = TestStreams.append(client, path, "text/plain", "d");
        try (HttpClientResponse response = longPoll(path, tail, Long.toString(current + 10))) {
            assertThat("a 204 also advances a cursor echoed ahead of the clock",
                    Long.parseLong(header(response, ProtocolHeaders.STREAM_CURSOR)),
                    greaterThan(current + 10));
        }
    }

    @Test
    void longPollOnMissingStreamReturns404() {
        try (HttpClientResponse response = longPoll(newPath("poll-missing"), "-1")) {
            assertThat("long-poll of a stream that does not exist", response.status(),
                    is(Status.NOT_FOUND_404));
        }
    }

    private HttpClientResponse longPoll(String path, String offset) {
        return read(client, path, offset).queryParam("live", "long-poll").request();
    }

    private HttpClientResponse longPoll(String path, String offset, String cursor) {
        return read(client, path, offset)
                .queryParam("live", "long-poll")
                .queryParam("cursor", cursor)
                .request();
    }
}
