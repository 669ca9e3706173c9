package io.durablestreams.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.durablestreams.api.AppendOutcome;
import io.durablestreams.api.Backoff;
import io.durablestreams.api.Chunk;
import io.durablestreams.api.DurableStreams;
import io.durablestreams.api.ListenerStatus;
import io.durablestreams.api.ReceivedChunks;
import io.durablestreams.api.RecordedStatuses;
import io.durablestreams.api.StatusChange;
import io.durablestreams.api.StreamListener;
import io.durablestreams.api.StreamOptions;
import io.durablestreams.client.HttpStreamListener.Mode;
import io.durablestreams.config.StorageSettings;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class HttpStreamListenerTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Backoff FAST_RETRY = new Backoff(Duration.ofMillis(20),
            Duration.ofMillis(200));

    @TempDir
    Path directory;

    private TestServer server;
    private ReceivedChunks received;
    private RecordedStatuses statuses;

    @BeforeEach
    void setUp() {
        received = new ReceivedChunks();
        statuses = new RecordedStatuses();
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private void startServer(int maxReadBytes) {
        server = TestServer.start(0, TestServer.settings(StorageSettings.memory(), maxReadBytes,
                Duration.ofSeconds(60)), routing -> { });
        server.streams().create("chat/a", StreamOptions.of("text/plain"));
    }

    private HttpStreamListener.Builder listener(Mode mode, String path) {
        return HttpStreamListener.builder(server.streamUrl(path))
                .mode(mode)
                .backoff(FAST_RETRY)
                .requestTimeout(Duration.ofSeconds(10))
                .onData(received)
                .onStatus(statuses);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void listenerDeliversStoredThenLiveData(Mode mode) throws Exception {
        startServer(1024 * 1024);
        DurableStreams streams = server.streams();
        streams.append("chat/a", "a");
        streams.append("chat/a", "b");

        try (StreamListener listener = listener(mode, "chat/a").build()) {
            listener.start();
            assertEquals("ab", received.awaitText("ab", WAIT));

            AppendOutcome last = streams.append("chat/a", "c");

            assertEquals("abc", received.awaitText("abc", WAIT));
            listener.stop();
            assertEquals(last.nextOffset(), listener.offset());
            assertEquals(ListenerStatus.IDLE, listener.status());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void stopAndStartResumeExactly(Mode mode) throws Exception {
        startServer(1024 * 1024);
        DurableStreams streams = server.streams();
        streams.append("chat/a", "1");
        StreamListener listener = listener(mode, "chat/a").build();
        listener.start();
        received.awaitText("1", WAIT);

        listener.stop();
        streams.append("chat/a", "2");
        streams.append("chat/a", "3");
        assertEquals("1", received.text());

        listener.start();
        streams.append("chat/a", "4");

        assertEquals("1234", received.awaitText("1234", WAIT));
        listener.close();
        assertEquals("1234", received.text());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void repeatedStopStartDuringWritesLosesNothing(Mode mode) throws Exception {
        startServer(16);
        DurableStreams streams = server.streams();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            expected.append(i).append('\n');
        }
        StreamListener listener = listener(mode, "chat/a").build();
        listener.start();

        try (ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> writes = writer.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    streams.append("chat/a", i + "\n");
                }
            });
            for (int threshold : new int[] {100, 250, 400, 550}) {
                received.awaitLength(threshold, WAIT);
                listener.stop();
                listener.start();
            }
            writes.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        assertEquals(expected.toString(), received.awaitText(expected.toString(), WAIT));
        listener.close();
        assertEquals(expected.toString(), received.text());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closedStreamEndsListener(Mode mode) throws Exception {
        startServer(1024 * 1024);
        DurableStreams streams = server.streams();
        streams.append("chat/a", "last");
        StreamListener listener = listener(mode, "chat/a").build();
        listener.start();
        received.awaitText("last", WAIT);

        AppendOutcome closed = streams.close("chat/a");

        StatusChange end = statuses.await(ListenerStatus.CLOSED, WAIT);
        assertTrue(listener.awaitTermination(WAIT));
        assertEquals(closed.nextOffset(), end.offset());
        assertEquals(ListenerStatus.CLOSED, listener.status());
        assertEquals("last", received.text());
        listener.close();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void startFromNowSkipsStoredData(Mode mode) throws Exception {
        startServer(1024 * 1024);
        server.streams().append("chat/a", "old");

        try (StreamListener listener = listener(mode, "chat/a").from("now").build()) {
            listener.start();
            statuses.await(ListenerStatus.STREAMING, WAIT);
            server.streams().append("chat/a", "new");

            assertEquals("new", received.awaitText("new", WAIT));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void binaryDataArrivesByteExact(Mode mode) throws Exception {
        startServer(1024 * 1024);
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        server.streams().create("blob", StreamOptions.of("application/octet-stream"));
        server.streams().append("blob", bytes);

        try (StreamListener listener = listener(mode, "blob").build()) {
            listener.start();
            received.awaitLength(1, WAIT);
        }

        List<Chunk> chunks = received.chunks();
        assertEquals(1, chunks.size());
        assertArrayEquals(bytes, chunks.getFirst().data());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void jsonChunksSplitIntoMessages(Mode mode) throws Exception {
        startServer(1024 * 1024);
        server.streams().create("events", StreamOptions.of("application/json"));
        server.streams().appendJson("events", "[{\"n\":1},{\"n\":2}]");

        try (StreamListener listener = listener(mode, "events").build()) {
            listener.start();
            received.awaitLength(1, WAIT);
        }

        Chunk chunk = received.chunks().getFirst();
        assertTrue(chunk.isJson());
        assertEquals(List.of("{\"n\":1}", "{\"n\":2}"), chunk.jsonMessages());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void missingStreamEndsListenerWith404(Mode mode) throws Exception {
        startServer(1024 * 1024);
        StreamListener listener = listener(mode, "missing").build();

        listener.start();

        StatusChange end = statuses.await(ListenerStatus.IDLE, WAIT);
        HttpStatusException error = assertInstanceOf(HttpStatusException.class,
                end.error().orElseThrow());
        assertEquals(404, error.statusCode());
        assertTrue(listener.awaitTermination(WAIT));
        listener.close();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void serverRestartResumesExactly(Mode mode) throws Exception {
        Path data = directory.resolve("data");
        server = TestServer.start(0, TestServer.settings(TestServer.files(data), 1024 * 1024,
                Duration.ofSeconds(60)), routing -> { });
        int port = server.port();
        server.streams().create("chat/a", StreamOptions.of("text/plain"));
        server.streams().append("chat/a", "a");
        StreamListener listener = listener(mode, "chat/a").build();
        listener.start();
        received.awaitText("a", WAIT);
        int beforeStop = statuses.size();

        server.close();
        server = null;
        statuses.await(ListenerStatus.DISCONNECTED, beforeStop, WAIT);
        try (DurableStreams offline = DurableStreams.create(TestServer.settings(
                TestServer.files(data), 1024 * 1024, Duration.ofSeconds(60)))) {
            offline.append("chat/a", "b");
        }
        int beforeRestart = statuses.size();
        server = TestServer.start(port, TestServer.settings(TestServer.files(data), 1024 * 1024,
                Duration.ofSeconds(60)), routing -> { });
        statuses.await(ListenerStatus.STREAMING, beforeRestart, WAIT);
        AppendOutcome last = server.streams().append("chat/a", "c");

        assertEquals("abc", received.awaitText("abc", WAIT));
        listener.stop();
        assertEquals("abc", received.text());
        assertEquals(last.nextOffset(), listener.offset());
        listener.close();
    }

    @Test
    void sseReconnectsWhenServerEndsResponse() throws Exception {
        CountDownLatch sseRequests = new CountDownLatch(3);
        server = TestServer.start(0, TestServer.settings(StorageSettings.memory(), 1024 * 1024,
                Duration.ofMillis(200)), routing -> routing.addFilter((chain, req, res) -> {
                    if (req.query().contains("live") && req.query().get("live").equals("sse")) {
                        sseRequests.countDown();
                    }
                    chain.proceed();
                }));
        server.streams().create("chat/a", StreamOptions.of("text/plain"));
        server.streams().append("chat/a", "x");

        try (StreamListener listener = listener(Mode.SSE, "chat/a").build()) {
            listener.start();
            assertTrue(sseRequests.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            server.streams().append("chat/a", "y");

            assertEquals("xy", received.awaitText("xy", WAIT));
            listener.stop();
        }
        assertEquals("xy", received.text());
    }

    @Test
    void longPollEchoesCursor() throws Exception {
        AtomicReference<String> echoed = new AtomicReference<>();
        CountDownLatch cursorSeen = new CountDownLatch(1);
        server = TestServer.start(0, TestServer.settings(StorageSettings.memory(), 1024 * 1024,
                Duration.ofSeconds(60)), routing -> routing.addFilter((chain, req, res) -> {
                    if (req.query().contains("cursor")) {
                        echoed.set(req.query().get("cursor"));
                        cursorSeen.countDown();
                    }
                    chain.proceed();
                }));
        server.streams().create("chat/a", StreamOptions.of("text/plain"));

        try (StreamListener listener = listener(Mode.LONG_POLL, "chat/a").build()) {
            listener.start();

            assertTrue(cursorSeen.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        assertTrue(echoed.get().matches("[0-9]+"), "cursor " + echoed.get());
    }

    @Test
    void builderRejectsUrlWithQuery() {
        assertThrows(IllegalArgumentException.class, () -> HttpStreamListener.builder(
                java.net.URI.create("http://127.0.0.1:1/v1/stream/a?offset=-1")));
        assertThrows(IllegalArgumentException.class, () -> HttpStreamListener.builder(
                java.net.URI.create("ftp://127.0.0.1/a")));
    }

    @Test
    void httpStatusRetryability() {
        java.net.URI uri = java.net.URI.create("http://127.0.0.1:1/a");

        assertTrue(new HttpStatusException("GET", uri, 503, "").isRetryable());
        assertTrue(new HttpStatusException("GET", uri, 429, "").isRetryable());
        assertEquals(false, new HttpStatusException("GET", uri, 404, "").isRetryable());
        assertEquals(false, new HttpStatusException("GET", uri, 400, "").isRetryable());
    }
}
