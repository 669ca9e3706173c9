package io.durablestreams;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.durablestreams.RawHttpConnection.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and malformed HTTP sent byte for byte over a plain socket to the server as the
 * standalone jar assembles it (connection gate, request-head limits, error responses). Each case
 * expects a specific 4xx with a plain-text reason and, where the request cannot be trusted to
 * end where it claims, a closed connection: never a 5xx, a reset or a hang.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileInputTest {

    private static final int MAX_REQUEST_LINE_BYTES = 512;
    private static final int MAX_HEADER_BYTES = 2048;

    private static final AtomicInteger NAMES = new AtomicInteger();

    private static LoopbackServer server;

    @BeforeAll
    static void startServer() {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "limits.max-request-line-bytes", Integer.toString(MAX_REQUEST_LINE_BYTES),
                "limits.max-header-bytes", Integer.toString(MAX_HEADER_BYTES))));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "two different Content-Length values | PUT /v1/stream/h1 HTTP/1.1\\r\\nContent-Type:"
            + " text/plain\\r\\nContent-Length: 3\\r\\nContent-Length: 5\\r\\n\\r\\nabcde | 400",
        "Content-Length twice | PUT /v1/stream/h2 HTTP/1.1\\r\\nContent-Type: text/plain\\r\\n"
            + "Content-Length: 3\\r\\nContent-Length: 3\\r\\n\\r\\nabc | 400",
        "Content-Length with Transfer-Encoding | PUT /v1/stream/h3 HTTP/1.1\\r\\nContent-Type:"
            + " text/plain\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
            + "3\\r\\nabc\\r\\n0\\r\\n\\r\\n | 400",
        "negative Content-Length | PUT /v1/stream/h4 HTTP/1.1\\r\\nContent-Type: text/plain\\r\\n"
            + "Content-Length: -1\\r\\n\\r\\n | 400",
        "Content-Length not a number | PUT /v1/stream/h5 HTTP/1.1\\r\\nContent-Length: x\\r\\n"
            + "\\r\\n | 400",
        "unsupported Transfer-Encoding | PUT /v1/stream/h6 HTTP/1.1\\r\\nTransfer-Encoding:"
            + " gzip\\r\\n\\r\\n | 400",
        "invalid chunk size | PUT /v1/stream/h7 HTTP/1.1\\r\\nContent-Type: text/plain\\r\\n"
            + "Transfer-Encoding: chunked\\r\\n\\r\\nZZ\\r\\nabc\\r\\n0\\r\\n\\r\\n | 400",
        "chunk size past any body limit | PUT /v1/stream/h8 HTTP/1.1\\r\\nContent-Type:"
            + " text/plain\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nFFFFFFFFFFFFFFFFFF\\r\\n"
            + "abc\\r\\n0\\r\\n\\r\\n | 400",
        "Host twice | GET /v1/stream/h9 HTTP/1.1\\r\\nHost: b\\r\\n\\r\\n | 400",
        "folded header line | GET /v1/stream/h10 HTTP/1.1\\r\\nX-A: b\\r\\n  c\\r\\n\\r\\n | 400",
        "space in a header name | GET /v1/stream/h11 HTTP/1.1\\r\\nX A: b\\r\\n\\r\\n | 400",
        "NUL in a header value | GET /v1/stream/h12 HTTP/1.1\\r\\nX-A: a\\u0000b\\r\\n\\r\\n | 400",
        "control characters in a header value | GET /v1/stream/h13 HTTP/1.1\\r\\nX-A:"
            + " \\u0001\\u0002\\r\\n\\r\\n | 400",
        "Content-Type twice | PUT /v1/stream/h14 HTTP/1.1\\r\\nContent-Type: text/plain\\r\\n"
            + "Content-Type: application/json\\r\\nContent-Length: 0\\r\\n\\r\\n | 400",
        "tab in the path | GET /v1/stream/a\\tb HTTP/1.1\\r\\n\\r\\n | 400",
        "raw byte 0xFF in the path | GET /v1/stream/a\\u00FFb HTTP/1.1\\r\\n\\r\\n | 400",
        "encoded traversal | GET /v1/stream/a/%2e%2e/%2e%2e/etc HTTP/1.1\\r\\n\\r\\n | 400",
        "HTTP/2.0 request line | GET /v1/stream/h15 HTTP/2.0\\r\\n\\r\\n | 400",
        "HTTP/1.2 request line | GET /v1/stream/h16 HTTP/1.2\\r\\n\\r\\n | 400",
        "HTTP/0.9 request line | GET /v1/stream/h17\\r\\n\\r\\n | 400",
        "request line of garbage | GARBAGE\\r\\n\\r\\n | 400",
        "empty request line | \\r\\n\\r\\n | 400"
    })
    void malformedRequestGives4xxWithReason(String name, String request, int expected)
            throws IOException {
        try (RawHttpConnection connection = RawHttpConnection.open(port())) {
            connection.send(withHost(unescape(request)));
            Response response = connection.readResponse();
            String reason = new String(response.body().readAllBytes(), UTF_8);

            assertEquals(expected, response.status(), name);
            assertTrue(response.header("Content-Type").orElse("").startsWith("text/plain"),
                    name + ": plain-text reason");
            assertTrue(!reason.isBlank(), name + ": a reason in the body");
        }
    }

    @Test
    void requestLineLimitEdgeGives414() throws IOException {
        assertEquals(404, status(requestLineOf(MAX_REQUEST_LINE_BYTES)), "line at the limit");

        Response over = exchange(requestLineOf(MAX_REQUEST_LINE_BYTES + 1)
                + "\r\nHost: localhost\r\n\r\n");
        assertEquals(414, over.status(), "line one byte over the limit");
        assertTrue(text(over).contains(MAX_REQUEST_LINE_BYTES + " bytes"), "names the limit");
    }

    @Test
    void headerLimitEdgeGives431() throws IOException {
        assertEquals(404, exchange("GET /v1/stream/missing HTTP/1.1\r\n"
                + headerLinesOf(MAX_HEADER_BYTES) + "\r\n").status(), "headers at the limit");

        Response over = exchange("GET /v1/stream/missing HTTP/1.1\r\n"
                + headerLinesOf(MAX_HEADER_BYTES + 1) + "\r\n");
        assertEquals(431, over.status(), "headers one byte over the limit");
        assertTrue(text(over).contains(MAX_HEADER_BYTES + " bytes"), "names the limit");
    }

    @Test
    void hugeHeaderValueGives431() throws Exception {
        try (RawHttpConnection connection = RawHttpConnection.open(port())) {
            // The server responds once the limit is passed, while the client may still be
            // sending, so the sending runs on its own thread and may fail on the closed socket.
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    connection.send("GET /v1/stream/missing HTTP/1.1\r\nHost: localhost\r\n"
                            + "X-Big: " + "b".repeat(1024 * 1024) + "\r\n\r\n");
                } catch (IOException e) {
                    // Expected when the server closes before the whole header is sent.
                }
            });
            Response response = connection.readResponse();

            assertEquals(431, response.status(), "a 1 MiB header value");
            assertTrue(text(response).contains(MAX_HEADER_BYTES + " bytes"), "names the limit");
            sender.join(RawHttpConnection.READ_TIMEOUT.toMillis());
        }
    }

    @Test
    void http10RequestGives426() throws IOException {
        try (RawHttpConnection connection = RawHttpConnection.open(port())) {
            connection.send("GET /v1/stream/missing HTTP/1.0\r\nUser-Agent: old\r\n\r\n");
            Response response = connection.readResponse();
            String reason = new String(response.body().readAllBytes(), UTF_8);

            assertEquals(426, response.status(), "HTTP/1.0");
            assertEquals("HTTP/1.1", response.header("Upgrade").orElse(""), "Upgrade header");
            assertTrue(reason.contains("send the request as HTTP/1.1"),
                    "the reason names the version");
            assertTrue(connection.closedByServer(), "the connection closes after the response");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        String path = LoopbackServer.MOUNT_PATH + "/" + newName("pipelined");
        String requests = "PUT " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
                + "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 6\r\n\r\n world"
                + "GET " + path + "?offset=-1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "DELETE " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

        try (RawHttpConnection connection = RawHttpConnection.open(port())) {
            connection.send(requests);
            List<Integer> statuses = new ArrayList<>();
            String read = null;
            for (int i = 0; i < 4; i++) {
                Response response = connection.readResponse();
                String body = new String(response.body().readAllBytes(), UTF_8);
                statuses.add(response.status());
                if (i == 2) {
                    read = body;
                }
            }

            assertEquals(List.of(201, 204, 200, 204), statuses, "statuses in request order");
            assertEquals("hello world", read, "the read sees both writes sent before it");
        }
    }

    @Test
    void requestAfterMalformedOneIsDropped() throws IOException {
        String name = newName("after-garbage");
        String path = LoopbackServer.MOUNT_PATH + "/" + name;
        try (RawHttpConnection connection = RawHttpConnection.open(port())) {
            connection.send("GARBAGE\r\n\r\nPUT " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: 0\r\n\r\n");
            Response response = connection.readResponse();
            response.body().readAllBytes();

            assertEquals(400, response.status(), "the malformed request");
            assertTrue(connection.closedByServer(), "the connection closes after the answer");
        }
        assertEquals(404, server.get(name, "").status(), "the request after it created nothing");
    }

    @Test
    void bodyCutShortCreatesNothing() throws IOException {
        String name = newName("cut-short");
        String path = LoopbackServer.MOUNT_PATH + "/" + name;
        try (RawHttpConnection connection = RawHttpConnection.open(port())) {
            connection.send("PUT " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: 10\r\n\r\nhello");
            connection.shutdownOutput();
            int status = connection.readStatusOrClose();

            assertTrue(status == -1 || (status >= 400 && status < 500),
                    "a 4xx or a closed connection, not " + status);
        }
        assertEquals(404, server.get(name, "").status(), "a body cut short creates no stream");
    }

    @Test
    void unreadBodyClosesTheConnection() throws IOException {
        try (RawHttpConnection connection = RawHttpConnection.open(port())) {
            connection.send("PUT /v1/stream/" + newName("too-large") + " HTTP/1.1\r\n"
                    + "Host: localhost\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 100000000\r\n\r\nabc");
            Response response = connection.readResponse();
            response.body().readAllBytes();

            assertEquals(413, response.status(), "a body over max-append-bytes");
            assertEquals("close", response.header("Connection").orElse(""),
                    "the unread body makes the connection unusable");
            assertTrue(connection.closedByServer(), "the connection closes after the response");
        }
    }

    @Test
    void headCutShortGives400() throws IOException {
        try (RawHttpConnection connection = RawHttpConnection.open(port())) {
            connection.send("GET /v1/stream/missing HTTP/1.1\r\nHost: localhost\r\n");
            connection.shutdownOutput();
            int status = connection.readStatusOrClose();

            assertTrue(status == 400 || status == -1, "400 or a closed connection, not " + status);
        }
    }

    private static String newName(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet();
    }

    private static String requestLineOf(int bytes) {
        String prefix = "GET " + LoopbackServer.MOUNT_PATH + "/";
        String suffix = " HTTP/1.1";
        return prefix + "a".repeat(bytes - prefix.length() - suffix.length()) + suffix;
    }

    /** Header lines, each with its CRLF, whose bytes add up to exactly {@code bytes}. */
    private static String headerLinesOf(int bytes) {
        String fixed = "Host: localhost\r\n";
        String padName = "X-Pad: ";
        return fixed + padName + "p".repeat(bytes - fixed.length() - padName.length() - 2)
                + "\r\n";
    }

    private static int status(String requestLine) throws IOException {
        return exchange(requestLine + "\r\nHost: localhost\r\n\r\n").status();
    }

    private static Response exchange(String head) throws IOException {
        try (RawHttpConnection connection = RawHttpConnection.open(port())) {
            connection.send(head);
            Response response = connection.readResponse();
            return new Response(response.status(), response.headers(),
                    new ByteArrayInputStream(response.body().readAllBytes()));
        }
    }

    /** Adds a Host header after the request line, unless the case is about Host itself. */
    private static String withHost(String request) {
        int lineEnd = request.indexOf("\r\n");
        if (lineEnd < 0 || request.startsWith("\r\n")) {
            return request;
        }
        return request.substring(0, lineEnd + 2) + "Host: localhost\r\n"
                + request.substring(lineEnd + 2);
    }

    /** Turns the escapes of the case table into the bytes they stand for. */
    private static String unescape(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 >= text.length()) {
                out.append(c);
                continue;
            }
            char next = text.charAt(++i);
            switch (next) {
                case 'r' -> out.append('\r');
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'u' -> {
                    out.append((char) Integer.parseInt(text.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append('\\').append(next);
            }
        }
        return new String(out.toString().getBytes(ISO_8859_1), ISO_8859_1);
    }

    private static String text(Response response) throws IOException {
        return new String(response.body().readAllBytes(), UTF_8);
    }

    private static int port() {
        return server.server().port();
    }
}
