package io.durablestreams.store.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

import io.durablestreams.store.Durability;
import io.durablestreams.store.RecoveredStream;
import io.durablestreams.store.StreamConfig;
import io.durablestreams.store.StreamLog;
import io.durablestreams.store.StreamMeta;
import io.durablestreams.store.WriterState;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checks that {@link FileStorage} keeps the number of open file descriptors bounded by its
 * {@code maxOpenFiles} setting, not by the number of streams, while it creates, reads and
 * recovers many streams.
 */
class FileStorageOpenFilesTest {

    private static final int STREAMS = 2_000;
    private static final int MAX_OPEN_FILES = 16;
    /**
     * Allowed growth of open descriptors: the idle-file cache plus headroom for descriptors the
     * JVM opens meanwhile. Far below one descriptor per stream.
     */
    private static final long MAX_DESCRIPTOR_GROWTH = 64;
    private static final Path OPEN_DESCRIPTORS = Path.of("/proc/self/fd");

    @TempDir
    Path root;

    @Test
    void twoThousandStreamsStayWithinOpenFileLimit() throws IOException {
        assumeTrue(Files.isDirectory(OPEN_DESCRIPTORS), "needs /proc/self/fd (Linux)");
        StreamConfig config = new StreamConfig("text/plain", OptionalLong.empty(),
                Optional.empty());
        Map<String, byte[]> expected = new HashMap<>();

        // Durability NONE skips thousands of fsyncs, and the descriptor count does not depend
        // on durability.
        FileStorage storage = newStorage();
        long before = countOpenDescriptors();
        Map<String, StreamLog> logs = new HashMap<>();
        for (int i = 0; i < STREAMS; i++) {
            String path = "many/stream-" + i;
            StreamMeta meta = new StreamMeta(path, "id" + i, config, Optional.empty(), 0,
                    1_700_000_000_000L);
            StreamLog log = storage.create(meta);
            byte[] data = ("record " + i + " of " + path).getBytes(UTF_8);
            long end = log.append(List.of(data),
                    new WriterState(Optional.empty(), Optional.empty(), false, 0));
            log.awaitDurable(end);
            logs.put(path, log);
            expected.put(path, data);
        }
        long afterCreate = countOpenDescriptors();
        for (Map.Entry<String, StreamLog> entry : logs.entrySet()) {
            StreamLog log = entry.getValue();
            assertArrayEquals(expected.get(entry.getKey()), log.copy(0, log.tail()),
                    "data of " + entry.getKey());
        }
        long afterRead = countOpenDescriptors();
        storage.close();

        assertDescriptorGrowth("creating " + STREAMS + " streams", before, afterCreate);
        assertDescriptorGrowth("reading " + STREAMS + " streams", before, afterRead);

        FileStorage reopened = newStorage();
        long beforeRecover = countOpenDescriptors();
        List<RecoveredStream> recovered = reopened.recover();
        long afterRecover = countOpenDescriptors();
        assertEquals(STREAMS, recovered.size(), "streams found after reopening");
        for (RecoveredStream stream : recovered) {
            byte[] data = expected.get(stream.meta().path());
            assertNotNull(data, "unexpected stream " + stream.meta().path());
            assertArrayEquals(data, stream.log().copy(0, stream.log().tail()),
                    "recovered data of " + stream.meta().path());
        }
        long afterRecoveredRead = countOpenDescriptors();
        reopened.close();

        assertDescriptorGrowth("recovering " + STREAMS + " streams", beforeRecover,
                afterRecover);
        assertDescriptorGrowth("reading " + STREAMS + " recovered streams", beforeRecover,
                afterRecoveredRead);
    }

    private FileStorage newStorage() {
        return new FileStorage(root, Durability.NONE, Duration.ofSeconds(10), 1024 * 1024,
                MAX_OPEN_FILES);
    }

    private static void assertDescriptorGrowth(String step, long before, long after) {
        assertTrue(after - before <= MAX_DESCRIPTOR_GROWTH, step + " opened " + (after - before)
                + " file descriptors that stayed open (from " + before + " to " + after
                + "); expected at most " + MAX_DESCRIPTOR_GROWTH + " with maxOpenFiles "
                + MAX_OPEN_FILES);
    }

    private static long countOpenDescriptors() throws IOException {
        try (Stream<Path> entries = Files.list(OPEN_DESCRIPTORS)) {
            return entries.count();
        }
    }
}
