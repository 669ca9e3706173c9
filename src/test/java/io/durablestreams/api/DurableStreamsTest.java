package io.durablestreams.api;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.durablestreams.config.ServerSettings;
import io.durablestreams.config.StorageSettings;
import io.durablestreams.store.Durability;
import io.durablestreams.store.InvalidRequestException;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.ProducerFencedException;
import io.durablestreams.store.ProducerSequenceGapException;
import io.durablestreams.store.StreamClosedException;
import io.durablestreams.store.StreamConflictException;
import io.durablestreams.store.StreamGoneException;
import io.durablestreams.store.StreamNotFoundException;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurableStreamsTest {

    private static final Duration LONG_WAIT = Duration.ofSeconds(10);

    private DurableStreams streams;
    private ExecutorService executor;

    @BeforeEach
    void setUp() {
        streams = DurableStreams.create(settings(StorageSettings.memory(), 1024 * 1024));
        executor = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
        streams.close();
    }

    /**
     * Returns test settings with a short long-poll timeout. They are read from configuration,
     * like the server's own, so that settings added later take their defaults here too.
     */
    static ServerSettings settings(StorageSettings storage, long maxAppendBytes) {
        Map<String, String> values = Map.of(
                "long-poll-timeout", "PT0.5S",
                "max-append-bytes", Long.toString(maxAppendBytes));
        return ServerSettings.from(Config.just(ConfigSources.create(values))).withStorage(storage);
    }

    @Test
    void createReportsCreatedThenExisting() {
        CreateOutcome first = streams.create("chat/a", StreamOptions.of("text/plain"));
        CreateOutcome second = streams.create("chat/a", StreamOptions.of("text/plain"));

        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals("text/plain", second.stream().contentType());
        assertEquals(Offsets.START, second.stream().tailOffset());
    }

    @Test
    void createWithOtherSettingsThrowsConflict() {
        streams.create("chat/a", StreamOptions.of("text/plain"));

        assertThrows(StreamConflictException.class,
                () -> streams.create("chat/a", StreamOptions.of("application/json")));
        assertThrows(StreamConflictException.class, () -> streams.create("chat/a",
                StreamOptions.builder().contentType("text/plain").closed(true).build()));
    }

    @Test
    void appendThenReadReturnsBytesAndNextOffset() {
        streams.create("chat/a", StreamOptions.of("text/plain"));
        streams.append("chat/a", "hello ");
        AppendOutcome second = streams.append("chat/a", "world");

        Chunk chunk = streams.read("chat/a", "-1");

        assertEquals("hello world", chunk.text());
        assertEquals(Offsets.START, chunk.offset());
        assertEquals(second.nextOffset(), chunk.nextOffset());
        assertEquals(Offsets.format(11), chunk.nextOffset());
        assertTrue(chunk.upToDate());
        assertFalse(chunk.closed());
        assertEquals("text/plain", chunk.contentType());
    }

    @Test
    void readWithMaxBytesReturnsPartialChunk() {
        streams.create("chat/a", StreamOptions.of("text/plain"));
        streams.append("chat/a", "hello world");

        Chunk first = streams.read("chat/a", Offset.BEGINNING, 5);
        Chunk rest = streams.read("chat/a", first.nextOffset(), 100);

        assertEquals("hello", first.text());
        assertFalse(first.upToDate());
        assertEquals(" world", rest.text());
        assertTrue(rest.upToDate());
    }

    @Test
    void readFromNowReturnsEmptyChunkAtTail() {
        streams.create("chat/a", StreamOptions.of("text/plain"));
        AppendOutcome appended = streams.append("chat/a", "old data");

        Chunk chunk = streams.read("chat/a", "now");

        assertTrue(chunk.isEmpty());
        assertTrue(chunk.upToDate());
        assertEquals(appended.nextOffset(), chunk.nextOffset());
    }

    @Test
    void missingStreamThrowsNotFound() {
        assertThrows(StreamNotFoundException.class, () -> streams.read("nope", "-1"));
        assertThrows(StreamNotFoundException.class, () -> streams.append("nope", "x"));
        assertThrows(StreamNotFoundException.class, () -> streams.metadata("nope"));
        assertThrows(StreamNotFoundException.class, () -> streams.delete("nope"));
        assertThrows(StreamNotFoundException.class, () -> streams.close("nope"));
        assertThrows(StreamNotFoundException.class,
                () -> streams.readLive("nope", "-1", Duration.ofMillis(10)));
        assertFalse(streams.exists("nope"));
    }

    @Test
    void appendToClosedStreamThrowsClosed() {
        streams.create("chat/a", StreamOptions.of("text/plain"));
        streams.append("chat/a", "last words");
        AppendOutcome closed = streams.close("chat/a");

        StreamClosedException error = assertThrows(StreamClosedException.class,
                () -> streams.append("chat/a", "more"));

        assertTrue(closed.closed());
        assertEquals(Offsets.parse(closed.nextOffset()), error.tail());
        assertTrue(streams.close("chat/a").closed(), "closing again succeeds");
        assertTrue(streams.metadata("chat/a").closed());
    }

    @Test
    void readAtEndOfClosedStreamReportsClosed() {
        streams.create("chat/a", StreamOptions.builder().contentType("text/plain")
                .initialData("all of it").closed(true).build());

        Chunk whole = streams.read("chat/a", "-1");
        Chunk end = streams.read("chat/a", whole.nextOffset());

        assertEquals("all of it", whole.text());
        assertTrue(whole.closed());
        assertTrue(end.isEmpty());
        assertTrue(end.closed());
    }

    @Test
    void deletedSourceWithForkThrowsGone() {
        streams.create("docs/a", StreamOptions.builder().contentType("text/plain")
                .initialData("draft").build());
        streams.create("docs/a-branch", StreamOptions.builder().forkOf("docs/a").build());
        streams.append("docs/a-branch", " revised");

        streams.delete("docs/a");

        assertThrows(StreamGoneException.class, () -> streams.metadata("docs/a"));
        assertThrows(StreamGoneException.class, () -> streams.read("docs/a", "-1"));
        assertThrows(StreamGoneException.class, () -> streams.delete("docs/a"));
        assertEquals("draft revised", streams.read("docs/a-branch", "-1").text());
    }

    @Test
    void forkAtOffsetReadsSourcePrefix() {
        streams.create("docs/a", StreamOptions.of("text/plain"));
        AppendOutcome first = streams.append("docs/a", "one ");
        streams.append("docs/a", "two");

        streams.create("docs/b", StreamOptions.builder().forkOf("docs/a")
                .forkOffset(Offset.of(first.nextOffset())).build());

        assertEquals("one ", streams.read("docs/b", "-1").text());
        assertEquals("text/plain", streams.metadata("docs/b").contentType());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a", "a/", "a//b", "a/./b", "a/../b", ".", "a\u0001b"})
    void invalidPathThrowsInvalidRequest(String path) {
        assertThrows(InvalidRequestException.class,
                () -> streams.create(path, StreamOptions.of("text/plain")));
        assertThrows(InvalidRequestException.class, () -> streams.read(path, "-1"));
    }

    @Test
    void pathWithTooManySegmentsThrowsInvalidRequest() {
        int max = streams.settings().security().maxPathSegments();
        String path = String.join("/", java.util.Collections.nCopies(max + 1, "a"));

        assertThrows(InvalidRequestException.class,
                () -> streams.create(path, StreamOptions.of("text/plain")));
    }

    @Test
    void emptyPathThrowsInvalidRequest() {
        assertThrows(InvalidRequestException.class,
                () -> streams.create("", StreamOptions.of("text/plain")));
    }

    @Test
    void invalidOffsetThrowsInvalidRequest() {
        streams.create("chat/a", StreamOptions.of("text/plain"));
        streams.append("chat/a", "abc");

        assertThrows(InvalidRequestException.class, () -> streams.read("chat/a", "latest"));
        assertThrows(InvalidRequestException.class, () -> Offset.of("12"));
        assertThrows(InvalidRequestException.class,
                () -> streams.read("chat/a", Offsets.format(4)), "beyond the tail");
    }

    @Test
    void emptyAppendThrowsInvalidRequest() {
        streams.create("chat/a", StreamOptions.of("text/plain"));

        assertThrows(InvalidRequestException.class, () -> streams.append("chat/a", new byte[0]));
    }

    @Test
    void appendLargerThanLimitThrowsInvalidRequest() {
        try (DurableStreams small = DurableStreams.create(settings(StorageSettings.memory(), 4))) {
            small.create("chat/a", StreamOptions.of("text/plain"));

            assertThrows(InvalidRequestException.class, () -> small.append("chat/a", "12345"));
            assertEquals(Offsets.format(4), small.append("chat/a", "1234").nextOffset());
        }
    }

    @Test
    void appendWithOtherContentTypeThrowsConflict() {
        streams.create("chat/a", StreamOptions.of("text/plain"));

        assertThrows(StreamConflictException.class, () -> streams.appendJson("chat/a", "{}"));
        assertThrows(StreamConflictException.class, () -> streams.append("chat/a",
                "x".getBytes(UTF_8), AppendOptions.defaults().withContentType("text/html")));
    }

    @Test
    void invalidJsonThrowsInvalidRequest() {
        streams.create("events", StreamOptions.of("application/json"));

        assertThrows(InvalidRequestException.class, () -> streams.appendJson("events", "{"));
        assertThrows(InvalidRequestException.class, () -> streams.appendJson("events", "[]"));
        assertThrows(InvalidRequestException.class, () -> streams.append("events", "1 2"));
        assertThrows(InvalidRequestException.class, () -> streams.create("other",
                StreamOptions.builder().contentType("application/json").initialData("{x")
                        .build()));
    }

    @Test
    void invalidJsonOnClosedStreamThrowsClosed() {
        streams.create("events", StreamOptions.builder().contentType("application/json")
                .closed(true).build());

        assertThrows(StreamClosedException.class, () -> streams.appendJson("events", "{"));
    }

    @Test
    void streamSeqRegressionThrowsConflict() {
        streams.create("chat/a", StreamOptions.of("text/plain"));
        streams.append("chat/a", "a".getBytes(UTF_8), AppendOptions.defaults().withStreamSeq("002"));

        assertThrows(StreamConflictException.class, () -> streams.append("chat/a",
                "b".getBytes(UTF_8), AppendOptions.defaults().withStreamSeq("001")));
        assertThrows(StreamConflictException.class, () -> streams.append("chat/a",
                "b".getBytes(UTF_8), AppendOptions.defaults().withStreamSeq("002")));
        streams.append("chat/a", "c".getBytes(UTF_8), AppendOptions.defaults().withStreamSeq("003"));
        assertEquals("ac", streams.read("chat/a", "-1").text());
    }

    @Test
    void producerRetryIsReportedAsDuplicate() {
        streams.create("orders", StreamOptions.of("text/plain"));
        AppendOptions batch0 = AppendOptions.defaults().withProducer("svc-1", 0, 0);

        AppendOutcome first = streams.append("orders", "a".getBytes(UTF_8), batch0);
        AppendOutcome retry = streams.append("orders", "a".getBytes(UTF_8), batch0);

        assertFalse(first.duplicate());
        assertTrue(retry.duplicate());
        assertEquals(first.nextOffset(), retry.nextOffset());
        assertEquals(0, retry.producer().orElseThrow().seq());
        assertEquals("a", streams.read("orders", "-1").text());
    }

    @Test
    void staleProducerEpochThrowsFenced() {
        streams.create("orders", StreamOptions.of("text/plain"));
        streams.append("orders", "a".getBytes(UTF_8),
                AppendOptions.defaults().withProducer("svc-1", 1, 0));

        ProducerFencedException error = assertThrows(ProducerFencedException.class,
                () -> streams.append("orders", "b".getBytes(UTF_8),
                        AppendOptions.defaults().withProducer("svc-1", 0, 1)));

        assertEquals(1, error.currentEpoch());
    }

    @Test
    void producerSequenceGapThrowsGap() {
        streams.create("orders", StreamOptions.of("text/plain"));
        streams.append("orders", "a".getBytes(UTF_8),
                AppendOptions.defaults().withProducer("svc-1", 0, 0));

        ProducerSequenceGapException error = assertThrows(ProducerSequenceGapException.class,
                () -> streams.append("orders", "c".getBytes(UTF_8),
                        AppendOptions.defaults().withProducer("svc-1", 0, 2)));

        assertEquals(1, error.expected());
        assertEquals(2, error.received());
    }

    @Test
    void appendWithCloseClosesAtomically() {
        streams.create("chat/a", StreamOptions.of("text/plain"));

        AppendOutcome outcome = streams.append("chat/a", "bye".getBytes(UTF_8),
                AppendOptions.defaults().withClose());

        assertTrue(outcome.closed());
        Chunk chunk = streams.read("chat/a", "-1");
        assertEquals("bye", chunk.text());
        assertTrue(chunk.closed());
    }

    @Test
    void jsonReadReturnsOneArray() {
        streams.create("events", StreamOptions.of("application/json"));
        streams.appendJson("events", "[{\"a\":1}, {\"b\":\"x,y\"}]");
        streams.appendJson("events", "\"solo\"");

        Chunk chunk = streams.read("events", "-1");

        assertEquals("[{\"a\":1},{\"b\":\"x,y\"},\"solo\"]", chunk.text());
        assertEquals(List.of("{\"a\":1}", "{\"b\":\"x,y\"}", "\"solo\""), chunk.jsonMessages());
    }

    @Test
    void readMessagesReturnsEachMessageWithOffsets() {
        streams.create("events", StreamOptions.builder().contentType("application/json")
                .initialData("[[1,2], {\"k\": \"v, w\"}]").build());
        AppendOutcome last = streams.appendJson("events", "  \"third\"  ");

        List<Message> messages = streams.readMessages("events", "-1");

        assertEquals(3, messages.size());
        assertEquals("[1,2]", messages.get(0).json());
        assertEquals("{\"k\": \"v, w\"}", messages.get(1).json());
        assertEquals("\"third\"", messages.get(2).json());
        assertEquals(Offsets.START, messages.get(0).offset());
        assertEquals(messages.get(0).nextOffset(), messages.get(1).offset());
        assertEquals(messages.get(1).nextOffset(), messages.get(2).offset());
        assertEquals(last.nextOffset(), messages.get(2).nextOffset());

        List<Message> fromSecond = streams.readMessages("events", messages.get(1).offset());
        assertEquals(messages.subList(1, 3), fromSecond);
        assertEquals(List.of(), streams.readMessages("events", last.nextOffset()));
    }

    @Test
    void readMessagesInsideMessageThrowsInvalidRequest() {
        streams.create("events", StreamOptions.of("application/json"));
        streams.appendJson("events", "{\"a\":1}");

        assertThrows(InvalidRequestException.class,
                () -> streams.readMessages("events", Offsets.format(1)));
    }

    @Test
    void readMessagesOfByteStreamThrowsInvalidRequest() {
        streams.create("chat/a", StreamOptions.of("text/plain"));

        assertThrows(InvalidRequestException.class, () -> streams.readMessages("chat/a", "-1"));
    }

    @Test
    void readLiveReturnsDataAppendedDuringWait() throws Exception {
        streams.create("chat/a", StreamOptions.of("text/plain"));
        String tail = streams.metadata("chat/a").tailOffset();

        Future<Chunk> live = executor.submit(() -> streams.readLive("chat/a", tail, LONG_WAIT));
        streams.append("chat/a", "news");
        Chunk chunk = live.get(LONG_WAIT.toSeconds(), TimeUnit.SECONDS);

        assertEquals("news", chunk.text());
        assertEquals(tail, chunk.offset());
    }

    @Test
    void readLiveReturnsStoredDataAtOnce() throws Exception {
        streams.create("chat/a", StreamOptions.of("text/plain"));
        streams.append("chat/a", "stored");

        Chunk chunk = streams.readLive("chat/a", "-1", LONG_WAIT);

        assertEquals("stored", chunk.text());
    }

    @Test
    void readLiveTimeoutReturnsEmptyChunk() throws Exception {
        streams.create("chat/a", StreamOptions.of("text/plain"));

        Chunk chunk = streams.readLive("chat/a", "now", Duration.ofMillis(20));

        assertTrue(chunk.isEmpty());
        assertTrue(chunk.upToDate());
        assertFalse(chunk.closed());
    }

    @Test
    void readLiveReturnsClosedWhenStreamCloses() throws Exception {
        streams.create("chat/a", StreamOptions.of("text/plain"));
        String tail = streams.metadata("chat/a").tailOffset();

        Future<Chunk> live = executor.submit(() -> streams.readLive("chat/a", tail, LONG_WAIT));
        streams.close("chat/a");
        Chunk chunk = live.get(LONG_WAIT.toSeconds(), TimeUnit.SECONDS);

        assertTrue(chunk.isEmpty());
        assertTrue(chunk.closed());
    }

    @Test
    void readLiveEndsWhenInstanceCloses() throws Exception {
        streams.create("chat/a", StreamOptions.of("text/plain"));
        String tail = streams.metadata("chat/a").tailOffset();

        Future<Chunk> live = executor.submit(() -> streams.readLive("chat/a", tail, LONG_WAIT));
        streams.close();
        Chunk chunk = live.get(LONG_WAIT.toSeconds(), TimeUnit.SECONDS);

        assertTrue(chunk.isEmpty());
        assertEquals(tail, chunk.nextOffset());
    }

    @Test
    void readLiveOnDeletedStreamThrowsNotFound() throws Exception {
        streams.create("chat/a", StreamOptions.of("text/plain"));
        String tail = streams.metadata("chat/a").tailOffset();

        Future<Chunk> live = executor.submit(() -> streams.readLive("chat/a", tail, LONG_WAIT));
        streams.delete("chat/a");
        var error = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> live.get(LONG_WAIT.toSeconds(), TimeUnit.SECONDS));

        assertEquals(StreamNotFoundException.class, error.getCause().getClass());
    }

    @Test
    void metadataReportsSettings() {
        Instant expiry = Instant.parse("2099-01-01T00:00:00Z");
        streams.create("a", StreamOptions.builder().contentType("text/plain")
                .ttl(Duration.ofHours(1)).build());
        streams.create("b", StreamOptions.builder().contentType("application/json")
                .expiresAt(expiry).initialData("[1]").closed(true).build());

        StreamInfo a = streams.metadata("a");
        StreamInfo b = streams.metadata("b");

        assertEquals(Optional.of(Duration.ofHours(1)), a.ttl());
        assertEquals(Optional.empty(), a.expiresAt());
        assertFalse(a.closed());
        assertFalse(a.isJson());
        assertEquals(Optional.empty(), b.ttl());
        assertEquals(Optional.of(expiry), b.expiresAt());
        assertTrue(b.closed());
        assertTrue(b.isJson());
        assertEquals(Offsets.format(2), b.tailOffset());
    }

    @Test
    void optionsWithTtlAndExpiryAreRejected() {
        StreamOptions.Builder builder = StreamOptions.builder().ttl(Duration.ofSeconds(5))
                .expiresAt(Instant.now());

        assertThrows(IllegalArgumentException.class, builder::build);
        assertThrows(IllegalArgumentException.class,
                () -> StreamOptions.builder().ttl(Duration.ofMillis(1500)));
    }

    @Test
    void deleteRemovesStream() {
        streams.create("chat/a", StreamOptions.of("text/plain"));

        streams.delete("chat/a");

        assertFalse(streams.exists("chat/a"));
        assertTrue(streams.create("chat/a", StreamOptions.of("application/json")).created());
    }

    @Test
    void fileStoreKeepsDataAcrossReopen(@TempDir Path directory) {
        StorageSettings storage = new StorageSettings(StorageSettings.FILE, directory,
                Durability.FSYNC, Duration.ofMillis(200), 64 * 1024, 16);
        String tail;
        try (DurableStreams first = DurableStreams.create(settings(storage, 1024 * 1024))) {
            first.create("chat/a", StreamOptions.of("text/plain"));
            first.append("chat/a", "kept");
            tail = first.close("chat/a").nextOffset();
        }

        try (DurableStreams second = DurableStreams.create(settings(storage, 1024 * 1024))) {
            Chunk chunk = second.read("chat/a", "-1");

            assertArrayEquals("kept".getBytes(UTF_8), chunk.data());
            assertEquals(tail, chunk.nextOffset());
            assertTrue(chunk.closed());
        }
    }
}
