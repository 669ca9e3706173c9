package io.durablestreams;

import java.time.Clock;
import java.time.Duration;

import io.durablestreams.http.ProtocolHeaders;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.StreamStore;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webclient.api.ClientResponseTyped;
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
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * Create, append, close, delete, metadata and catch-up reads through the real routing.
 */
@RoutingTest
class StreamLifecycleTest {

    private static final StreamStore STORE = new StreamStore(Clock.systemUTC(),
            Duration.ofMinutes(1));

    private final Http1Client client;

    StreamLifecycleTest(DirectClient client) {
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
    void createReturns201WithLocationAndTail() {
        String path = newPath("create");
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .submit("hello")) {
            assertThat("status of a first PUT", response.status(), is(Status.CREATED_201));
            assertThat("Location of a created stream should be its URL",
                    header(response, HeaderNames.LOCATION), endsWith(path));
            assertThat("Content-Type of the created stream",
                    header(response, HeaderNames.CONTENT_TYPE), startsWith("text/plain"));
            assertThat("Stream-Next-Offset should be the tail after the initial 5 bytes",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(Offsets.format(5)));
        }
    }

    @Test
    void locationKeepsPercentEncodedPath() {
        String path = newPath("caf%C3%A9%20au%20lait");
        try (HttpClientResponse response = client.put(path)
                .skipUriEncoding(true)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .request()) {
            assertThat("status of a first PUT", response.status(), is(Status.CREATED_201));
            assertThat("Location must be the stream's URL, with non-ASCII bytes still"
                    + " percent-encoded", header(response, HeaderNames.LOCATION), endsWith(path));
        }
    }

    @Test
    void createWithoutBodyStartsAtOffsetZero() {
        String path = newPath("create-empty");
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .request()) {
            assertThat("status of a first PUT", response.status(), is(Status.CREATED_201));
            assertThat("Stream-Next-Offset of an empty stream",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(Offsets.START));
            assertThat("an open stream has no Stream-Closed header",
                    response.headers().contains(ProtocolHeaders.STREAM_CLOSED), is(false));
        }
    }

    @Test
    void createWithoutContentTypeDefaultsToOctetStream() {
        String path = newPath("create-default-type");
        try (HttpClientResponse response = client.put(path).request()) {
            assertThat("status of a first PUT", response.status(), is(Status.CREATED_201));
        }
        try (HttpClientResponse response = client.head(path).request()) {
            assertThat("content type of a stream created without one",
                    header(response, HeaderNames.CONTENT_TYPE), is("application/octet-stream"));
        }
    }

    @Test
    void createIdenticalStreamAgainReturns200() {
        String path = newPath("create-twice");
        TestStreams.create(client, path, "text/plain", "abc");
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .request()) {
            assertThat("PUT with the same configuration should be idempotent",
                    response.status(), is(Status.OK_200));
            assertThat("Stream-Next-Offset of the existing stream",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(Offsets.format(3)));
            assertThat("only a 201 carries Location",
                    response.headers().contains(HeaderNames.LOCATION), is(false));
        }
    }

    @Test
    void createWithOtherContentTypeReturns409() {
        String path = newPath("create-other-type");
        TestStreams.create(client, path, "text/plain", "");
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .request()) {
            assertThat("PUT with a different content type should conflict",
                    response.status(), is(Status.CONFLICT_409));
        }
    }

    @Test
    void createWithOtherTtlReturns409() {
        String path = newPath("create-other-ttl");
        try (HttpClientResponse response = client.put(path)
                .header(ProtocolHeaders.STREAM_TTL, "60")
                .request()) {
            assertThat("status of a first PUT", response.status(), is(Status.CREATED_201));
        }
        try (HttpClientResponse response = client.put(path)
                .header(ProtocolHeaders.STREAM_TTL, "120")
                .request()) {
            assertThat("PUT with a different TTL should conflict",
                    response.status(), is(Status.CONFLICT_409));
        }
        try (HttpClientResponse response = client.put(path).request()) {
            assertThat("PUT without the TTL the stream has should conflict",
                    response.status(), is(Status.CONFLICT_409));
        }
        try (HttpClientResponse response = client.put(path)
                .header(ProtocolHeaders.STREAM_TTL, "60")
                .request()) {
            assertThat("PUT with the same TTL should be idempotent",
                    response.status(), is(Status.OK_200));
        }
    }

    @Test
    void createWithOtherExpiryReturns409() {
        String path = newPath("create-other-expiry");
        try (HttpClientResponse response = client.put(path)
                .header(ProtocolHeaders.STREAM_EXPIRES_AT, "2099-01-01T00:00:00Z")
                .request()) {
            assertThat("status of a first PUT", response.status(), is(Status.CREATED_201));
        }
        try (HttpClientResponse response = client.put(path)
                .header(ProtocolHeaders.STREAM_EXPIRES_AT, "2099-01-02T00:00:00Z")
                .request()) {
            assertThat("PUT with a different expiry time should conflict",
                    response.status(), is(Status.CONFLICT_409));
        }
        try (HttpClientResponse response = client.put(path)
                .header(ProtocolHeaders.STREAM_EXPIRES_AT, "2099-01-01T00:00:00Z")
                .request()) {
            assertThat("PUT with the same expiry time should be idempotent",
                    response.status(), is(Status.OK_200));
        }
    }

    @Test
    void createOpenStreamAgainAsClosedReturns409() {
        String path = newPath("create-open-then-closed");
        TestStreams.create(client, path, "text/plain", "");
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .header(ProtocolHeaders.STREAM_CLOSED, "true")
                .request()) {
            assertThat("PUT with Stream-Closed on an open stream should conflict",
                    response.status(), is(Status.CONFLICT_409));
        }
    }

    @Test
    void createClosedStreamAgainAsOpenReturns409() {
        String path = newPath("create-closed-then-open");
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .header(ProtocolHeaders.STREAM_CLOSED, "true")
                .request()) {
            assertThat("status of a first PUT", response.status(), is(Status.CREATED_201));
            assertThat("a stream created closed says so",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .request()) {
            assertThat("PUT without Stream-Closed on a closed stream should conflict",
                    response.status(), is(Status.CONFLICT_409));
        }
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .header(ProtocolHeaders.STREAM_CLOSED, "true")
                .request()) {
            assertThat("PUT with Stream-Closed on a closed stream should be idempotent",
                    response.status(), is(Status.OK_200));
            assertThat("the idempotent response reports the closure",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
    }

    @Test
    void createClosedWithBodyHoldsTheFinalContent() {
        String path = newPath("create-closed-body");
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .header(ProtocolHeaders.STREAM_CLOSED, "true")
                .submit("done")) {
            assertThat("status of a first PUT", response.status(), is(Status.CREATED_201));
        }
        ClientResponseTyped<String> read = read(client, path, "-1").request(String.class);
        assertThat("the body of a closed create is the stream's content", read.entity(),
                is("done"));
        assertThat("reading to the end of a closed stream signals EOF",
                read.headers().first(ProtocolHeaders.STREAM_CLOSED).orElse(""), is("true"));
    }

    @Test
    void appendReturns204WithNewTail() {
        String path = newPath("append");
        TestStreams.create(client, path, "text/plain", "ab");
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .submit("cde")) {
            assertThat("status of a plain append", response.status(), is(Status.NO_CONTENT_204));
            assertThat("Stream-Next-Offset should be the tail after the append",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(Offsets.format(5)));
            assertThat("an append that does not close has no Stream-Closed header",
                    response.headers().contains(ProtocolHeaders.STREAM_CLOSED), is(false));
        }
    }

    @Test
    void appendToMissingStreamReturns404() {
        try (HttpClientResponse response = client.post(newPath("missing"))
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .submit("x")) {
            assertThat("append to a stream that does not exist", response.status(),
                    is(Status.NOT_FOUND_404));
        }
    }

    @Test
    void appendWithEmptyBodyReturns400() {
        String path = newPath("append-empty");
        TestStreams.create(client, path, "text/plain", "");
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .request()) {
            assertThat("an empty append without Stream-Closed is invalid", response.status(),
                    is(Status.BAD_REQUEST_400));
        }
    }

    @Test
    void appendWithOtherContentTypeReturns409() {
        String path = newPath("append-other-type");
        TestStreams.create(client, path, "text/plain", "");
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, "application/octet-stream")
                .submit("x")) {
            assertThat("append with a content type other than the stream's",
                    response.status(), is(Status.CONFLICT_409));
        }
    }

    @Test
    void appendIgnoresContentTypeParametersAndCase() {
        String path = newPath("append-type-params");
        TestStreams.create(client, path, "text/plain", "");
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, "Text/Plain; charset=utf-8")
                .submit("x")) {
            assertThat("the same media type with parameters and other case is accepted",
                    response.status(), is(Status.NO_CONTENT_204));
        }
    }

    @Test
    void closeOnlyReturns204WithStreamClosed() {
        String path = newPath("close");
        TestStreams.create(client, path, "text/plain", "abc");
        try (HttpClientResponse response = client.post(path)
                .header(ProtocolHeaders.STREAM_CLOSED, "true")
                .request()) {
            assertThat("status of a close-only request", response.status(),
                    is(Status.NO_CONTENT_204));
            assertThat("a close reports the closure",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
            assertThat("a close leaves the tail where it was",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(Offsets.format(3)));
        }
    }

    @Test
    void closeIsIdempotent() {
        String path = newPath("close-twice");
        TestStreams.create(client, path, "text/plain", "abc");
        TestStreams.close(client, path);
        try (HttpClientResponse response = client.post(path)
                .header(ProtocolHeaders.STREAM_CLOSED, "true")
                .request()) {
            assertThat("closing a closed stream again succeeds", response.status(),
                    is(Status.NO_CONTENT_204));
            assertThat("the repeated close reports the closure",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
    }

    @Test
    void closeOnlyIgnoresContentType() {
        String path = newPath("close-any-type");
        TestStreams.create(client, path, "text/plain", "");
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .header(ProtocolHeaders.STREAM_CLOSED, "true")
                .request()) {
            assertThat("a close without body must not be rejected for its content type",
                    response.status(), is(Status.NO_CONTENT_204));
        }
    }

    @Test
    void appendToClosedStreamReturns409WithFinalOffset() {
        String path = newPath("append-after-close");
        TestStreams.create(client, path, "text/plain", "abc");
        TestStreams.close(client, path);
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .submit("more")) {
            assertThat("append to a closed stream", response.status(), is(Status.CONFLICT_409));
            assertThat("the conflict says the stream is closed",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
            assertThat("the conflict carries the final offset",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(Offsets.format(3)));
        }
    }

    @Test
    void appendAndCloseInOneRequest() {
        String path = newPath("append-and-close");
        TestStreams.create(client, path, "text/plain", "ab");
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .header(ProtocolHeaders.STREAM_CLOSED, "true")
                .submit("cd")) {
            assertThat("status of append-and-close", response.status(),
                    is(Status.NO_CONTENT_204));
            assertThat("append-and-close reports the closure",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
            assertThat("the tail includes the final append",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(Offsets.format(4)));
        }
        ClientResponseTyped<String> read = read(client, path, "-1").request(String.class);
        assertThat("the final append is readable", read.entity(), is("abcd"));
        assertThat("the read that reaches the end signals EOF",
                read.headers().first(ProtocolHeaders.STREAM_CLOSED).orElse(""), is("true"));
    }

    @Test
    void appendAndCloseOnClosedStreamReturns409() {
        String path = newPath("append-close-after-close");
        TestStreams.create(client, path, "text/plain", "ab");
        TestStreams.close(client, path);
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .header(ProtocolHeaders.STREAM_CLOSED, "true")
                .submit("cd")) {
            assertThat("append-and-close is not idempotent without producer headers",
                    response.status(), is(Status.CONFLICT_409));
            assertThat("the conflict says the stream is closed",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
    }

    @Test
    void closedHeaderIsCaseInsensitive() {
        String path = newPath("close-upper-case");
        TestStreams.create(client, path, "text/plain", "");
        try (HttpClientResponse response = client.post(path)
                .header(ProtocolHeaders.STREAM_CLOSED, "TRUE")
                .request()) {
            assertThat("Stream-Closed: TRUE closes", response.status(), is(Status.NO_CONTENT_204));
            assertThat("the close is reported",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "yes", "1", "truee"})
    void closedHeaderOtherThanTrueIsIgnored(String value) {
        String path = newPath("close-ignored");
        TestStreams.create(client, path, "text/plain", "");
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .header(ProtocolHeaders.STREAM_CLOSED, value)
                .submit("x")) {
            assertThat("Stream-Closed: " + value + " must not turn an append into an error",
                    response.status(), is(Status.NO_CONTENT_204));
            assertThat("Stream-Closed: " + value + " must not close the stream",
                    response.headers().contains(ProtocolHeaders.STREAM_CLOSED), is(false));
        }
        try (HttpClientResponse response = client.post(path)
                .header(ProtocolHeaders.STREAM_CLOSED, value)
                .request()) {
            assertThat("an empty body with Stream-Closed: " + value + " is an empty append",
                    response.status(), is(Status.BAD_REQUEST_400));
        }
    }

    @Test
    void deleteRemovesTheStream() {
        String path = newPath("delete");
        TestStreams.create(client, path, "text/plain", "abc");
        try (HttpClientResponse response = client.delete(path).request()) {
            assertThat("status of a delete", response.status(), is(Status.NO_CONTENT_204));
        }
        try (HttpClientResponse response = read(client, path, "-1").request()) {
            assertThat("a deleted stream cannot be read", response.status(),
                    is(Status.NOT_FOUND_404));
        }
        try (HttpClientResponse response = client.head(path).request()) {
            assertThat("a deleted stream has no metadata", response.status(),
                    is(Status.NOT_FOUND_404));
        }
        try (HttpClientResponse response = client.delete(path).request()) {
            assertThat("deleting a deleted stream", response.status(), is(Status.NOT_FOUND_404));
        }
    }

    @Test
    void headReturnsMetadataWithoutBody() {
        String path = newPath("head");
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, "text/plain")
                .header(ProtocolHeaders.STREAM_TTL, "3600")
                .submit("abcd")) {
            assertThat("status of a first PUT", response.status(), is(Status.CREATED_201));
        }
        try (HttpClientResponse response = client.head(path).request()) {
            assertThat("HEAD of an existing stream", response.status(), is(Status.OK_200));
            assertThat("HEAD reports the content type",
                    header(response, HeaderNames.CONTENT_TYPE), startsWith("text/plain"));
            assertThat("HEAD reports the tail",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(Offsets.format(4)));
            assertThat("HEAD reports the TTL", header(response, ProtocolHeaders.STREAM_TTL),
                    is("3600"));
            assertThat("an open stream has no Stream-Closed header",
                    response.headers().contains(ProtocolHeaders.STREAM_CLOSED), is(false));
        }
    }

    @Test
    void headReportsExpiryAndClosure() {
        String path = newPath("head-closed");
        try (HttpClientResponse response = client.put(path)
                .header(ProtocolHeaders.STREAM_EXPIRES_AT, "2099-06-30T12:00:00Z")
                .header(ProtocolHeaders.STREAM_CLOSED, "true")
                .request()) {
            assertThat("status of a first PUT", response.status(), is(Status.CREATED_201));
        }
        try (HttpClientResponse response = client.head(path).request()) {
            assertThat("HEAD reports the expiry time",
                    header(response, ProtocolHeaders.STREAM_EXPIRES_AT),
                    is("2099-06-30T12:00:00Z"));
            assertThat("HEAD reports the closure",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
    }

    @Test
    void headOfMissingStreamReturns404() {
        try (HttpClientResponse response = client.head(newPath("head-missing")).request()) {
            assertThat("HEAD of a stream that does not exist", response.status(),
                    is(Status.NOT_FOUND_404));
        }
    }

    @Test
    void readFromStartReturnsAllData() {
        String path = newPath("read-all");
        TestStreams.create(client, path, "text/plain", "hello ");
        String tail = TestStreams.append(client, path, "text/plain", "world");

        ClientResponseTyped<String> read = read(client, path, "-1").request(String.class);
        assertThat("status of a catch-up read", read.status(), is(Status.OK_200));
        assertThat("a read from -1 returns every byte", read.entity(), is("hello world"));
        assertThat("Stream-Next-Offset is the tail",
                read.headers().first(ProtocolHeaders.STREAM_NEXT_OFFSET).orElse(""), is(tail));
        assertThat("a read that reaches the tail is up to date",
                read.headers().first(ProtocolHeaders.STREAM_UP_TO_DATE).orElse(""), is("true"));
        assertThat("an open stream's read has no Stream-Closed header",
                read.headers().contains(ProtocolHeaders.STREAM_CLOSED), is(false));
        assertThat("the read has the stream's content type",
                read.headers().first(HeaderNames.CONTENT_TYPE).orElse(""),
                startsWith("text/plain"));
    }

    @Test
    void readWithoutOffsetStartsAtTheBeginning() {
        String path = newPath("read-no-offset");
        TestStreams.create(client, path, "text/plain", "abc");
        ClientResponseTyped<String> read = client.get(path).request(String.class);
        assertThat("status of a read without offset", read.status(), is(Status.OK_200));
        assertThat("a read without offset returns every byte", read.entity(), is("abc"));
    }

    @Test
    void readFromOffsetReturnsTheRest() {
        String path = newPath("read-from-offset");
        String first = TestStreams.create(client, path, "text/plain", "first;");
        TestStreams.append(client, path, "text/plain", "second;");

        ClientResponseTyped<String> read = read(client, path, first).request(String.class);
        assertThat("a read from an earlier Stream-Next-Offset returns only later data",
                read.entity(), is("second;"));
    }

    @Test
    void readAtOpenTailIsUpToDate() {
        String path = newPath("read-at-tail");
        String tail = TestStreams.create(client, path, "text/plain", "abc");

        try (HttpClientResponse read = read(client, path, tail).request()) {
            assertThat("a read at the tail succeeds", read.status(), is(Status.OK_200));
            assertThat("a read at the tail is empty", bodyText(read), is(""));
            assertThat("Stream-Next-Offset stays at the requested offset",
                    header(read, ProtocolHeaders.STREAM_NEXT_OFFSET), is(tail));
            assertThat("a read at the tail is up to date",
                    header(read, ProtocolHeaders.STREAM_UP_TO_DATE), is("true"));
            assertThat("an open stream's tail is not EOF",
                    read.headers().contains(ProtocolHeaders.STREAM_CLOSED), is(false));
        }
    }

    @Test
    void readAtClosedTailSignalsEof() {
        String path = newPath("read-eof");
        String tail = TestStreams.create(client, path, "text/plain", "abc");
        TestStreams.close(client, path);

        try (HttpClientResponse read = read(client, path, tail).request()) {
            assertThat("a read at the end of a closed stream succeeds", read.status(),
                    is(Status.OK_200));
            assertThat("the EOF response is empty", bodyText(read), is(""));
            assertThat("the EOF response says the stream is closed",
                    header(read, ProtocolHeaders.STREAM_CLOSED), is("true"));
            assertThat("the EOF response is up to date",
                    header(read, ProtocolHeaders.STREAM_UP_TO_DATE), is("true"));
        }
    }

    @Test
    void unsupportedMethodReturns405() {
        String path = newPath("patch");
        TestStreams.create(client, path, "text/plain", "");
        try (HttpClientResponse response = client.method(Method.PATCH).path(path).request()) {
            assertThat("PATCH is not part of the protocol", response.status(),
                    is(Status.METHOD_NOT_ALLOWED_405));
            assertThat("a 405 lists the allowed methods",
                    header(response, HeaderNames.ALLOW), startsWith("GET"));
        }
    }
}
