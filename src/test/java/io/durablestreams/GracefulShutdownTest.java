package io.durablestreams;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.durablestreams.LoopbackServer.Reply;
import io.durablestreams.BlockingSseEvents.Event;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first step of the server's graceful shutdown, {@code StreamStore.shutDownLiveReaders()},
 * on a server built the way {@code Main} builds it: parked long-polls return 204 at the tail,
 * SSE responses end after a control event with the position to resume from, and appends still
 * work until the store is closed.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GracefulShutdownTest {

    private static final String CONTENT_TYPE = "Content-Type";
    private static final String TEXT = "text/plain";
    private static final String NEXT_OFFSET = "Stream-Next-Offset";

    /**
     * Bound on what must happen at once, a quarter of the 60 s long-poll timeout, so that a
     * reader released by the shutdown cannot be mistaken for one that timed out.
     */
    private static final Duration PROMPT = Duration.ofSeconds(15);

    private static final Pattern NEXT_OFFSET_FIELD =
            Pattern.compile("\"streamNextOffset\":\"([^\"]+)\"");

    private LoopbackServer server;
    private String tail;

    @BeforeEach
    void startServerWithStream() {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of()));
        assertEquals(201, server.put("s", CONTENT_TYPE, TEXT).status(),
                "setup: PUT must create the stream");
        Reply append = server.post("s", "hello", CONTENT_TYPE, TEXT);
        assertEquals(204, append.status(), "setup: POST must append");
        tail = append.header(NEXT_OFFSET);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void parkedLongPollReturns204AtTail() throws Exception {
        CompletableFuture<Reply> poll = parkLongPoll();

        long started = System.nanoTime();
        server.store().shutDownLiveReaders();
        Reply reply = poll.get(PROMPT.toSeconds(), TimeUnit.SECONDS);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(204, reply.status(), "a parked long-poll must answer 204 on shutdown");
        assertEquals(tail, reply.header(NEXT_OFFSET), "the 204 must carry the tail, where the"
                + " client resumes");
        assertEquals("true", reply.header("Stream-Up-To-Date"), "the 204 must say the reader"
                + " is up to date");
        assertTrue(reply.header("Stream-Closed") == null, "the shutdown must not make the"
                + " stream look closed");
        assertTrue(elapsed.compareTo(PROMPT) < 0, "the long-poll must answer at once, not"
                + " after its timeout; took " + elapsed);
    }

    @Test
    void sseEndsWithFinalControlEvent() throws Exception {
        try (BlockingSseEvents sse = new BlockingSseEvents(server.openSse("s", "-1"))) {
            Event data = nextEvent(sse);
            Event caughtUp = nextEvent(sse);
            assertEquals("data", data.type(), "setup: the first event must be data");
            assertEquals("hello", data.data(), "setup: the data event must carry the text");
            assertEquals("control", caughtUp.type(), "setup: a control event must follow");
            LoopbackServer.await(() -> server.liveReaders("s") == 1, PROMPT,
                    "the SSE reader is counted");

            server.store().shutDownLiveReaders();
            Event last = nextEvent(sse);
            Optional<Event> after = sse.next(PROMPT);

            assertEquals("control", last.type(), "the shutdown must send a control event");
            assertEquals(tail, streamNextOffset(last), "the final control event must carry"
                    + " the tail as streamNextOffset");
            assertTrue(last.data().contains("\"upToDate\":true"), "the final control event"
                    + " must say the reader is up to date; got " + last.data());
            assertFalse(last.data().contains("streamClosed"), "the final control event must"
                    + " not say the stream is closed; got " + last.data());
            assertTrue(after.isEmpty(), "the SSE response must end after the final control"
                    + " event; got " + after);
        }
    }

    @Test
    void longPollAndSseBothEndOnShutdown() throws Exception {
        CompletableFuture<Reply> poll = parkLongPoll();
        try (BlockingSseEvents sse = new BlockingSseEvents(server.openSse("s", "now"))) {
            Event first = nextEvent(sse);
            assertEquals("control", first.type(), "setup: an SSE read at the tail must start"
                    + " with a control event");
            LoopbackServer.await(() -> server.liveReaders("s") == 2, PROMPT,
                    "the long-poll and the SSE reader are both counted");

            server.store().shutDownLiveReaders();
            Reply reply = poll.get(PROMPT.toSeconds(), TimeUnit.SECONDS);
            Event last = nextEvent(sse);

            assertEquals(204, reply.status(), "the long-poll must answer 204");
            assertEquals(tail, reply.header(NEXT_OFFSET), "the long-poll must carry the tail");
            assertEquals(tail, streamNextOffset(last), "the SSE reader must get the tail");
            assertTrue(sse.next(PROMPT).isEmpty(), "the SSE response must end");
            LoopbackServer.await(() -> server.liveReaders("s") == 0, PROMPT,
                    "no live reader is left on the stream");
        }
    }

    @Test
    void appendsWorkAfterLiveReadersShutDown() {
        server.store().shutDownLiveReaders();

        Reply append = server.post("s", " world", CONTENT_TYPE, TEXT);
        Reply read = server.get("s", "offset=-1");

        assertEquals(204, append.status(), "appends must work until the store is closed");
        assertEquals("hello world", read.text(), "the append must be stored");
    }

    @Test
    void longPollAfterShutdownReturnsAtOnce() {
        server.store().shutDownLiveReaders();

        long started = System.nanoTime();
        Reply reply = server.get("s", "offset=now&live=long-poll");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(204, reply.status(), "a long-poll that starts during the shutdown must"
                + " answer 204");
        assertEquals(tail, reply.header(NEXT_OFFSET), "it must carry the tail");
        assertTrue(elapsed.compareTo(PROMPT) < 0, "it must not wait for data; took "
                + elapsed);
    }

    @Test
    void longPollWithDataAfterShutdownReturnsData() {
        server.store().shutDownLiveReaders();

        Reply reply = server.get("s", "offset=-1&live=long-poll");

        assertEquals(200, reply.status(), "a long-poll behind the tail must still get data");
        assertEquals("hello", reply.text(), "it must carry the stored data");
    }

    private CompletableFuture<Reply> parkLongPoll() {
        CompletableFuture<Reply> poll = server.getAsync("s", "offset=now&live=long-poll",
                Duration.ofSeconds(90));
        LoopbackServer.await(() -> server.liveReaders("s") == 1 || poll.isDone(), PROMPT,
                "the long-poll is parked");
        assertFalse(poll.isDone(), () -> "setup: the long-poll must be parked, but it"
                + " returned " + poll.join().status());
        return poll;
    }

    private static Event nextEvent(BlockingSseEvents sse) throws InterruptedException {
        Optional<Event> event = sse.next(PROMPT);
        assertTrue(event.isPresent(), "the SSE response ended before the expected event");
        return event.get();
    }

    private static String streamNextOffset(Event control) {
        Matcher matcher = NEXT_OFFSET_FIELD.matcher(control.data());
        assertTrue(matcher.find(), "a control event must carry streamNextOffset; got "
                + control.data());
        String offset = matcher.group(1);
        assertNotNull(offset, "streamNextOffset must have a value");
        return offset;
    }
}
