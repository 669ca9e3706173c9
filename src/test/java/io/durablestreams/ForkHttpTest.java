package io.durablestreams;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.durablestreams.ForkTestServer.Reply;
import io.durablestreams.config.ServerSettings;
import io.durablestreams.store.Offsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.durablestreams.ForkTestServer.urlPath;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Stream forking over HTTP: a PUT with {@code Stream-Forked-From} creates a stream that reads the
 * source's data up to the fork offset, followed by its own appends.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ForkHttpTest {

    private static final String FORKED_FROM = "Stream-Forked-From";
    private static final String FORK_OFFSET = "Stream-Fork-Offset";
    private static final String FORK_SUB_OFFSET = "Stream-Fork-Sub-Offset";
    private static final String CONTENT_TYPE = "Content-Type";
    private static final String NEXT_OFFSET = "Stream-Next-Offset";
    private static final String UP_TO_DATE = "Stream-Up-To-Date";
    private static final String STREAM_CLOSED = "Stream-Closed";
    private static final String STREAM_TTL = "Stream-TTL";
    private static final String STREAM_EXPIRES_AT = "Stream-Expires-At";

    private static final String TEXT = "text/plain";
    private static final String BINARY = "application/octet-stream";
    private static final String JSON = "application/json";

    /** A JSON array of zero or more {"n":k} messages, as the chunked JSON test stores. */
    private static final Pattern JSON_ARRAY =
            Pattern.compile("\\[(\\{\"n\":\\d+\\}(,\\{\"n\":\\d+\\})*)?\\]");
    private static final Pattern JSON_MESSAGE = Pattern.compile("\\{\"n\":(\\d+)\\}");

    private ForkTestServer server;

    @BeforeEach
    void startServer() {
        server = ForkTestServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Nested
    class Creation {

        @Test
        void forkWithoutOffsetStartsAtSourceTail() {
            String sourceTail = create("source", TEXT, "hello ");

            Reply fork = fork("fork", "source");
            append("source", TEXT, "source only");
            append("fork", TEXT, "fork only");

            assertEquals(201, fork.status(), "PUT of a fork must return 201 Created");
            assertEquals(sourceTail, fork.header(NEXT_OFFSET),
                    "a fork without Stream-Fork-Offset must start at the source's tail");
            assertEquals("hello fork only", readAll("fork"),
                    "the fork must read the source's data up to the fork, then its own");
            assertEquals("hello source only", readAll("source"),
                    "appends to the fork must not change the source");
        }

        @Test
        void forkAtExplicitOffsetInheritsDataBeforeIt() {
            create("source", TEXT, "abc");
            String divergence = append("source", TEXT, "defg");
            append("source", TEXT, "hi");

            Reply fork = fork("fork", "source", FORK_OFFSET, divergence);
            append("fork", TEXT, "XY");

            assertEquals(201, fork.status(), "PUT of a fork at a returned offset must succeed");
            assertEquals(divergence, fork.header(NEXT_OFFSET),
                    "the fork's tail must be the fork offset");
            assertEquals("abcdefgXY", readAll("fork"),
                    "the fork must inherit exactly the data before the fork offset");
        }

        @Test
        void forkAtZeroOffsetInheritsNothing() {
            create("source", TEXT, "abc");

            Reply fork = fork("fork", "source", FORK_OFFSET, Offsets.START);

            assertEquals(201, fork.status(), "PUT of a fork at the start must succeed");
            assertEquals(Offsets.START, fork.header(NEXT_OFFSET),
                    "a fork at the start must have its tail at the start");
            assertEquals("", readAll("fork"), "a fork at the start must read no data");

            append("fork", TEXT, "own");
            assertEquals("own", readAll("fork"), "the fork must read only its own data");
        }

        @Test
        void forkOffsetBeyondSourceTailIsRejected() {
            create("source", TEXT, "abc");

            Reply fork = fork("fork", "source", FORK_OFFSET, Offsets.format(4));

            assertEquals(400, fork.status(), "a fork offset past the source's tail must be 400");
            assertEquals(404, server.head("fork").status(), "a rejected fork must not exist");
        }

        @ParameterizedTest(name = "Stream-Fork-Offset: {0}")
        @ValueSource(strings = {"abc", "-1", "now", "3", "0000000000000000-0000000000000003",
                "0000000000000000_000000000000003"})
        void malformedForkOffsetIsRejected(String offset) {
            create("source", TEXT, "abc");

            Reply fork = fork("fork", "source", FORK_OFFSET, offset);

            assertEquals(400, fork.status(), "a malformed fork offset must be 400");
            assertEquals(404, server.head("fork").status(), "a rejected fork must not exist");
        }

        @Test
        void forkOfMissingSourceIsNotFound() {
            Reply fork = fork("fork", "missing");

            assertEquals(404, fork.status(), "forking a stream that does not exist must be 404");
            assertEquals(404, server.head("fork").status(), "a rejected fork must not exist");
        }

        @Test
        void forkInheritsSourceContentType() {
            create("source", "application/x-custom", "data");

            Reply fork = fork("fork", "source");
            Reply head = server.head("fork");

            assertEquals(201, fork.status(), "PUT of a fork without Content-Type must succeed");
            assertEquals("application/x-custom", fork.header(CONTENT_TYPE),
                    "the PUT response must name the inherited content type");
            assertEquals("application/x-custom", head.header(CONTENT_TYPE),
                    "HEAD on the fork must return the inherited content type");
        }

        @Test
        void forkWithMatchingContentTypeIsCreated() {
            create("source", "application/x-custom", "data");

            Reply fork = fork("fork", "source", CONTENT_TYPE, "application/x-custom");

            assertEquals(201, fork.status(), "a fork naming the source's content type must be"
                    + " created");
        }

        @Test
        void forkWithDifferentContentTypeConflicts() {
            create("source", "application/x-custom", "data");

            Reply fork = fork("fork", "source", CONTENT_TYPE, TEXT);

            assertEquals(409, fork.status(), "a fork with another content type must be 409");
            assertEquals(404, server.head("fork").status(), "a rejected fork must not exist");
        }

        @ParameterizedTest(name = "source {0}, request {1}")
        @MethodSource("io.durablestreams.ForkHttpTest#expiryInheritance")
        void forkExpiryFollowsInheritanceRules(ExpirySetting source, ExpirySetting request,
                                               ExpirySetting expected) {
            List<String> sourceHeaders = new ArrayList<>(List.of(CONTENT_TYPE, TEXT));
            sourceHeaders.addAll(source.sourceHeaders());
            assertEquals(201, server.put("source", sourceHeaders.toArray(String[]::new)).status(),
                    "PUT of the source must succeed");

            Reply fork = fork("fork", "source", request.forkHeaders().toArray(String[]::new));
            Reply head = server.head("fork");

            assertEquals(201, fork.status(), "PUT of the fork must succeed");
            assertEquals(expected.ttl(), head.header(STREAM_TTL),
                    "HEAD on the fork must return the expected Stream-TTL");
            assertEquals(expected.expiresAt(), instantOrNull(head.header(STREAM_EXPIRES_AT)),
                    "HEAD on the fork must return the expected Stream-Expires-At");
        }

        @Test
        void repeatedForkCreateReturnsOk() {
            create("source", TEXT, "abc");
            String divergence = append("source", TEXT, "def");
            String[] forkHeaders = {FORKED_FROM, urlPath("source"), FORK_OFFSET, divergence,
                    STREAM_TTL, "60"};
            assertEquals(201, server.put("fork", forkHeaders).status(), "first PUT must create");

            Reply again = server.put("fork", forkHeaders);

            assertEquals(200, again.status(), "repeating an identical fork PUT must return 200");
            assertEquals(divergence, again.header(NEXT_OFFSET),
                    "the repeated PUT must return the fork's tail");
        }

        @Test
        void repeatedDefaultOffsetForkReturnsOk() {
            create("source", TEXT, "abc");
            assertEquals(201, fork("fork", "source").status(), "first PUT must create");

            Reply again = fork("fork", "source");

            assertEquals(200, again.status(), "a repeated fork PUT that defaults to the same"
                    + " source tail must return 200");
        }

        @ParameterizedTest(name = "different {0}")
        @MethodSource("io.durablestreams.ForkHttpTest#conflictingRecreates")
        void repeatedForkCreateWithDifferentSettingsConflicts(String difference,
                                                                List<String> headers) {
            create("source", TEXT, "abc");
            String divergence = append("source", TEXT, "def");
            append("source", TEXT, "ghi");
            create("other", TEXT, "abcdefghi");
            assertEquals(201, server.put("fork", FORKED_FROM, urlPath("source"),
                    FORK_OFFSET, divergence, STREAM_TTL, "60").status(), "first PUT must create");

            Reply again = server.put("fork", headers.toArray(String[]::new));

            assertEquals(409, again.status(), "a fork PUT with a different " + difference
                    + " than the existing fork must be 409");
            assertEquals("abcdef", readAll("fork"), "the existing fork must be unchanged");
        }

        @Test
        void forkAtPathOfPlainStreamConflicts() {
            create("source", TEXT, "abc");
            create("taken", TEXT, "abc");

            Reply fork = fork("taken", "source");

            assertEquals(409, fork.status(), "a fork PUT at the path of a plain stream must be"
                    + " 409 even when content type and data match");
        }

        @Test
        void forkOfClosedSourceIsOpen() {
            Reply source = server.putWithBody("source", "done", CONTENT_TYPE, TEXT, STREAM_CLOSED,
                    "true");
            assertEquals("true", source.header(STREAM_CLOSED), "the source must start closed");

            Reply fork = fork("fork", "source");
            Reply forkHead = server.head("fork");
            Reply forkAppend = server.post("fork", " and more", CONTENT_TYPE, TEXT);

            assertEquals(201, fork.status(), "forking a closed stream must succeed");
            assertNull(fork.header(STREAM_CLOSED), "the fork PUT response must not report"
                    + " Stream-Closed");
            assertNull(forkHead.header(STREAM_CLOSED), "HEAD on the fork must report it open");
            assertEquals(204, forkAppend.status(), "the fork must accept appends");
            assertEquals("done and more", readAll("fork"), "the fork must read inherited and own"
                    + " data");
            assertEquals("true", server.head("source").header(STREAM_CLOSED),
                    "the source must stay closed");
        }
    }

    @Nested
    class SubOffsets {

        @Test
        void subOffsetCountsBytesInBinaryStream() {
            String first = create("source", BINARY, "0123456789");
            String second = append("source", BINARY, "abcdef");

            Reply fork = fork("fork", "source", FORK_OFFSET, first, FORK_SUB_OFFSET, "4");

            assertEquals(201, fork.status(), "a fork with a byte sub-offset must be created");
            assertEquals("0123456789abcd", readAll("fork"),
                    "the sub-offset must add 4 bytes of the next append to the inherited data");
            assertEquals(Offsets.format(14), fork.header(NEXT_OFFSET),
                    "the fork's tail must lie 4 bytes past the fork offset");
            assertEquals(Offsets.format(16), second, "the source's tail must be unchanged");
        }

        @Test
        void subOffsetMayEndExactlyAtAppendBoundary() {
            create("source", BINARY, "0123456789");
            append("source", BINARY, "abc");

            Reply fork = fork("fork", "source", FORK_OFFSET, Offsets.START, FORK_SUB_OFFSET,
                    "10");

            assertEquals(201, fork.status(), "a sub-offset that reaches the end of the append"
                    + " must be accepted");
            assertEquals("0123456789", readAll("fork"), "the fork must inherit the whole first"
                    + " append");
        }

        @Test
        void subOffsetCountsMessagesInJsonStream() {
            create("source", JSON, "[]");
            String firstBatch = append("source", JSON, "[{\"a\":1},{\"b\":2},{\"c\":3}]");
            String secondBatch = append("source", JSON, "{\"d\":4}");

            Reply firstTwo = fork("first-two", "source", FORK_OFFSET, Offsets.START,
                    FORK_SUB_OFFSET, "2");
            Reply afterBatch = fork("after-batch", "source", FORK_OFFSET, firstBatch,
                    FORK_SUB_OFFSET, "1");

            assertEquals(201, firstTwo.status(), "a fork with a message sub-offset must be"
                    + " created");
            assertEquals("[{\"a\":1},{\"b\":2}]", readAll("first-two"),
                    "a sub-offset of 2 must inherit the first two messages of the batch");
            assertEquals(201, afterBatch.status(), "a sub-offset into the second append must be"
                    + " accepted");
            assertEquals("[{\"a\":1},{\"b\":2},{\"c\":3},{\"d\":4}]", readAll("after-batch"),
                    "a sub-offset of 1 after the first batch must inherit all four messages");
            assertEquals(secondBatch, afterBatch.header(NEXT_OFFSET),
                    "the fork's tail must be the end of the inherited message");
        }

        @Test
        void zeroSubOffsetEqualsNoSubOffset() {
            create("source", BINARY, "0123456789");

            Reply fork = fork("fork", "source", FORK_SUB_OFFSET, "0");

            assertEquals(201, fork.status(), "sub-offset 0 without Stream-Fork-Offset must be"
                    + " accepted like an absent header");
            assertEquals("0123456789", readAll("fork"), "the fork must start at the source's"
                    + " tail");
        }

        @ParameterizedTest(name = "Stream-Fork-Sub-Offset: {0}")
        @ValueSource(strings = {"abc", "-1", "+1", "01", "1.5", "1e2"})
        void malformedSubOffsetIsRejected(String subOffset) {
            create("source", BINARY, "0123456789");

            Reply fork = fork("fork", "source", FORK_OFFSET, Offsets.START, FORK_SUB_OFFSET,
                    subOffset);

            assertEquals(400, fork.status(), "a malformed or negative sub-offset must be 400");
            assertEquals(404, server.head("fork").status(), "a rejected fork must not exist");
        }

        @Test
        void binarySubOffsetPastAppendBoundaryIsRejected() {
            create("source", BINARY, "0123456789");
            String tail = append("source", BINARY, "abc");

            Reply pastFirst = fork("past-first", "source", FORK_OFFSET, Offsets.START,
                    FORK_SUB_OFFSET, "11");
            Reply pastTail = fork("past-tail", "source", FORK_OFFSET, tail,
                    FORK_SUB_OFFSET, "1");

            assertEquals(400, pastFirst.status(), "a sub-offset past the end of the append after"
                    + " the fork offset must be 400, even when later appends follow");
            assertEquals(400, pastTail.status(), "a sub-offset past the tail must be 400");
        }

        @Test
        void jsonSubOffsetPastAppendBoundaryIsRejected() {
            create("source", JSON, "[]");
            String firstBatch = append("source", JSON, "[1,2]");
            append("source", JSON, "[3]");

            Reply fork = fork("fork", "source", FORK_OFFSET, Offsets.START, FORK_SUB_OFFSET,
                    "3");
            Reply atBoundary = fork("at-boundary", "source", FORK_OFFSET, Offsets.START,
                    FORK_SUB_OFFSET, "2");

            assertEquals(400, fork.status(), "a sub-offset of 3 messages in a 2-message append"
                    + " must be 400");
            assertEquals(201, atBoundary.status(), "a sub-offset of 2 messages in a 2-message"
                    + " append must be accepted");
            assertEquals(firstBatch, atBoundary.header(NEXT_OFFSET),
                    "a sub-offset of the whole append must end at the append's offset");
        }

        @Test
        void subOffsetWithoutForkedFromIsRejected() {
            Reply put = server.put("plain", CONTENT_TYPE, BINARY, FORK_SUB_OFFSET, "1");

            assertEquals(400, put.status(), "Stream-Fork-Sub-Offset without Stream-Forked-From"
                    + " must be 400");
            assertEquals(404, server.head("plain").status(), "the rejected PUT must create"
                    + " nothing");
        }

        @Test
        void forkOffsetWithoutForkedFromIsRejected() {
            Reply put = server.put("plain", CONTENT_TYPE, BINARY, FORK_OFFSET, Offsets.START);

            assertEquals(400, put.status(), "Stream-Fork-Offset without Stream-Forked-From"
                    + " must be 400");
        }

        @Test
        void positiveSubOffsetWithoutForkOffsetIsRejected() {
            create("source", BINARY, "0123456789");

            Reply fork = fork("fork", "source", FORK_SUB_OFFSET, "1");

            assertEquals(400, fork.status(), "a positive sub-offset without Stream-Fork-Offset"
                    + " must be 400");
            assertEquals(404, server.head("fork").status(), "a rejected fork must not exist");
        }

        @Test
        void binarySubOffsetsChainAcrossForksOfForks() {
            create("source", BINARY, "0123456789");
            Reply first = fork("first", "source", FORK_OFFSET, Offsets.START,
                    FORK_SUB_OFFSET, "5");
            String firstForkPoint = first.header(NEXT_OFFSET);
            append("first", BINARY, "ABC");
            append("source", BINARY, "zzz");

            Reply second = fork("second", "first", FORK_OFFSET, firstForkPoint,
                    FORK_SUB_OFFSET, "2");
            Reply intoInherited = fork("into-inherited", "first", FORK_OFFSET, Offsets.START,
                    FORK_SUB_OFFSET, "3");
            Reply wholeInherited = fork("whole-inherited", "first", FORK_OFFSET,
                    Offsets.START, FORK_SUB_OFFSET, "5");
            Reply pastInherited = fork("past-inherited", "first", FORK_OFFSET, Offsets.START,
                    FORK_SUB_OFFSET, "6");
            append("second", BINARY, "!");
            Reply third = fork("third", "second", FORK_OFFSET, firstForkPoint,
                    FORK_SUB_OFFSET, "1");
            append("third", BINARY, "#");

            assertEquals(201, first.status(), "the first fork must be created");
            assertEquals("01234ABC", readAll("first"), "the first fork must read 5 inherited"
                    + " bytes and its own");
            assertEquals(201, second.status(), "a sub-offset into a fork's own append must be"
                    + " accepted");
            assertEquals("01234AB!", readAll("second"), "the second fork must read 5 bytes of"
                    + " the source, 2 of the first fork and its own");
            assertEquals(201, intoInherited.status(), "a sub-offset into a fork's inherited"
                    + " data must be accepted");
            assertEquals("012", readAll("into-inherited"), "the fork must inherit 3 bytes");
            assertEquals(201, wholeInherited.status(), "a sub-offset up to the fork point must"
                    + " be accepted");
            assertEquals("01234", readAll("whole-inherited"), "the fork must inherit 5 bytes");
            assertEquals(400, pastInherited.status(), "a sub-offset past a fork's inherited"
                    + " data must be 400");
            assertEquals(201, third.status(), "a fork of a fork of a fork must be created");
            assertEquals("01234A#", readAll("third"), "the third fork must stitch data from"
                    + " three streams and its own");
            assertEquals("0123456789zzz", readAll("source"), "the source must be unchanged");
        }

        @Test
        void jsonSubOffsetsChainAcrossForksOfForks() {
            create("source", JSON, "[]");
            append("source", JSON, "[1,2,3]");
            append("source", JSON, "[4]");
            Reply first = fork("first", "source", FORK_OFFSET, Offsets.START,
                    FORK_SUB_OFFSET, "2");
            String firstForkPoint = first.header(NEXT_OFFSET);
            append("first", JSON, "[5,6]");

            Reply second = fork("second", "first", FORK_OFFSET, firstForkPoint,
                    FORK_SUB_OFFSET, "1");
            Reply third = fork("third", "second", FORK_OFFSET, Offsets.START,
                    FORK_SUB_OFFSET, "1");
            Reply pastInherited = fork("past-inherited", "first", FORK_OFFSET, Offsets.START,
                    FORK_SUB_OFFSET, "3");
            append("third", JSON, "7");

            assertEquals(201, first.status(), "the first fork must be created");
            assertEquals("[1,2,5,6]", readAll("first"), "the first fork must read 2 inherited"
                    + " messages and its own");
            assertEquals(201, second.status(), "the second fork must be created");
            assertEquals("[1,2,5]", readAll("second"), "the second fork must inherit one message"
                    + " of the first fork's append");
            assertEquals(201, third.status(), "the third fork must be created");
            assertEquals("[1,7]", readAll("third"), "the third fork must inherit one message");
            assertEquals(400, pastInherited.status(), "a sub-offset past a fork's inherited"
                    + " messages must be 400");
        }
    }

    @Nested
    class Reads {

        @Test
        void catchUpReadStitchesInheritedAndOwnData() {
            String inheritedMiddle = create("source", TEXT, "abc");
            String forkPoint = append("source", TEXT, "def");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");
            append("source", TEXT, "source-only");
            String forkTail = append("fork", TEXT, "XYZ");

            Reply fromStart = server.get("fork", "offset=-1");
            Reply fromInherited = server.get("fork", "offset=" + inheritedMiddle);
            Reply fromForkPoint = server.get("fork", "offset=" + forkPoint);
            Reply atTail = server.get("fork", "offset=" + forkTail);

            assertEquals("abcdefXYZ", fromStart.text(), "a read from the start must return"
                    + " inherited then own data");
            assertEquals(forkTail, fromStart.header(NEXT_OFFSET), "a read from the start must"
                    + " end at the fork's tail");
            assertEquals("defXYZ", fromInherited.text(), "a read from inside the inherited"
                    + " range must continue into the fork's own data");
            assertEquals("XYZ", fromForkPoint.text(), "a read from the fork point must return"
                    + " only the fork's own data");
            assertEquals(200, atTail.status(), "a read at the tail must succeed");
            assertEquals("", atTail.text(), "a read at the tail must return no data");
            assertEquals("true", atTail.header(UP_TO_DATE), "a read at the tail must be up to"
                    + " date");
        }

        @Test
        void jsonReadAcrossForkBoundaryReturnsOneArray() {
            create("source", JSON, "[]");
            String afterFirst = append("source", JSON, "{\"m\":1}");
            append("source", JSON, "[{\"m\":2},{\"m\":3}]");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");
            append("source", JSON, "{\"m\":99}");
            append("fork", JSON, "[{\"m\":4},{\"m\":5}]");

            Reply fromStart = server.get("fork", "offset=-1");
            Reply fromInherited = server.get("fork", "offset=" + afterFirst);

            assertEquals("[{\"m\":1},{\"m\":2},{\"m\":3},{\"m\":4},{\"m\":5}]",
                    fromStart.text(), "a read across the fork point must return one array");
            assertEquals(JSON, fromStart.header(CONTENT_TYPE), "the read must be JSON");
            assertEquals("[{\"m\":2},{\"m\":3},{\"m\":4},{\"m\":5}]",
                    fromInherited.text(), "a read from an inherited message must return one"
                            + " array up to the fork's tail");
        }

        @ParameterizedTest(name = "max-read-bytes {0}")
        @ValueSource(ints = {1, 3, 4, 7, 64})
        void chunkedBinaryReadsKeepEveryByteOnce(int maxReadBytes) {
            restartServer(ForkTestServer.settings(Duration.ofSeconds(1), maxReadBytes));
            String firstAppend = create("source", BINARY, "0123456789");
            append("source", BINARY, "abcdefghij");
            assertEquals(201, fork("fork", "source", FORK_OFFSET, firstAppend,
                    FORK_SUB_OFFSET, "3").status(), "the fork must be created");
            append("source", BINARY, "ZZZ");
            append("fork", BINARY, "KLMNOP");
            append("fork", BINARY, "qrs");

            List<String> chunks = readInChunks("fork");

            assertEquals("0123456789abcKLMNOPqrs", String.join("", chunks),
                    "the chunks must join to the fork's data without gaps or repeats");
            for (String chunk : chunks) {
                assertTrue(chunk.length() <= maxReadBytes, "chunk '" + chunk + "' must not"
                        + " exceed " + maxReadBytes + " bytes");
            }
        }

        @ParameterizedTest(name = "max-read-bytes {0}")
        @ValueSource(ints = {1, 8, 17, 64})
        void chunkedJsonReadsKeepEveryMessageOnce(int maxReadBytes) {
            restartServer(ForkTestServer.settings(Duration.ofSeconds(1), maxReadBytes));
            create("source", JSON, "[]");
            append("source", JSON, "[{\"n\":1},{\"n\":2}]");
            append("source", JSON, "{\"n\":3}");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");
            append("source", JSON, "{\"n\":99}");
            append("fork", JSON, "[{\"n\":4},{\"n\":5}]");
            append("fork", JSON, "{\"n\":6}");

            List<String> chunks = readInChunks("fork");

            List<Integer> messages = new ArrayList<>();
            for (String chunk : chunks) {
                assertTrue(JSON_ARRAY.matcher(chunk).matches(), "every chunk must be a JSON"
                        + " array of whole messages: " + chunk);
                assertFalse(chunk.equals("[]"), "every chunk short of the tail must hold a"
                        + " message");
                Matcher message = JSON_MESSAGE.matcher(chunk);
                while (message.find()) {
                    messages.add(Integer.parseInt(message.group(1)));
                }
            }
            assertEquals(List.of(1, 2, 3, 4, 5, 6), messages, "the chunks must hold every"
                    + " message of the fork once, in order");
        }

        @Test
        void forkSharesSourceOffsetsBeforeForkPoint() {
            restartServer(ForkTestServer.settings(Duration.ofSeconds(1), 4));
            create("source", BINARY, "0123456789");
            String forkPoint = append("source", BINARY, "abcdefghij");
            append("source", BINARY, "ZZZ");
            assertEquals(201, fork("fork", "source", FORK_OFFSET, forkPoint).status(),
                    "the fork must be created");
            append("fork", BINARY, "KLM");

            List<String> sourceOffsets = readOffsetsInChunks("source");
            List<String> forkOffsets = readOffsetsInChunks("fork");

            int inherited = forkOffsets.indexOf(forkPoint) + 1;
            assertTrue(inherited > 0, "a chunked read of the fork must stop at the fork point "
                    + forkPoint + ", got " + forkOffsets);
            assertEquals(sourceOffsets.subList(0, inherited), forkOffsets.subList(0, inherited),
                    "reads of the inherited range must return the source's offsets");
        }

        @Test
        void longPollInInheritedRangeReturnsWithoutWaiting() {
            restartServer(ForkTestServer.settings(Duration.ofSeconds(30), 1024 * 1024));
            String forkPoint = create("source", TEXT, "abc");
            append("source", TEXT, "def");
            assertEquals(201, fork("fork", "source", FORK_OFFSET, forkPoint).status(),
                    "the fork must be created");

            Reply reply = awaitReply(server.getAsync("fork", "offset=-1&live=long-poll",
                    Duration.ofSeconds(5)), "a long-poll in the inherited range must return"
                    + " at once, not wait for the 30 s timeout");

            assertEquals(200, reply.status(), "the long-poll must return data");
            assertEquals("abc", reply.text(), "the long-poll must return the inherited data");
            assertEquals(forkPoint, reply.header(NEXT_OFFSET), "the long-poll must end at the"
                    + " fork's tail");
        }

        @Test
        void longPollIgnoresSourceAppends() {
            restartServer(ForkTestServer.settings(Duration.ofSeconds(30), 1024 * 1024));
            create("source", TEXT, "abc");
            String forkTail = fork("fork", "source").header(NEXT_OFFSET);

            CompletableFuture<Reply> poll = server.getAsync("fork",
                    "offset=" + forkTail + "&live=long-poll", Duration.ofSeconds(20));
            assertThrows(TimeoutException.class, () -> poll.get(300, TimeUnit.MILLISECONDS),
                    "a long-poll at the fork's tail must wait for data");
            append("source", TEXT, "source data");
            assertThrows(TimeoutException.class, () -> poll.get(500, TimeUnit.MILLISECONDS),
                    "an append to the source must not end a long-poll at the fork's tail");
            append("fork", TEXT, "fork data");
            Reply reply = awaitReply(poll, "the fork append must end the long-poll");

            assertEquals(200, reply.status(), "the long-poll must return data");
            assertEquals("fork data", reply.text(), "the long-poll must return only the fork's"
                    + " own append");
        }

        @Test
        void longPollTimesOutDespiteSourceAppend() {
            create("source", TEXT, "abc");
            String forkTail = fork("fork", "source").header(NEXT_OFFSET);

            CompletableFuture<Reply> poll = server.getAsync("fork",
                    "offset=" + forkTail + "&live=long-poll", Duration.ofSeconds(10));
            append("source", TEXT, "source data");
            Reply reply = awaitReply(poll, "the long-poll must end at its 1 s timeout");

            assertEquals(204, reply.status(), "a long-poll at the fork's tail must time out"
                    + " with 204 although the source grew");
            assertEquals(forkTail, reply.header(NEXT_OFFSET), "the 204 must name the fork's"
                    + " unchanged tail");
            assertEquals("true", reply.header(UP_TO_DATE), "the 204 must be up to date");
        }

        @Test
        void longPollWakesOnForkAppend() {
            restartServer(ForkTestServer.settings(Duration.ofSeconds(30), 1024 * 1024));
            create("source", TEXT, "abc");
            String forkTail = fork("fork", "source").header(NEXT_OFFSET);

            CompletableFuture<Reply> poll = server.getAsync("fork",
                    "offset=" + forkTail + "&live=long-poll", Duration.ofSeconds(20));
            assertThrows(TimeoutException.class, () -> poll.get(300, TimeUnit.MILLISECONDS),
                    "a long-poll at the fork's tail must wait for data");
            String newTail = append("fork", TEXT, "new");
            Reply reply = awaitReply(poll, "a fork append must end the long-poll before the"
                    + " 30 s timeout");

            assertEquals(200, reply.status(), "the long-poll must return data");
            assertEquals("new", reply.text(), "the long-poll must return the fork's append");
            assertEquals(newTail, reply.header(NEXT_OFFSET), "the long-poll must end at the"
                    + " fork's new tail");
        }

        @Test
        void sseSendsInheritedThenForkData() {
            create("source", TEXT, "inherited-");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");
            append("source", TEXT, "source-after-fork-");
            append("fork", TEXT, "own-");

            HttpResponse<Stream<String>> sse = server.openSse("fork", "-1");
            try (Stream<String> body = sse.body()) {
                Iterator<String> lines = body.iterator();
                assertEquals(200, sse.statusCode(), "the SSE read must start");
                assertEquals("text/event-stream",
                        sse.headers().firstValue(CONTENT_TYPE).orElse(null),
                        "the SSE read must be an event stream");
                assertEquals("inherited-own-", sseDataUntilUpToDate(lines),
                        "SSE must send inherited data, then the fork's own");

                append("source", TEXT, "source-live-");
                append("fork", TEXT, "fork-live");
                SseEvent next = nextEvent(lines);

                assertEquals("data", next.name(), "the next event must carry data");
                assertEquals("fork-live", next.data(), "SSE must send the fork's live append"
                        + " and never the source's");
            }
        }

        @Test
        void sseOnJsonForkSendsOneArray() {
            create("source", JSON, "[1,2]");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");
            append("source", JSON, "99");
            append("fork", JSON, "[3]");

            HttpResponse<Stream<String>> sse = server.openSse("fork", "-1");
            try (Stream<String> body = sse.body()) {
                SseEvent first = nextEvent(body.iterator());

                assertEquals("data", first.name(), "the first event must carry data");
                assertEquals("[1,2,3]", first.data(), "SSE must send inherited and own"
                        + " messages in one array");
            }
        }
    }

    @Nested
    class WriterState {

        @Test
        void producerStartsFreshOnFork() {
            create("source", TEXT, "");
            assertEquals(200, producerAppend("source", "a", 2, 0).status(),
                    "the source must accept epoch 2, seq 0");
            assertEquals(200, producerAppend("source", "b", 2, 1).status(),
                    "the source must accept epoch 2, seq 1");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");

            Reply retryOnFork = producerAppend("fork", "b", 2, 1);
            Reply freshOnFork = producerAppend("fork", "c", 0, 0);
            Reply staleOnSource = producerAppend("source", "d", 0, 0);

            assertEquals(400, retryOnFork.status(), "a retry of the source's last batch must"
                    + " not be taken as a duplicate on the fork, where epoch 2 is new and must"
                    + " start at seq 0");
            assertEquals(200, freshOnFork.status(), "epoch 0, seq 0 must be accepted on the"
                    + " fork, which has no producer state");
            assertEquals("0", freshOnFork.header("Producer-Epoch"), "the fork must echo epoch 0");
            assertEquals("0", freshOnFork.header("Producer-Seq"), "the fork must echo seq 0");
            assertEquals(403, staleOnSource.status(), "the source must keep its producer state"
                    + " and fence epoch 0");
            assertEquals("abc", readAll("fork"), "the fork must hold the inherited batches and"
                    + " its own");
        }

        @Test
        void streamSeqStartsFreshOnFork() {
            create("source", TEXT, "");
            assertEquals(204, server.post("source", "a", CONTENT_TYPE, TEXT, "Stream-Seq", "m")
                    .status(), "the source must accept Stream-Seq m");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");

            Reply onFork = server.post("fork", "b", CONTENT_TYPE, TEXT, "Stream-Seq", "a");
            Reply onSource = server.post("source", "c", CONTENT_TYPE, TEXT, "Stream-Seq", "a");

            assertEquals(204, onFork.status(), "the fork must accept a Stream-Seq below the"
                    + " source's last one");
            assertEquals(409, onSource.status(), "the source must keep its Stream-Seq and"
                    + " reject a lower one");
        }
    }

    @Nested
    class SoftDelete {

        @Test
        void deletingSourceWithForkSoftDeletesIt() {
            create("source", TEXT, "abc");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");

            Reply delete = server.delete("source");

            assertEquals(204, delete.status(), "deleting a source with forks must return 204");
            assertEquals(410, server.head("source").status(), "HEAD on a soft-deleted stream"
                    + " must be 410");
            assertEquals(410, server.get("source", "offset=-1").status(), "GET on a"
                    + " soft-deleted stream must be 410");
            assertEquals(410, server.post("source", "x", CONTENT_TYPE, TEXT).status(),
                    "POST to a soft-deleted stream must be 410");
            assertEquals(410, server.delete("source").status(), "DELETE of a soft-deleted"
                    + " stream must be 410");
        }

        @Test
        void waitingLongPollEndsGoneOnSoftDelete() {
            restartServer(ForkTestServer.settings(Duration.ofSeconds(30), 1024 * 1024));
            String sourceTail = create("source", TEXT, "abc");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");

            CompletableFuture<Reply> poll = server.getAsync("source",
                    "offset=" + sourceTail + "&live=long-poll", Duration.ofSeconds(20));
            assertThrows(TimeoutException.class, () -> poll.get(300, TimeUnit.MILLISECONDS),
                    "a long-poll at the source's tail must wait for data");
            assertEquals(204, server.delete("source").status(), "the source must be deleted");
            Reply reply = awaitReply(poll, "soft-deleting the source must end its long-poll");

            assertEquals(410, server.head("source").status(), "the source must be soft-deleted");
            assertEquals(410, reply.status(), "a long-poll ended by a soft delete must return"
                    + " 410 like every other request on the soft-deleted stream, not 404: "
                    + reply.text());
        }

        @Test
        void softDeletedPathRejectsCreate() {
            create("source", TEXT, "abc");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");
            assertEquals(204, server.delete("source").status(), "the source must be deleted");

            Reply put = server.putWithBody("source", "abc", CONTENT_TYPE, TEXT);
            Reply forkPut = fork("source", "fork");

            assertEquals(409, put.status(), "PUT at a soft-deleted stream's path must be 409");
            assertEquals(409, forkPut.status(), "a fork PUT at a soft-deleted stream's path"
                    + " must be 409");
        }

        @Test
        void softDeletedSourceCannotBeForked() {
            create("source", TEXT, "abc");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");
            assertEquals(204, server.delete("source").status(), "the source must be deleted");

            Reply second = fork("second", "source");

            assertEquals(409, second.status(), "forking a soft-deleted stream must be 409");
            assertEquals(404, server.head("second").status(), "a rejected fork must not exist");
        }

        @Test
        void forkReadsAndAppendsAfterSourceSoftDelete() {
            create("source", TEXT, "abc");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");
            append("fork", TEXT, "def");
            assertEquals(204, server.delete("source").status(), "the source must be deleted");

            Reply append = server.post("fork", "ghi", CONTENT_TYPE, TEXT);

            assertEquals("abcdefghi", readAll("fork"), "the fork must still read the"
                    + " soft-deleted source's data");
            assertEquals(204, append.status(), "the fork must still accept appends");
        }

        @Test
        void deletingLastForkCleansUpSource() {
            create("source", TEXT, "abc");
            assertEquals(201, fork("first", "source").status(), "the first fork must be created");
            assertEquals(201, fork("second", "source").status(), "the second fork must be"
                    + " created");
            assertEquals(204, server.delete("source").status(), "the source must be deleted");

            assertEquals(204, server.delete("first").status(), "the first fork must be deleted");
            assertEquals(410, server.head("source").status(), "the source must stay"
                    + " soft-deleted while a fork remains");
            assertEquals("abc", readAll("second"), "the remaining fork must still read");

            assertEquals(204, server.delete("second").status(), "the last fork must be deleted");
            assertEquals(404, server.head("source").status(), "the source must be gone once its"
                    + " last fork is deleted");
            assertEquals(0, server.store().size(), "the store must hold no stream");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.durablestreams.ForkHttpTest#rejectedForks")
        void rejectedForkLeavesNoReference(String rejection, String forkPath,
                                           List<String> headers, int status) {
            create("source", TEXT, "0123456789");
            create("taken", TEXT, "0123456789");

            Reply fork = fork(forkPath, "source", headers.toArray(String[]::new));
            Reply delete = server.delete("source");

            assertEquals(status, fork.status(), "the fork PUT must be rejected: " + rejection);
            assertEquals(204, delete.status(), "the source must be deleted");
            assertEquals(404, server.head("source").status(), "the source must be deleted"
                    + " outright, not soft-deleted, because the rejected fork holds no"
                    + " reference");
            assertEquals(1, server.store().size(), "only the unrelated stream must remain");
        }
    }

    @Nested
    class Expiry {

        @Test
        void forkExpiryCleansUpSoftDeletedSource() {
            create("source", TEXT, "abc");
            assertEquals(201, fork("fork", "source", STREAM_TTL, "10").status(),
                    "the fork must be created");
            assertEquals(204, server.delete("source").status(), "the source must be deleted");
            assertEquals(410, server.head("source").status(), "the source must be"
                    + " soft-deleted while the fork lives");

            server.clock().advance(Duration.ofSeconds(11));

            assertEquals(404, server.head("fork").status(), "the fork must expire after its"
                    + " 10 s TTL");
            assertEquals(404, server.head("source").status(), "the source must be cleaned up"
                    + " once its only fork expired");
            assertEquals(0, server.store().size(), "the store must hold no stream");
        }

        @Test
        void expiredForkHoldsNoReferenceOnSource() {
            create("source", TEXT, "abc");
            assertEquals(201, fork("fork", "source", STREAM_TTL, "10").status(),
                    "the fork must be created");

            server.clock().advance(Duration.ofSeconds(11));
            assertEquals(1, server.store().reapExpired(), "the reaper must expire the fork");
            Reply delete = server.delete("source");

            assertEquals(204, delete.status(), "the source must be deleted");
            assertEquals(404, server.head("source").status(), "the source must be deleted"
                    + " outright, because its only fork expired");
            assertEquals(0, server.store().size(), "the store must hold no stream");
        }

        @Test
        void expiredSourceGoneUntilForkDeleted() {
            assertEquals(201, server.putWithBody("source", "abc", CONTENT_TYPE, TEXT, STREAM_TTL, "10")
                    .status(), "the source must be created");
            assertEquals(201, fork("fork", "source", STREAM_TTL, "1000").status(),
                    "the fork must be created");
            append("fork", TEXT, "def");

            server.clock().advance(Duration.ofSeconds(11));

            assertEquals(410, server.head("source").status(), "an expired source with forks"
                    + " must be soft-deleted");
            assertEquals(410, server.get("source", "offset=-1").status(), "GET on the expired"
                    + " source must be 410");
            assertEquals("abcdef", readAll("fork"), "the fork must still read the expired"
                    + " source's data");
            assertEquals(204, server.delete("fork").status(), "the fork must be deleted");
            assertEquals(404, server.head("source").status(), "the source must be cleaned up"
                    + " with its last fork");
            assertEquals(0, server.store().size(), "the store must hold no stream");
        }

        @Test
        void inheritedTtlSlidesIndependently() {
            assertEquals(201, server.putWithBody("source", "abc", CONTENT_TYPE, TEXT, STREAM_TTL,
                    "10").status(), "the source must be created");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");

            server.clock().advance(Duration.ofSeconds(6));
            assertEquals("abc", readAll("fork"), "the fork must read its data at 6 s");
            server.clock().advance(Duration.ofSeconds(6));

            assertEquals(410, server.head("source").status(), "the source, unread for 12 s,"
                    + " must have expired into a soft-deleted state");
            assertEquals(200, server.head("fork").status(), "the fork, read at 6 s, must live"
                    + " on with its own 10 s window");

            server.clock().advance(Duration.ofSeconds(5));

            assertEquals(404, server.head("fork").status(), "the fork must expire 10 s after its"
                    + " last read");
            assertEquals(404, server.head("source").status(), "the source must be cleaned up"
                    + " with its expired fork");
            assertEquals(0, server.store().size(), "the store must hold no stream");
        }

        @Test
        void inheritedExpiresAtEndsForkWithSource() {
            String deadline = ForkTestServer.CLOCK_START.plusSeconds(60).toString();
            assertEquals(201, server.putWithBody("source", "abc", CONTENT_TYPE, TEXT,
                    STREAM_EXPIRES_AT, deadline).status(), "the source must be created");
            assertEquals(201, fork("fork", "source").status(), "the fork must be created");
            assertEquals("abc", readAll("fork"), "the fork must read before the deadline");

            server.clock().advance(Duration.ofSeconds(61));

            assertEquals(404, server.head("fork").status(), "the fork must expire at the"
                    + " inherited Stream-Expires-At");
            assertEquals(404, server.head("source").status(), "the source must expire at its"
                    + " Stream-Expires-At");
            assertEquals(0, server.store().size(), "the store must hold no stream");
        }

        @Test
        void expiredSourceRemovedWithExpiredFork() {
            assertEquals(201, server.putWithBody("source", "abc", CONTENT_TYPE, TEXT, STREAM_TTL, "10")
                    .status(), "the source must be created");
            assertEquals(201, fork("fork", "source", STREAM_TTL, "1000").status(),
                    "the fork must be created");

            server.clock().advance(Duration.ofSeconds(11));
            assertEquals(410, server.head("source").status(), "an expired source with forks"
                    + " must be soft-deleted");
            server.clock().advance(Duration.ofSeconds(1000));
            server.store().reapExpired();

            assertEquals(404, server.head("fork").status(), "the fork must expire after its"
                    + " own TTL");
            assertEquals(404, server.head("source").status(), "the source must be cleaned up"
                    + " with its expired fork");
            assertEquals(0, server.store().size(), "the store must hold no stream");
        }
    }

    // Helpers.

    /** Creates a stream with data and returns its tail offset. */
    private String create(String stream, String contentType, String body) {
        Reply reply = server.putWithBody(stream, body, CONTENT_TYPE, contentType);
        assertEquals(201, reply.status(), "PUT " + stream + " must create it: " + reply.text());
        return reply.header(NEXT_OFFSET);
    }

    /** Appends data and returns the new tail offset. */
    private String append(String stream, String contentType, String body) {
        Reply reply = server.post(stream, body, CONTENT_TYPE, contentType);
        assertEquals(204, reply.status(), "POST to " + stream + " must append: " + reply.text());
        return reply.header(NEXT_OFFSET);
    }

    /** Sends a fork PUT with {@code Stream-Forked-From} and any further headers. */
    private Reply fork(String fork, String source, String... headers) {
        List<String> all = new ArrayList<>(List.of(FORKED_FROM, urlPath(source)));
        all.addAll(List.of(headers));
        return server.put(fork, all.toArray(String[]::new));
    }

    /** Reads a stream from the start in one catch-up read. */
    private String readAll(String stream) {
        Reply reply = server.get(stream, "offset=-1");
        assertEquals(200, reply.status(), "GET " + stream + " must succeed: " + reply.text());
        assertEquals("true", reply.header(UP_TO_DATE), "GET " + stream + " must return all"
                + " data in one read");
        return reply.text();
    }

    private void restartServer(ServerSettings settings) {
        server.close();
        server = ForkTestServer.start(settings);
    }

    /** Appends as an idempotent producer. */
    private Reply producerAppend(String stream, String body, long epoch, long seq) {
        return server.post(stream, body, CONTENT_TYPE, TEXT, "Producer-Id", "writer",
                "Producer-Epoch", Long.toString(epoch), "Producer-Seq", Long.toString(seq));
    }

    /** Reads a stream from the start, following Stream-Next-Offset until up to date. */
    private List<String> readInChunks(String stream) {
        List<String> chunks = new ArrayList<>();
        String offset = "-1";
        for (int read = 0; read < 1000; read++) {
            Reply reply = server.get(stream, "offset=" + offset);
            assertEquals(200, reply.status(), "GET " + stream + " at " + offset + " must succeed");
            chunks.add(reply.text());
            if ("true".equals(reply.header(UP_TO_DATE))) {
                return chunks;
            }
            String next = reply.header(NEXT_OFFSET);
            assertFalse(offset.equals(next), "a read short of the tail must advance the offset");
            offset = next;
        }
        return fail("reading " + stream + " did not reach the tail in 1000 reads");
    }

    /** Reads a stream from the start in chunks and returns each chunk's Stream-Next-Offset. */
    private List<String> readOffsetsInChunks(String stream) {
        List<String> offsets = new ArrayList<>();
        String offset = "-1";
        for (int read = 0; read < 1000; read++) {
            Reply reply = server.get(stream, "offset=" + offset);
            assertEquals(200, reply.status(), "GET " + stream + " at " + offset + " must succeed");
            offset = reply.header(NEXT_OFFSET);
            offsets.add(offset);
            if ("true".equals(reply.header(UP_TO_DATE))) {
                return offsets;
            }
        }
        return fail("reading " + stream + " did not reach the tail in 1000 reads");
    }

    private static Reply awaitReply(CompletableFuture<Reply> pending, String message) {
        try {
            return pending.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return fail("no response within 10 s: " + message, e);
        } catch (ExecutionException e) {
            return fail("the request failed: " + message, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while waiting: " + message, e);
        }
    }

    /** Returns the data of SSE data events up to the first control event with upToDate. */
    private static String sseDataUntilUpToDate(Iterator<String> lines) {
        StringBuilder data = new StringBuilder();
        for (int events = 0; events < 100; events++) {
            SseEvent event = nextEvent(lines);
            if ("data".equals(event.name())) {
                data.append(event.data());
            } else if (event.data().contains("\"upToDate\":true")) {
                return data.toString();
            }
        }
        return fail("no up-to-date control event within 100 events");
    }

    /** Reads one SSE event; blocks until it is complete. */
    private static SseEvent nextEvent(Iterator<String> lines) {
        String name = null;
        List<String> data = new ArrayList<>();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (name != null || !data.isEmpty()) {
                    return new SseEvent(name, String.join("\n", data));
                }
            } else if (line.startsWith("event:")) {
                name = line.substring("event:".length()).strip();
            } else if (line.startsWith("data:")) {
                String value = line.substring("data:".length());
                data.add(value.startsWith(" ") ? value.substring(1) : value);
            }
        }
        return fail("the SSE connection ended before the next event");
    }

    private record SseEvent(String name, String data) {
    }

    private static Instant instantOrNull(String value) {
        return value == null ? null : Instant.parse(value);
    }

    /**
     * A stream's expiry setting.
     *
     * @param ttl the {@code Stream-TTL} value, or null
     * @param expiresAt the {@code Stream-Expires-At} value, or null
     */
    record ExpirySetting(String ttl, Instant expiresAt) {

        static final ExpirySetting NONE = new ExpirySetting(null, null);

        static ExpirySetting ttl(String seconds) {
            return new ExpirySetting(seconds, null);
        }

        static ExpirySetting at(String instant) {
            return new ExpirySetting(null, Instant.parse(instant));
        }

        List<String> sourceHeaders() {
            return forkHeaders();
        }

        List<String> forkHeaders() {
            if (ttl != null) {
                return List.of(STREAM_TTL, ttl);
            }
            if (expiresAt != null) {
                return List.of(STREAM_EXPIRES_AT, expiresAt.toString());
            }
            return List.of();
        }

        @Override
        public String toString() {
            if (ttl != null) {
                return "TTL " + ttl;
            }
            return expiresAt != null ? "Expires-At " + expiresAt : "no expiry";
        }
    }

    static Stream<Arguments> expiryInheritance() {
        ExpirySetting sourceTtl = ExpirySetting.ttl("3600");
        ExpirySetting sourceAt = ExpirySetting.at("2030-06-01T00:00:00Z");
        ExpirySetting forkTtl = ExpirySetting.ttl("120");
        ExpirySetting forkAt = ExpirySetting.at("2031-01-01T00:00:00Z");
        return Stream.of(
                Arguments.of(ExpirySetting.NONE, ExpirySetting.NONE, ExpirySetting.NONE),
                Arguments.of(ExpirySetting.NONE, forkTtl, forkTtl),
                Arguments.of(ExpirySetting.NONE, forkAt, forkAt),
                Arguments.of(sourceTtl, ExpirySetting.NONE, sourceTtl),
                Arguments.of(sourceTtl, forkTtl, forkTtl),
                Arguments.of(sourceTtl, forkAt, forkAt),
                Arguments.of(sourceAt, ExpirySetting.NONE, sourceAt),
                Arguments.of(sourceAt, forkTtl, forkTtl),
                Arguments.of(sourceAt, forkAt, forkAt));
    }

    static Stream<Arguments> rejectedForks() {
        return Stream.of(
                Arguments.of("content type mismatch", "fork",
                        List.of(CONTENT_TYPE, "application/x-other"), 409),
                Arguments.of("offset beyond tail", "fork",
                        List.of(FORK_OFFSET, Offsets.format(100)), 400),
                Arguments.of("malformed offset", "fork", List.of(FORK_OFFSET, "abc"), 400),
                Arguments.of("sub-offset past append", "fork",
                        List.of(FORK_OFFSET, Offsets.START, FORK_SUB_OFFSET, "11"), 400),
                Arguments.of("invalid TTL", "fork", List.of(STREAM_TTL, "-5"), 400),
                Arguments.of("TTL with Expires-At", "fork", List.of(STREAM_TTL, "5",
                        STREAM_EXPIRES_AT, "2031-01-01T00:00:00Z"), 400),
                Arguments.of("target path in use", "taken", List.of(), 409));
    }

    static Stream<Arguments> conflictingRecreates() {
        String divergence = Offsets.format(6);
        return Stream.of(
                Arguments.of("fork offset", List.of(FORKED_FROM, urlPath("source"),
                        FORK_OFFSET, Offsets.format(3), STREAM_TTL, "60")),
                Arguments.of("default fork offset", List.of(FORKED_FROM, urlPath("source"),
                        STREAM_TTL, "60")),
                Arguments.of("TTL", List.of(FORKED_FROM, urlPath("source"),
                        FORK_OFFSET, divergence, STREAM_TTL, "61")),
                Arguments.of("source", List.of(FORKED_FROM, urlPath("other"),
                        FORK_OFFSET, divergence, STREAM_TTL, "60")),
                Arguments.of("closure status", List.of(FORKED_FROM, urlPath("source"),
                        FORK_OFFSET, divergence, STREAM_TTL, "60", STREAM_CLOSED, "true")),
                Arguments.of("origin (plain stream)", List.of(CONTENT_TYPE, TEXT,
                        STREAM_TTL, "60")));
    }
}
