package io.durablestreams.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tests forking at the store level. Forks reference their source's data instead of copying it,
 * every fork counts as one reference on its source, and expiry releases that reference.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamStoreForkTest {

    private static final String BINARY = "application/octet-stream";
    private static final int SOURCE_BYTES = 8 * 1024 * 1024;
    private static final int FORK_COUNT = 200;
    private static final byte[] OWN_DATA = "sixteen bytes!!!".getBytes(UTF_8);

    private ForkTestClock clock;
    private StreamStore store;

    @BeforeEach
    void createStore() {
        clock = new ForkTestClock(Instant.parse("2030-01-01T00:00:00Z"));
        // Reaping only runs when a test calls reapExpired(), so that expiry is deterministic.
        store = new StreamStore(clock, Duration.ofHours(1));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void forksAllocateOnlyTheirOwnData() {
        byte[] sourceData = randomBytes(SOURCE_BYTES);
        DurableStream source = create("source", sourceData, OptionalLong.empty());
        // Loads the classes that creating a fork needs, so that loading is not measured.
        forkWithOwnData("warm-up");
        store.delete("warm-up");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemoryEnabled(), "the JVM must count allocated"
                + " bytes per thread");

        long before = threads.getCurrentThreadAllocatedBytes();
        List<DurableStream> forks = new ArrayList<>();
        for (int i = 0; i < FORK_COUNT; i++) {
            forks.add(forkWithOwnData("fork-" + i));
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertTrue(allocated < SOURCE_BYTES, "creating " + FORK_COUNT + " forks of an "
                + SOURCE_BYTES + "-byte stream and appending " + OWN_DATA.length + " bytes to"
                + " each must allocate less than one copy of the source, but allocated "
                + allocated + " bytes");
        for (DurableStream fork : forks) {
            ForkPoint point = fork.forkPoint().orElseThrow();
            assertSame(source, point.source(), fork.path() + " must reference the source");
            assertEquals(SOURCE_BYTES, point.position(), fork.path() + " must fork at the"
                    + " source's tail");
            assertEquals(OWN_DATA.length, fork.tail() - point.position(), fork.path()
                    + " must store only its own appended bytes past the fork point");
        }
        assertEquals(FORK_COUNT, source.forkCount(), "every fork must count as one reference");
        assertArrayEquals(concat(Arrays.copyOfRange(sourceData, SOURCE_BYTES - 4, SOURCE_BYTES),
                        OWN_DATA), forks.getLast().read(SOURCE_BYTES - 4, 100).data(),
                "a read across the fork point must stitch the source's and the fork's bytes");
    }

    @Test
    void forksKeepHeapGrowthBelowTwoSourceSizes() {
        create("source", randomBytes(SOURCE_BYTES), OptionalLong.empty());
        forkWithOwnData("warm-up");
        store.delete("warm-up");

        long before = usedHeapAfterGc();
        for (int i = 0; i < FORK_COUNT; i++) {
            forkWithOwnData("fork-" + i);
        }
        long after = usedHeapAfterGc();

        // Copying would add FORK_COUNT source sizes (200 x 8 MiB, about 1.7 GB). The bound
        // leaves room for JIT and other threads, so that the test does not depend on how
        // precisely the collector reports heap use.
        assertTrue(after - before < 2L * SOURCE_BYTES, "the heap must grow by less than two"
                + " source sizes for " + FORK_COUNT + " forks, but grew by "
                + (after - before) + " bytes");
        assertEquals(FORK_COUNT + 1, store.size(), "the store must still hold the source and"
                + " every fork, so that the forks were reachable when the heap was measured");
    }

    @Test
    void rejectedForksAddNoReference() {
        DurableStream source = create("source", "0123456789".getBytes(UTF_8),
                OptionalLong.empty());
        create("taken", "0123456789".getBytes(UTF_8), OptionalLong.empty());

        assertThrows(StreamConflictException.class, () -> store.create("fork",
                        forkRequest("source", Optional.of("text/plain"), Optional.empty(), 0,
                                OptionalLong.empty())),
                "a fork with another content type must be rejected");
        assertThrows(InvalidRequestException.class, () -> store.create("fork",
                        forkRequest("source", Optional.empty(), Optional.of(11L), 0,
                                OptionalLong.empty())),
                "a fork offset past the tail must be rejected");
        assertThrows(InvalidRequestException.class, () -> store.create("fork",
                        forkRequest("source", Optional.empty(), Optional.of(0L), 11,
                                OptionalLong.empty())),
                "a sub-offset past the append must be rejected");
        assertThrows(StreamConflictException.class, () -> store.create("taken",
                        forkRequest("source", Optional.empty(), Optional.empty(), 0,
                                OptionalLong.empty())),
                "a fork at a path in use must be rejected");

        assertEquals(0, source.forkCount(), "rejected forks must hold no reference");
    }

    @Test
    void repeatedForkCreateAddsNoReference() {
        DurableStream source = create("source", "abc".getBytes(UTF_8), OptionalLong.empty());

        CreateResult first = fork("fork", "source", OptionalLong.empty());
        CreateResult again = fork("fork", "source", OptionalLong.empty());

        assertTrue(first.created(), "the first create must create the fork");
        assertFalse(again.created(), "the repeated create must find the existing fork");
        assertEquals(1, source.forkCount(), "one fork must count as one reference");

        store.delete("fork");
        store.delete("source");
        assertEquals(0, store.size(), "deleting the fork, then the source, must leave an empty"
                + " store");
    }

    @Test
    void reaperExpiresForkAndReleasesSource() {
        DurableStream source = create("source", "abc".getBytes(UTF_8), OptionalLong.empty());
        fork("fork", "source", OptionalLong.of(10));
        store.delete("source");
        assertThrows(StreamGoneException.class, () -> store.require("source"),
                "a deleted source with a fork must be soft-deleted");

        clock.advance(Duration.ofSeconds(11));
        int expired = store.reapExpired();

        assertEquals(1, expired, "the reaper must expire the fork");
        assertEquals(0, source.forkCount(), "the expired fork must release its reference");
        assertEquals(0, store.size(), "the soft-deleted source must be cleaned up with its"
                + " last fork");
        assertThrows(StreamNotFoundException.class, () -> store.require("source"),
                "the source must no longer exist");
    }

    @Test
    void reaperSoftDeletesExpiredSourceWithForks() {
        create("source", "abc".getBytes(UTF_8), OptionalLong.of(10));
        DurableStream fork = fork("fork", "source", OptionalLong.of(3600)).stream();

        clock.advance(Duration.ofSeconds(11));
        int expiredSources = store.reapExpired();

        assertEquals(1, expiredSources, "the reaper must expire the source");
        assertThrows(StreamGoneException.class, () -> store.require("source"),
                "an expired source with a fork must be soft-deleted");
        assertEquals(2, store.size(), "the store must keep the source's data for its fork");
        assertArrayEquals("abc".getBytes(UTF_8), fork.read(0, 100).data(),
                "the fork must still read the expired source's data");

        clock.advance(Duration.ofHours(1));
        int expiredForks = store.reapExpired();

        assertEquals(1, expiredForks, "the reaper must expire the fork");
        assertEquals(0, store.size(), "the source must be cleaned up with its expired fork");
    }

    @Test
    void forkReadStreamsWithoutCopyingTheRange() throws IOException {
        byte[] sourceData = randomBytes(SOURCE_BYTES);
        create("source", sourceData, OptionalLong.empty());
        DurableStream fork = forkWithOwnData("fork");
        byte[] expected = concat(sourceData, OWN_DATA);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        ReadRange range = fork.range(0, Integer.MAX_VALUE);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        OutputStream discard = OutputStream.nullOutputStream();
        // Loads the classes of the read path, so that loading is not measured.
        fork.writeTo(0, 1, discard);

        long before = threads.getCurrentThreadAllocatedBytes();
        fork.writeTo(range.from(), range.next(), discard);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        fork.writeTo(range.from(), range.next(), whole);

        assertEquals(expected.length, range.length(), "the range spans source and fork");
        assertArrayEquals(expected, whole.toByteArray(), "the inherited bytes, then the own");
        assertArrayEquals(Arrays.copyOfRange(expected, 5, SOURCE_BYTES + 3),
                readRange(fork, 5, SOURCE_BYTES + 3), "a range across the fork point");
        assertTrue(allocated < 1024 * 1024, "streaming " + expected.length + " bytes must not"
                + " copy them into the heap, but allocated " + allocated + " bytes");
    }

    private static byte[] readRange(DurableStream stream, long from, long to) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        stream.writeTo(from, to, out);
        return out.toByteArray();
    }

    private DurableStream create(String path, byte[] data, OptionalLong ttlSeconds) {
        CreateRequest request = new CreateRequest(Optional.of(BINARY), ttlSeconds,
                Optional.empty(), data, false, Optional.empty());
        return store.create(path, request).stream();
    }

    private CreateResult fork(String path, String source, OptionalLong ttlSeconds) {
        return store.create(path, forkRequest(source, Optional.empty(), Optional.empty(), 0,
                ttlSeconds));
    }

    private DurableStream forkWithOwnData(String path) {
        DurableStream fork = fork(path, "source", OptionalLong.empty()).stream();
        fork.append(new Append(Optional.of(BINARY), List.of(OWN_DATA), false, Optional.empty(),
                Optional.empty()));
        return fork;
    }

    private static CreateRequest forkRequest(String source, Optional<String> contentType,
                                             Optional<Long> offset, long subOffset,
                                             OptionalLong ttlSeconds) {
        return new CreateRequest(contentType, ttlSeconds, Optional.empty(), new byte[0], false,
                Optional.of(new ForkRequest(source, offset, subOffset)));
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        // HotSpot runs a full collection on System.gc() unless ExplicitGCInvokesConcurrent is
        // set. Three of them keep garbage left by earlier tests out of the measurement.
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(42).nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] result = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, result, first.length, second.length);
        return result;
    }
}
