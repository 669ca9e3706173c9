package io.durablestreams;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.durablestreams.RawHttpConnection.Response;
import io.durablestreams.store.StreamStore;

import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.durablestreams.TestStreams.newPath;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Malformed requests sent over a plain socket, exactly as written, so that no client normalises
 * or rejects them first. None of them may cause a server error.
 */
@ServerTest
class BadInputTest {

    private static final StreamStore STORE = new StreamStore(Clock.systemUTC(),
            Duration.ofMinutes(1));

    private final WebServer server;
    private final Http1Client client;

    BadInputTest(WebServer server, Http1Client client) {
        this.server = server;
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

    @ParameterizedTest
    @ValueSource(strings = {
        "/v1/stream/a/../b", "/v1/stream/a/b/../../c", "/v1/stream/a/./b", "/v1/stream/./b",
        "/v1/stream/a/%2e%2e/b", "/v1/stream/%2E%2E", "/v1/stream/a/%2e/b",
        "/v1/stream/a%2Fb", "/v1/stream/a%2fb", "/v1/stream/a/%2F",
        "/v1/stream/a//b", "/v1/stream/a/",
        "/v1/stream/%C3%28", "/v1/stream/%FF", "/v1/stream/%C0%AE%C0%AE",
        "/v1/stream/%00", "/v1/stream/a%0Ab"
    })
    void unsafePathIsRejected(String target) throws IOException {
        for (String method : new String[] {"PUT", "GET", "POST", "HEAD", "DELETE"}) {
            Response response = RawHttpConnection.exchange(server.port(),
                    RawHttpConnection.head(method, target, "Content-Type: text/plain",
                            "Content-Length: 0"),
                    new byte[0]);
            assertThat(method + " " + target, response.status(), is(400));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/stream/%ZZ", "/v1/stream/%", "/v1/stream/a%4",
        "/v1/stream/../b", "/v1/stream/../../etc/passwd", "/v1/stream/a/../../b"})
    void pathOutsideStreamsIsAClientError(String target) throws IOException {
        Response response = RawHttpConnection.exchange(server.port(),
                RawHttpConnection.head("PUT", target, "Content-Length: 0"), new byte[0]);
        assertThat("PUT " + target, response.status(), is(clientError()));
    }

    @Test
    void dotSegmentsDoNotReachOtherStreams() throws IOException {
        String target = newPath("traversal");
        String name = target.substring(target.lastIndexOf('/') + 1);
        RawHttpConnection.exchange(server.port(), RawHttpConnection.head("PUT",
                TestSettings.MOUNT_PATH + "/outer/../" + name, "Content-Length: 0"), new byte[0]);

        try (HttpClientResponse response = client.head(target).request()) {
            assertThat("a PUT through '..' must not create " + target, response.status(),
                    is(Status.NOT_FOUND_404));
        }
    }

    @Test
    void overlongPathReturns414() throws IOException {
        Response response = RawHttpConnection.exchange(server.port(),
                RawHttpConnection.head("PUT", TestSettings.MOUNT_PATH + "/" + "a".repeat(1025),
                        "Content-Length: 0"),
                new byte[0]);
        assertThat("a stream path over max-path-bytes", response.status(), is(414));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "PUT | Stream-TTL: abc | 400",
        "PUT | Stream-TTL: -5 | 400",
        "PUT | Stream-TTL: 1e400 | 400",
        "PUT | Stream-Expires-At: soon | 400",
        "PUT | Content-Type: garbage | 400",
        "PUT | Content-Type: / | 400",
        "POST | Producer-Epoch: NaN | 400",
        "POST | Stream-Seq: | 400",
        "GET | If-None-Match: \"unterminated | 200",
        "GET | If-None-Match: , , | 200",
        "HEAD | Stream-TTL: abc | 200",
        "GET | Stream-Closed: maybe | 200"
    })
    void malformedHeaderIsRejectedOrIgnored(String method, String headerLine, int expected)
            throws IOException {
        String path = newPath("bad-header");
        TestStreams.create(client, path, "text/plain", "abc");
        String target = method.equals("PUT") ? newPath("bad-header-create") : path;
        List<String> headerLines = new ArrayList<>(List.of(headerLine.strip(),
                "Content-Type: text/plain", "Content-Length: 1"));
        if (headerLine.startsWith("Producer-")) {
            // The other two producer headers are valid, so only the tested one is malformed.
            headerLines.addAll(List.of("Producer-Id: p", "Producer-Seq: 0"));
        }

        Response response = RawHttpConnection.exchange(server.port(),
                RawHttpConnection.head(method, target, headerLines.toArray(String[]::new)),
                "x".getBytes(ISO_8859_1));
        assertThat(method + " with '" + headerLine + "'", response.status(), is(expected));
    }

    @Test
    void appendWithoutContentTypeReturns400() throws IOException {
        String path = newPath("no-content-type");
        TestStreams.create(client, path, "text/plain", "");

        Response response = RawHttpConnection.exchange(server.port(),
                RawHttpConnection.head("POST", path, "Content-Length: 1"),
                "x".getBytes(ISO_8859_1));
        assertThat("an append with a body but no Content-Type", response.status(), is(400));
    }

    @Test
    void nonAsciiStreamSeqIsNotAServerError() throws IOException {
        String path = newPath("seq-bytes");
        TestStreams.create(client, path, "text/plain", "");

        for (String seq : new String[] {"\u00e9", "\u00ff\u00ff", "\u0080"}) {
            Response response = RawHttpConnection.exchange(server.port(),
                    RawHttpConnection.head("POST", path, "Content-Type: text/plain",
                            "Stream-Seq: " + seq, "Content-Length: 1"),
                    "x".getBytes(ISO_8859_1));
            assertThat("Stream-Seq with byte " + (int) seq.charAt(0), response.status(),
                    is(allOf(greaterThanOrEqualTo(200), lessThan(500))));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offset=%FF", "offset=%ZZ", "offset=", "offset=%00",
        "offset=-1&live=%FF", "offset=-1&offset=now", "offset=now&live=sse&live=sse"})
    void malformedQueryIsAClientError(String query) throws IOException {
        String path = newPath("bad-query");
        TestStreams.create(client, path, "text/plain", "abc");

        Response response = RawHttpConnection.exchange(server.port(),
                RawHttpConnection.head("GET", path + "?" + query), new byte[0]);
        assertThat("GET ?" + query, response.status(), is(clientError()));
    }

    @Test
    void garbageCursorIsIgnored() throws IOException {
        String path = newPath("bad-cursor");
        TestStreams.create(client, path, "text/plain", "abc");

        Response response = RawHttpConnection.exchange(server.port(),
                RawHttpConnection.head("GET", path + "?offset=-1&live=long-poll&cursor=%F0x"),
                new byte[0]);
        assertThat("a cursor the server cannot use is ignored", response.status(), is(200));
    }

    private static Matcher<Integer> clientError() {
        return allOf(greaterThanOrEqualTo(400), lessThan(500));
    }
}
