package io.durablestreams;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import io.durablestreams.LoopbackServer.Reply;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each resource limit at its edge, through the server's real routing: the request at the limit
 * works and the one past it is rejected with the documented status.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResourceLimitsHttpTest {

    private static final String CONTENT_TYPE = "Content-Type";
    private static final String TEXT = "text/plain";

    /**
     * Bound on a request that the server must reject without waiting: a quarter of the 60 s
     * long-poll timeout, which leaves room for other builds that load the machine.
     */
    private static final Duration PROMPT = Duration.ofSeconds(15);
    /** How long the client waits for a parked long-poll, past the 60 s server timeout. */
    private static final Duration LONG_POLL_CLIENT_TIMEOUT = Duration.ofSeconds(90);

    private LoopbackServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private Reply create(String stream) {
        return server.put(stream, CONTENT_TYPE, TEXT);
    }

    private void createOrFail(String stream) {
        assertEquals(201, create(stream).status(), "setup: PUT " + stream + " must return 201");
    }

    /** At most 3 streams. */
    @Nested
    class MaxStreams {

        @BeforeEach
        void startServer() {
            server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                    "limits.max-streams", "3")));
        }

        @Test
        void createPastLimitGets503WithRetryAfter() {
            assertEquals(201, create("s1").status(), "create 1 of 3 must work");
            assertEquals(201, create("s2").status(), "create 2 of 3 must work");
            assertEquals(201, create("s3").status(), "create 3 of 3 must work");

            Reply fourth = create("s4");

            assertEquals(503, fourth.status(), "create 4 past the limit of 3 must get 503");
            assertNotNull(fourth.header("Retry-After"), "the 503 must carry Retry-After");
            assertEquals(404, server.send("HEAD", "s4", "", new byte[0]).status(),
                    "the rejected stream must not exist");
        }

        @Test
        void idempotentRecreateAtLimitWorks() {
            createOrFail("s1");
            createOrFail("s2");
            createOrFail("s3");

            Reply again = create("s2");

            assertEquals(200, again.status(), "re-creating an existing stream with the same"
                    + " settings at the limit must return 200, since it adds no stream");
        }

        @Test
        void conflictingRecreateAtLimitGets409() {
            createOrFail("s1");
            createOrFail("s2");
            createOrFail("s3");

            Reply conflicting = server.put("s2", CONTENT_TYPE, "application/json");

            assertEquals(409, conflicting.status(), "a PUT of an existing stream with another"
                    + " content type at the limit must still report the conflict");
        }

        @Test
        void forkPastLimitGets503() {
            createOrFail("s1");
            createOrFail("s2");
            createOrFail("s3");

            Reply fork = server.put("fork", "Stream-Forked-From",
                    LoopbackServer.MOUNT_PATH + "/s1");

            assertEquals(503, fork.status(), "a fork is a new stream, so it must get 503 at"
                    + " the limit");
        }

        @Test
        void deleteFreesRoomForNewStream() {
            createOrFail("s1");
            createOrFail("s2");
            createOrFail("s3");
            assertEquals(204, server.delete("s1").status(), "setup: DELETE must work");

            Reply created = create("s4");

            assertEquals(201, created.status(), "after a delete, a new stream must fit");
        }

        @Test
        void concurrentCreatesStayWithinLimit() throws Exception {
            int attempts = 40;
            List<Future<Reply>> replies = new ArrayList<>();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < attempts; i++) {
                    String stream = "c" + i;
                    replies.add(clients.submit(() -> create(stream)));
                }
            }
            int created = 0;
            for (Future<Reply> reply : replies) {
                int status = reply.get().status();
                assertTrue(status == 201 || status == 503, "each create must get 201 or 503;"
                        + " got " + status);
                if (status == 201) {
                    created++;
                }
            }

            assertEquals(3, created, attempts + " concurrent creates of distinct streams must"
                    + " create exactly the limit of 3");
            assertEquals(3, server.store().size(), "the store must hold exactly 3 streams");
        }
    }

    /** Stream paths of at most 3 segments. */
    @Nested
    class MaxPathSegments {

        @BeforeEach
        void startServer() {
            server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                    "limits.max-path-segments", "3")));
        }

        @Test
        void pathAtLimitWorks() {
            assertEquals(201, create("a/b/c").status(), "a path of exactly 3 segments must"
                    + " be accepted");
        }

        @Test
        void pathPastLimitGets414() {
            assertEquals(414, create("a/b/c/d").status(), "PUT of a path of 4 segments must"
                    + " get 414");
            assertEquals(414, server.get("a/b/c/d", "").status(), "GET of a path of 4"
                    + " segments must get 414");
            assertEquals(414, server.post("a/b/c/d", "x", CONTENT_TYPE, TEXT).status(),
                    "POST to a path of 4 segments must get 414");
        }
    }

    /** Stream paths of at most 16 bytes of UTF-8. */
    @Nested
    class MaxPathBytes {

        @BeforeEach
        void startServer() {
            server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                    "max-path-bytes", "16")));
        }

        @Test
        void pathOfExactlyMaxBytesWorks() {
            assertEquals(201, create("a".repeat(16)).status(), "a 16-byte path must be"
                    + " accepted");
        }

        @Test
        void pathOfOneByteMoreGets414() {
            assertEquals(414, create("a".repeat(17)).status(), "a 17-byte path must get 414");
        }

        @Test
        void limitCountsDecodedUtf8Bytes() {
            // U+00E9 is two bytes in UTF-8 and six characters percent-encoded.
            String eightAccents = "%C3%A9".repeat(8);

            assertEquals(201, create(eightAccents).status(), "8 two-byte characters make"
                    + " 16 bytes, which must be accepted although the encoded path is longer");
            assertEquals(414, create(eightAccents + "a").status(), "8 two-byte characters"
                    + " and one ASCII character make 17 bytes, which must get 414");
        }

        @Test
        void slashesCountTowardLimit() {
            assertEquals(201, create("abcdefg/hijklmno").status(), "15 letters and a slash"
                    + " make 16 bytes, which must be accepted");
            assertEquals(414, create("abcdefgh/ijklmnop").status(), "16 letters and a slash"
                    + " make 17 bytes, which must get 414");
        }
    }

    /** Append bodies of at most 64 bytes. */
    @Nested
    class MaxAppendBytes {

        private static final int MAX = 64;

        @BeforeEach
        void startServer() {
            server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                    "max-append-bytes", Integer.toString(MAX))));
            createOrFail("s");
        }

        @Test
        void bodyOfExactlyMaxBytesIsAppended() {
            Reply reply = server.send("POST", "s", "", body('a', MAX), CONTENT_TYPE, TEXT);

            assertEquals(204, reply.status(), "a body of exactly " + MAX + " bytes with"
                    + " Content-Length must be appended");
            assertEquals(MAX, server.get("s", "").body().length, "all " + MAX + " bytes must"
                    + " be stored");
        }

        @Test
        void bodyOfOneByteMoreGets413() {
            Reply reply = server.send("POST", "s", "", body('a', MAX + 1), CONTENT_TYPE, TEXT);

            assertEquals(413, reply.status(), "a body of " + (MAX + 1) + " bytes with"
                    + " Content-Length must get 413");
            assertEquals(0, server.get("s", "").body().length, "nothing of the rejected body"
                    + " may be stored");
        }

        @Test
        void chunkedBodyOfExactlyMaxBytesIsAppended() {
            Reply reply = server.sendChunked("POST", "s", body('b', MAX), CONTENT_TYPE, TEXT);

            assertEquals(204, reply.status(), "a chunked body of exactly " + MAX + " bytes"
                    + " must be appended");
            assertEquals(new String(body('b', MAX), UTF_8), server.get("s", "").text(),
                    "the chunked body must be stored whole");
        }

        @Test
        void chunkedBodyOfOneByteMoreGets413() {
            Reply reply = server.sendChunked("POST", "s", body('b', MAX + 1),
                    CONTENT_TYPE, TEXT);

            assertEquals(413, reply.status(), "a chunked body of " + (MAX + 1) + " bytes"
                    + " must get 413, although its length is only known while reading it");
            assertEquals(0, server.get("s", "").body().length, "nothing of the rejected"
                    + " chunked body may be stored");
        }

        @Test
        void createBodyPastLimitGets413() {
            Reply reply = server.send("PUT", "big", "", body('c', MAX + 1),
                    CONTENT_TYPE, TEXT);

            assertEquals(413, reply.status(), "a PUT with an initial body of " + (MAX + 1)
                    + " bytes must get 413");
            assertEquals(404, server.get("big", "").status(), "the rejected PUT must not"
                    + " create the stream");
        }

        private static byte[] body(char fill, int length) {
            byte[] bytes = new byte[length];
            Arrays.fill(bytes, (byte) fill);
            return bytes;
        }
    }

    /** At most 2 live readers in all. */
    @Nested
    class MaxLiveReaders {

        @BeforeEach
        void startServer() {
            server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                    "limits.max-live-readers", "2")));
            createOrFail("s1");
            createOrFail("s2");
            createOrFail("s3");
        }

        @Test
        void readerPastLimitGets503AtOnce() {
            parkLongPoll("s1", 1);
            parkLongPoll("s2", 1);

            long started = System.nanoTime();
            Reply third = server.get("s3", "offset=now&live=long-poll");
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

            assertEquals(503, third.status(), "long-poll 3 past the limit of 2 must get 503");
            assertTrue(elapsed.compareTo(PROMPT) < 0, "the 503 must come at once, not after"
                    + " the long-poll timeout; took " + elapsed);
            assertEquals(0, server.liveReaders("s3"), "the rejected reader must not be"
                    + " counted on its stream");
        }

        @Test
        void readerPastLimitGets503WithRetryAfter() {
            parkLongPoll("s1", 1);
            parkLongPoll("s2", 1);

            Reply third = server.get("s3", "offset=now&live=long-poll");

            assertEquals(503, third.status(), "long-poll 3 past the limit of 2 must get 503");
            assertNotNull(third.header("Retry-After"), "the 503 for too many live readers asks"
                    + " clients to retry, so like the other 503s it must carry Retry-After");
        }

        @Test
        void sseReadersCountTowardLimit() {
            HttpResponse<Stream<String>> sse = server.openSse("s1", "now");
            try (Stream<String> ignored = sse.body()) {
                assertEquals(200, sse.statusCode(), "setup: the SSE read must start");
                LoopbackServer.await(() -> server.liveReaders("s1") == 1, PROMPT,
                        "the SSE reader is counted");
                parkLongPoll("s2", 1);

                Reply third = server.get("s3", "offset=now&live=sse");

                assertEquals(503, third.status(), "an SSE read past the limit of 2 live"
                        + " readers, one of them SSE, must get 503");
            }
        }

        @Test
        void readerFitsAgainAfterOneReturns() throws Exception {
            CompletableFuture<Reply> first = parkLongPoll("s1", 1);
            parkLongPoll("s2", 1);

            assertEquals(204, server.post("s1", "wake", CONTENT_TYPE, TEXT).status(),
                    "setup: the append must work");
            assertEquals(200, first.get(PROMPT.toSeconds(), TimeUnit.SECONDS).status(),
                    "the woken long-poll must return the append");

            // s1 contains data now, so this long-poll returns at once when it is served.
            Reply next = firstAcceptedRead("s1", "offset=-1&live=long-poll");
            assertEquals(200, next.status(), "after one reader returned, a new one must be"
                    + " served");
        }

        @Test
        void catchUpReadsAreNotLimited() {
            parkLongPoll("s1", 1);
            parkLongPoll("s2", 1);

            Reply catchUp = server.get("s3", "offset=-1");

            assertEquals(200, catchUp.status(), "a catch-up read is not a live reader, so the"
                    + " live reader limit must not reject it");
        }
    }

    /** At most 2 live readers of one stream. */
    @Nested
    class MaxLiveReadersPerStream {

        @BeforeEach
        void startServer() {
            server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                    "limits.max-live-readers-per-stream", "2")));
            createOrFail("s1");
            createOrFail("s2");
        }

        @Test
        void readerPastStreamLimitGets503AtOnce() {
            parkLongPoll("s1", 1);
            parkLongPoll("s1", 2);

            long started = System.nanoTime();
            Reply third = server.get("s1", "offset=now&live=long-poll");
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

            assertEquals(503, third.status(), "long-poll 3 on a stream with a limit of 2 must"
                    + " get 503");
            assertTrue(elapsed.compareTo(PROMPT) < 0, "the 503 must come at once; took "
                    + elapsed);
            assertEquals(2, server.liveReaders("s1"), "the rejected reader must not be"
                    + " counted");
        }

        @Test
        void otherStreamIsNotAffected() {
            parkLongPoll("s1", 1);
            parkLongPoll("s1", 2);

            parkLongPoll("s2", 1);

            assertEquals(1, server.liveReaders("s2"), "a full stream must not keep readers"
                    + " from other streams");
        }

        @Test
        void readerFitsAgainAfterOneReturns() throws Exception {
            CompletableFuture<Reply> first = parkLongPoll("s1", 1);
            CompletableFuture<Reply> second = parkLongPoll("s1", 2);

            assertEquals(204, server.post("s1", "wake", CONTENT_TYPE, TEXT).status(),
                    "setup: the append must work");
            assertEquals(200, first.get(PROMPT.toSeconds(), TimeUnit.SECONDS).status(),
                    "the first long-poll must return the append");
            assertEquals(200, second.get(PROMPT.toSeconds(), TimeUnit.SECONDS).status(),
                    "the second long-poll must return the append");

            Reply next = firstAcceptedRead("s1", "offset=-1&live=long-poll");
            assertEquals(200, next.status(), "after the readers returned, a new one on the"
                    + " same stream must be served");
        }

        @Test
        void concurrentReadersStayWithinStreamLimit() throws Exception {
            int attempts = 30;
            List<CompletableFuture<Reply>> polls = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                polls.add(server.getAsync("s1", "offset=now&live=long-poll",
                        LONG_POLL_CLIENT_TIMEOUT));
            }
            LoopbackServer.await(() -> polls.stream().filter(CompletableFuture::isDone).count()
                            + server.liveReaders("s1") >= attempts, Duration.ofSeconds(30),
                    "each of " + attempts + " concurrent long-polls is answered or parked");

            int rejected = 0;
            for (CompletableFuture<Reply> poll : polls) {
                if (poll.isDone() && poll.get().status() == 503) {
                    rejected++;
                }
            }

            assertEquals(attempts - 2, rejected, "of " + attempts + " concurrent long-polls on"
                    + " a stream with a limit of 2, all but 2 must get 503");
            assertEquals(2, server.liveReaders("s1"), "exactly 2 readers may be parked on the"
                    + " stream");
        }
    }

    /**
     * Starts a long-poll at the tail and waits until the stream counts it.
     *
     * @param stream the stream
     * @param expectedReaders the stream's live reader count once this one is parked
     * @return the pending response
     */
    private CompletableFuture<Reply> parkLongPoll(String stream, int expectedReaders) {
        CompletableFuture<Reply> poll = server.getAsync(stream, "offset=now&live=long-poll",
                LONG_POLL_CLIENT_TIMEOUT);
        LoopbackServer.await(() -> server.liveReaders(stream) == expectedReaders
                        || poll.isDone(), PROMPT,
                "long-poll " + expectedReaders + " on " + stream + " is parked");
        assertFalse(poll.isDone(), () -> "setup: long-poll " + expectedReaders + " on "
                + stream + " must be parked, but it returned " + poll.join().status());
        return poll;
    }

    /**
     * Sends a live read until it is not rejected for the live reader limit. A returning
     * reader's slot is released just after its response is sent, so a read sent the moment
     * that response arrives may still find the slot taken.
     */
    private Reply firstAcceptedRead(String stream, String query) {
        long deadline = System.nanoTime() + PROMPT.toNanos();
        Reply reply = server.get(stream, query);
        while (reply.status() == 503 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            reply = server.get(stream, query);
        }
        return reply;
    }
}
