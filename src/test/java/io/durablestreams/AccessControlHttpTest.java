package io.durablestreams;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.durablestreams.LoopbackServer.Reply;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bearer-token access control through the server's real routing: 401 with
 * {@code WWW-Authenticate: Bearer} without valid credentials, 403 for a read token on a write,
 * and success with the right token, for every operation and both live read modes.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AccessControlHttpTest {

    private static final String READ_TOKEN = "reader-secret-0123456789";
    private static final String WRITE_TOKEN = "writer-secret-0123456789";
    private static final String AUTHORIZATION = "Authorization";
    private static final String CONTENT_TYPE = "Content-Type";
    private static final String TEXT = "text/plain";

    private LoopbackServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    /** A server that needs a read token for reads and a write token for writes. */
    @Nested
    class ReadAndWriteTokens {

        @BeforeEach
        void startServer() {
            server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                    "auth.read-tokens.0", READ_TOKEN,
                    "auth.write-tokens.0", WRITE_TOKEN)));
        }

        @Test
        void requestsWithoutTokenGet401WithChallenge() {
            createWithWriteToken("s");

            assertUnauthenticated(server.put("other", CONTENT_TYPE, TEXT), "PUT");
            assertUnauthenticated(server.post("s", "data", CONTENT_TYPE, TEXT), "POST");
            assertUnauthenticated(server.get("s", ""), "catch-up GET");
            assertUnauthenticated(server.send("HEAD", "s", "", new byte[0]), "HEAD");
            assertUnauthenticated(server.delete("s"), "DELETE");
        }

        @Test
        void requestsWithUnknownTokenGet401() {
            createWithWriteToken("s");
            String unknown = bearer("unknown-secret-0123456789");

            assertUnauthenticated(server.get("s", "", AUTHORIZATION, unknown), "GET");
            assertUnauthenticated(server.post("s", "data", CONTENT_TYPE, TEXT,
                    AUTHORIZATION, unknown), "POST");
        }

        @Test
        void readTokenOnWritesGets403() {
            createWithWriteToken("s");
            String reader = bearer(READ_TOKEN);

            assertForbidden(server.put("other", CONTENT_TYPE, TEXT, AUTHORIZATION, reader),
                    "PUT");
            assertForbidden(server.post("s", "data", CONTENT_TYPE, TEXT,
                    AUTHORIZATION, reader), "POST");
            assertForbidden(server.send("POST", "s", "", new byte[0],
                    "Stream-Closed", "true", AUTHORIZATION, reader), "close-only POST");
            assertForbidden(server.delete("s", AUTHORIZATION, reader), "DELETE");

            assertEquals(404, server.get("other", "", AUTHORIZATION, reader).status(),
                    "a PUT rejected with 403 must not create the stream");
            assertEquals("", server.get("s", "", AUTHORIZATION, reader).text(),
                    "a POST rejected with 403 must not append");
        }

        @Test
        void writeTokenAllowsEveryOperation() {
            String writer = bearer(WRITE_TOKEN);

            assertEquals(201, server.put("s", CONTENT_TYPE, TEXT, AUTHORIZATION, writer)
                    .status(), "PUT with the write token must create the stream");
            assertEquals(200, server.put("s", CONTENT_TYPE, TEXT, AUTHORIZATION, writer)
                    .status(), "a repeated PUT with the write token must return 200");
            assertEquals(204, server.post("s", "data", CONTENT_TYPE, TEXT,
                    AUTHORIZATION, writer).status(), "POST with the write token must append");
            assertEquals(200, server.get("s", "", AUTHORIZATION, writer).status(),
                    "GET with the write token must read");
            assertEquals(200, server.send("HEAD", "s", "", new byte[0],
                    AUTHORIZATION, writer).status(), "HEAD with the write token must work");
            assertEquals(204, server.delete("s", AUTHORIZATION, writer).status(),
                    "DELETE with the write token must delete");
        }

        @Test
        void readTokenAllowsCatchUpAndHead() {
            createWithWriteToken("s");
            server.post("s", "hello", CONTENT_TYPE, TEXT, AUTHORIZATION, bearer(WRITE_TOKEN));
            String reader = bearer(READ_TOKEN);

            Reply read = server.get("s", "offset=-1", AUTHORIZATION, reader);
            Reply head = server.send("HEAD", "s", "", new byte[0], AUTHORIZATION, reader);

            assertEquals(200, read.status(), "a catch-up read with the read token must work");
            assertEquals("hello", read.text(), "the read must return the appended data");
            assertEquals(200, head.status(), "HEAD with the read token must work");
        }

        @Test
        void bearerSchemeInLowerCaseIsAccepted() {
            Reply created = server.put("s", CONTENT_TYPE, TEXT,
                    AUTHORIZATION, "bearer " + WRITE_TOKEN);

            assertEquals(201, created.status(), "'bearer' in lower case must be accepted");
        }

        @Test
        void longPollWithoutTokenGets401() {
            createWithWriteToken("s");

            Reply poll = server.get("s", "offset=now&live=long-poll");

            assertUnauthenticated(poll, "long-poll GET");
        }

        @Test
        void longPollWithReadTokenReceivesData() throws Exception {
            createWithWriteToken("s");

            CompletableFuture<Reply> poll = server.getAsync("s", "offset=now&live=long-poll",
                    Duration.ofSeconds(90), AUTHORIZATION, bearer(READ_TOKEN));
            LoopbackServer.await(() -> server.liveReaders("s") == 1, Duration.ofSeconds(30),
                    "the long-poll is parked");
            server.post("s", "news", CONTENT_TYPE, TEXT, AUTHORIZATION, bearer(WRITE_TOKEN));
            Reply reply = poll.get(30, TimeUnit.SECONDS);

            assertEquals(200, reply.status(), "the parked long-poll must return the append");
            assertEquals("news", reply.text(), "the long-poll must carry the appended data");
        }

        @Test
        void sseWithoutTokenGets401() {
            createWithWriteToken("s");

            Reply sse = server.get("s", "offset=-1&live=sse");

            assertUnauthenticated(sse, "SSE GET");
        }

        @Test
        void sseWithReadTokenStreamsEvents() {
            createWithWriteToken("s");
            server.post("s", "hello", CONTENT_TYPE, TEXT, AUTHORIZATION, bearer(WRITE_TOKEN));

            HttpResponse<Stream<String>> sse = server.openSse("s", "-1",
                    AUTHORIZATION, bearer(READ_TOKEN));
            try (Stream<String> lines = sse.body()) {
                assertEquals(200, sse.statusCode(), "SSE with the read token must return 200");
                Iterator<String> it = lines.iterator();
                assertEquals("event: data", it.next(), "the first event must be data");
                assertEquals("data:hello", it.next(), "the data event must carry the text");
            }
        }

        private void createWithWriteToken(String stream) {
            Reply created = server.put(stream, CONTENT_TYPE, TEXT,
                    AUTHORIZATION, bearer(WRITE_TOKEN));
            assertEquals(201, created.status(), "setup: PUT " + stream
                    + " with the write token must return 201");
        }
    }

    /** A server with write tokens only: reads are open, writes need a token. */
    @Nested
    class WriteTokensOnly {

        @BeforeEach
        void startServer() {
            server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                    "auth.write-tokens.0", WRITE_TOKEN)));
        }

        @Test
        void readsNeedNoToken() {
            assertEquals(201, server.put("s", CONTENT_TYPE, TEXT,
                    AUTHORIZATION, bearer(WRITE_TOKEN)).status(), "setup: PUT must succeed");
            assertEquals(204, server.post("s", "data", CONTENT_TYPE, TEXT,
                    AUTHORIZATION, bearer(WRITE_TOKEN)).status(), "setup: POST must succeed");

            assertEquals(200, server.get("s", "").status(),
                    "a catch-up read without a token must work when reads are open");
            assertEquals(200, server.get("s", "offset=-1&live=long-poll").status(),
                    "a long-poll without a token must work when reads are open");
        }

        @Test
        void writesStillNeedToken() {
            assertUnauthenticated(server.put("s", CONTENT_TYPE, TEXT), "PUT without a token");
        }
    }

    private static void assertUnauthenticated(Reply reply, String request) {
        assertEquals(401, reply.status(), request + " without valid credentials must be 401;"
                + " body: " + reply.text());
        assertEquals("Bearer", reply.header("WWW-Authenticate"), request
                + " rejected with 401 must carry the challenge WWW-Authenticate: Bearer");
    }

    private static void assertForbidden(Reply reply, String request) {
        assertEquals(403, reply.status(), request + " with a read token must be 403; body: "
                + new String(reply.body(), UTF_8));
        assertTrue(reply.header("WWW-Authenticate") == null, request + " rejected with 403"
                + " must not ask for other credentials with WWW-Authenticate");
    }
}
