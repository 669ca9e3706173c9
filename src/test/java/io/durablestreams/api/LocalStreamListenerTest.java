package io.durablestreams.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.durablestreams.config.StorageSettings;
import io.durablestreams.store.Durability;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.StreamNotFoundException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class LocalStreamListenerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private DurableStreams streams;
    private ReceivedChunks received;
    private RecordedStatuses statuses;

    @BeforeEach
    void setUp() {
        streams = DurableStreams.create(DurableStreamsTest.settings(StorageSettings.memory(),
                1024 * 1024));
        streams.create("chat/a", StreamOptions.of("text/plain"));
        received = new ReceivedChunks();
        statuses = new RecordedStatuses();
    }

    @AfterEach
    void tearDown() {
        streams.close();
    }

    private LocalStreamListener.Builder listener() {
        return streams.listener("chat/a").onData(received).onStatus(statuses);
    }

    @Test
    void listenerDeliversStoredThenLiveData() throws Exception {
        streams.append("chat/a", "a");
        streams.append("chat/a", "b");

        try (StreamListener listener = listener().build()) {
            listener.start();
            assertEquals("ab", received.awaitText("ab", WAIT));

            AppendOutcome last = streams.append("chat/a", "c");

            assertEquals("abc", received.awaitText("abc", WAIT));
            statuses.await(ListenerStatus.STREAMING, WAIT);
            assertEquals(ListenerStatus.STREAMING, listener.status());
            listener.stop();
            assertEquals(last.nextOffset(), listener.offset());
        }
    }

    @Test
    void stopAndStartResumeExactly() throws Exception {
        streams.append("chat/a", "1");
        StreamListener listener = listener().build();
        listener.start();
        received.awaitText("1", WAIT);

        listener.stop();
        streams.append("chat/a", "2");
        streams.append("chat/a", "3");

        assertEquals(ListenerStatus.IDLE, listener.status());
        assertEquals("1", received.text());

        listener.start();
        streams.append("chat/a", "4");

        assertEquals("1234", received.awaitText("1234", WAIT));
        listener.close();
        assertEquals("1234", received.text());
    }

    @Test
    void repeatedStopStartDuringWritesLosesNothing() throws Exception {
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            expected.append(i).append('\n');
        }
        StreamListener listener = listener().maxBytes(16).build();
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

    @Test
    void stopStartKeepsFileStoreUsable(@TempDir Path directory) throws Exception {
        StorageSettings storage = new StorageSettings(StorageSettings.FILE, directory,
                Durability.FSYNC, Duration.ofMillis(200), 64 * 1024, 16);
        StringBuilder expected = new StringBuilder();
        try (DurableStreams files = DurableStreams.create(DurableStreamsTest.settings(storage,
                1024 * 1024))) {
            files.create("log", StreamOptions.of("text/plain"));
            StreamListener listener = files.listener("log").onData(received).build();

            for (int i = 0; i < 20; i++) {
                listener.start();
                String line = i + "\n";
                files.append("log", line);
                expected.append(line);
                received.awaitText(expected.toString(), WAIT);
                listener.stop();
            }

            assertEquals(expected.toString(), received.text());
            assertEquals(expected.toString(), files.read("log", "-1").text());
            files.append("log", "still writable");
            listener.close();
        }
    }

    @Test
    void closedStreamEndsListener() throws Exception {
        streams.append("chat/a", "last");
        StreamListener listener = listener().build();
        listener.start();
        received.awaitText("last", WAIT);

        AppendOutcome closed = streams.close("chat/a");

        StatusChange end = statuses.await(ListenerStatus.CLOSED, WAIT);
        assertTrue(listener.awaitTermination(WAIT));
        assertEquals(ListenerStatus.CLOSED, listener.status());
        assertEquals(closed.nextOffset(), end.offset());
        assertEquals("last", received.text());
        listener.close();
    }

    @Test
    void startFromNowSkipsStoredData() throws Exception {
        streams.append("chat/a", "old");

        try (StreamListener listener = listener().from(Offset.NOW).build()) {
            listener.start();
            streams.append("chat/a", "new");

            assertEquals("new", received.awaitText("new", WAIT));
        }
    }

    @Test
    void savedOffsetResumesInNewListener() throws Exception {
        streams.append("chat/a", "first");
        String saved;
        try (StreamListener first = listener().build()) {
            first.start();
            received.awaitText("first", WAIT);
            first.stop();
            saved = first.offset();
        }
        streams.append("chat/a", "second");
        ReceivedChunks later = new ReceivedChunks();

        try (StreamListener second = streams.listener("chat/a").from(saved).onData(later)
                .build()) {
            second.start();

            assertEquals("second", later.awaitText("second", WAIT));
        }
    }

    @Test
    void handlerFailureStopsWithoutAdvancing() throws Exception {
        AppendOutcome appended = streams.append("chat/a", "data");
        AtomicBoolean fail = new AtomicBoolean(true);
        StreamListener listener = streams.listener("chat/a").onStatus(statuses)
                .onData(chunk -> {
                    if (fail.get()) {
                        throw new IllegalStateException("handler failed on purpose");
                    }
                    received.onData(chunk);
                })
                .build();

        listener.start();
        StatusChange stopped = statuses.await(ListenerStatus.IDLE, WAIT);

        assertInstanceOf(IllegalStateException.class, stopped.error().orElseThrow());
        assertTrue(listener.awaitTermination(WAIT));
        assertEquals(Offsets.START, listener.offset());

        fail.set(false);
        listener.start();

        assertEquals("data", received.awaitText("data", WAIT));
        listener.stop();
        assertEquals(appended.nextOffset(), listener.offset());
        listener.close();
    }

    @Test
    void stopFromHandlerEndsAfterChunk() throws Exception {
        AppendOutcome appended = streams.append("chat/a", "only");
        AtomicReference<StreamListener> self = new AtomicReference<>();
        StreamListener listener = streams.listener("chat/a").onStatus(statuses)
                .onData(chunk -> {
                    received.onData(chunk);
                    self.get().stop();
                })
                .build();
        self.set(listener);

        listener.start();

        assertTrue(listener.awaitTermination(WAIT));
        assertEquals("only", received.text());
        assertEquals(appended.nextOffset(), listener.offset());
        assertEquals(ListenerStatus.IDLE, listener.status());
        listener.close();
    }

    @Test
    void deletedStreamEndsListenerWithError() throws Exception {
        StreamListener listener = listener().build();
        listener.start();
        statuses.await(ListenerStatus.STREAMING, WAIT);

        streams.delete("chat/a");

        StatusChange end = statuses.await(ListenerStatus.IDLE, WAIT);
        assertInstanceOf(StreamNotFoundException.class, end.error().orElseThrow());
        assertTrue(listener.awaitTermination(WAIT));
        listener.close();
    }

    @Test
    void closingInstanceEndsListenerWithError() throws Exception {
        StreamListener listener = listener().build();
        listener.start();
        statuses.await(ListenerStatus.STREAMING, WAIT);

        streams.close();

        StatusChange end = statuses.await(ListenerStatus.IDLE, WAIT);
        assertInstanceOf(IllegalStateException.class, end.error().orElseThrow());
        assertTrue(listener.awaitTermination(WAIT));
        listener.close();
    }

    @Test
    void statusesFollowLifecycle() throws Exception {
        StreamListener listener = listener().build();
        assertEquals(ListenerStatus.IDLE, listener.status());

        listener.start();
        statuses.await(ListenerStatus.STREAMING, WAIT);
        listener.stop();

        assertEquals(List.of(ListenerStatus.CONNECTING, ListenerStatus.STREAMING,
                ListenerStatus.IDLE), statuses.statuses());
        assertEquals(ListenerStatus.IDLE, listener.status());
        listener.close();
    }

    @Test
    void startOnMissingStreamThrowsNotFound() {
        StreamListener listener = streams.listener("missing").from("now").onData(received)
                .build();

        assertThrows(StreamNotFoundException.class, listener::start);
        assertEquals(ListenerStatus.IDLE, listener.status());
    }

    @Test
    void closedListenerCannotStart() {
        StreamListener listener = listener().build();
        listener.close();

        assertThrows(IllegalStateException.class, listener::start);
    }

    @Test
    void buildWithoutHandlerFails() {
        assertThrows(IllegalStateException.class, () -> streams.listener("chat/a").build());
    }

    @Test
    void jsonChunksSplitIntoMessages() throws Exception {
        streams.create("events", StreamOptions.of("application/json"));
        streams.appendJson("events", "[{\"n\":1},{\"n\":2}]");
        ReceivedChunks events = new ReceivedChunks();

        try (StreamListener listener = streams.listener("events").onData(events).build()) {
            listener.start();
            events.awaitLength(1, WAIT);
        }

        Chunk chunk = events.chunks().getFirst();
        assertEquals(List.of("{\"n\":1}", "{\"n\":2}"), chunk.jsonMessages());
        assertFalse(chunk.isEmpty());
    }
}
