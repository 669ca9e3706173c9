package io.durablestreams.store.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

import io.durablestreams.store.Append;
import io.durablestreams.store.CreateRequest;
import io.durablestreams.store.DurableStream;
import io.durablestreams.store.Durability;
import io.durablestreams.store.Retention;
import io.durablestreams.store.StreamStore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention on the file store: dropped segments free disk space, and restarts keep the limit. */
class FileRetentionTest {

    private static final int RECORD_BYTES = 100;
    private static final int RECORDS = 200;
    private static final int KEPT = 10;

    @TempDir
    Path dataDir;

    @Test
    void retentionDeletesOldSegmentsAndSurvivesRestart() throws IOException {
        byte[] expectedKept;
        try (StreamStore store = open()) {
            store.create("r", new CreateRequest(Optional.of("text/plain"), OptionalLong.empty(),
                    Optional.empty(), new byte[0], false, Optional.empty(),
                    new Retention(OptionalLong.empty(), OptionalLong.of(KEPT),
                            OptionalLong.empty())));
            DurableStream stream = store.require("r");
            for (int i = 0; i < RECORDS; i++) {
                store.append(stream, new Append(Optional.of("text/plain"), List.of(record(i)),
                        false, Optional.empty(), Optional.empty()));
            }

            long earliest = stream.earliest();
            assertEquals((long) (RECORDS - KEPT) * RECORD_BYTES, earliest,
                    "the earliest offset is the start of the tenth newest record");
            expectedKept = stream.read(earliest, 1 << 20).data();
            assertTrue(segmentCount() <= 3,
                    "segments below the earliest offset were deleted; left: " + segmentCount());
        }

        try (StreamStore store = open()) {
            DurableStream stream = store.require("r");
            assertEquals((long) (RECORDS - KEPT) * RECORD_BYTES, stream.earliest(),
                    "recovery applies the same retention");
            assertArrayEquals(expectedKept, stream.read(stream.earliest(), 1 << 20).data(),
                    "the kept records survive the restart byte for byte");
        }
    }

    private StreamStore open() {
        // Segments of 1 KiB hold about ten 100-byte records each.
        FileStorage storage = new FileStorage(dataDir, Durability.NONE, Duration.ofSeconds(1),
                1024, 64);
        return new StreamStore(storage, Clock.systemUTC(), Duration.ofHours(1));
    }

    private long segmentCount() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir)) {
            return files.filter(f -> f.toString().endsWith(".seg")).count();
        }
    }

    private static byte[] record(int i) {
        byte[] bytes = new byte[RECORD_BYTES];
        byte[] label = String.format("%04d:", i).getBytes(UTF_8);
        java.util.Arrays.fill(bytes, (byte) 'x');
        System.arraycopy(label, 0, bytes, 0, label.length);
        return bytes;
    }
}
