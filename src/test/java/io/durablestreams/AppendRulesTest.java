package io.durablestreams;

import java.time.Clock;
import java.time.Duration;

import io.durablestreams.http.ProtocolHeaders;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.StreamStore;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.durablestreams.TestStreams.bodyText;
import static io.durablestreams.TestStreams.header;
import static io.durablestreams.TestStreams.newPath;
import static io.durablestreams.TestStreams.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Which appends a stream accepts: {@code Stream-Seq} ordering, idempotent producers, appends to
 * closed streams, and the order in which conflicts are reported.
 */
@RoutingTest
class AppendRulesTest {

    private static final String TEXT = "text/plain";
    private static final StreamStore STORE = new StreamStore(Clock.systemUTC(),
            Duration.ofMinutes(1));

    private final Http1Client client;

    AppendRulesTest(DirectClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Main.routing(routing, STORE,
                TestSettings.withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(5)));
    }

    @AfterAll
    static void closeStore() {
        STORE.close();
    }

    @Test
    void streamSeqMustStrictlyIncrease() {
        String path = newPath("seq");
        TestStreams.create(client, path, TEXT, "");

        assertThat("first Stream-Seq", seqAppend(path, "a", "1"), is(Status.NO_CONTENT_204));
        assertThat("larger Stream-Seq", seqAppend(path, "b", "2"), is(Status.NO_CONTENT_204));
        assertThat("repeated Stream-Seq", seqAppend(path, "b", "x"), is(Status.CONFLICT_409));
        assertThat("smaller Stream-Seq", seqAppend(path, "a", "y"), is(Status.CONFLICT_409));
        assertThat("rejected appends store nothing", readAll(path), is("12"));
    }

    @Test
    void streamSeqComparesBytesNotNumbers() {
        String path = newPath("seq-bytes");
        TestStreams.create(client, path, TEXT, "");

        assertThat("Stream-Seq 9", seqAppend(path, "9", "a"), is(Status.NO_CONTENT_204));
        assertThat("'10' sorts before '9' byte-wise", seqAppend(path, "10", "b"),
                is(Status.CONFLICT_409));
        assertThat("'90' sorts after '9'", seqAppend(path, "90", "c"), is(Status.NO_CONTENT_204));
        assertThat("'9a' sorts before '90'", seqAppend(path, "9a", "d"),
                is(Status.NO_CONTENT_204));
    }

    @Test
    void emptyStreamSeqIsRejected() {
        String path = newPath("seq-empty");
        TestStreams.create(client, path, TEXT, "");

        assertThat("empty Stream-Seq", seqAppend(path, "", "x"), is(Status.BAD_REQUEST_400));
    }

    @Test
    void rejectedAppendDoesNotConsumeStreamSeq() {
        String path = newPath("seq-after-conflict");
        TestStreams.create(client, path, TEXT, "");

        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, "application/octet-stream")
                .header(ProtocolHeaders.STREAM_SEQ, "b")
                .submit("x")) {
            assertThat("append with another content type", response.status(),
                    is(Status.CONFLICT_409));
        }
        assertThat("the same Stream-Seq with the right content type",
                seqAppend(path, "b", "y"), is(Status.NO_CONTENT_204));
    }

    @Test
    void newProducerAppendReturns200() {
        String path = newPath("producer-new");
        TestStreams.create(client, path, TEXT, "");

        try (HttpClientResponse response = producerAppend(path, "writer", 0, 0, "a")) {
            assertThat("first batch of a producer", response.status(), is(Status.OK_200));
            assertThat("the epoch is echoed", header(response, ProtocolHeaders.PRODUCER_EPOCH),
                    is("0"));
            assertThat("the accepted sequence is returned",
                    header(response, ProtocolHeaders.PRODUCER_SEQ), is("0"));
            assertThat("the new tail is returned",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET),
                    is(Offsets.format(1)));
        }
        try (HttpClientResponse response = producerAppend(path, "writer", 0, 1, "b")) {
            assertThat("next batch of the producer", response.status(), is(Status.OK_200));
        }
    }

    @Test
    void duplicateBatchReturns204WithHighestSeq() {
        String path = newPath("producer-duplicate");
        TestStreams.create(client, path, TEXT, "");
        for (int seq = 0; seq <= 2; seq++) {
            try (HttpClientResponse response = producerAppend(path, "writer", 0, seq, "m" + seq)) {
                assertThat("batch " + seq, response.status(), is(Status.OK_200));
            }
        }

        try (HttpClientResponse response = producerAppend(path, "writer", 0, 1, "m1")) {
            assertThat("a retried batch is a duplicate", response.status(),
                    is(Status.NO_CONTENT_204));
            assertThat("the duplicate reports the epoch",
                    header(response, ProtocolHeaders.PRODUCER_EPOCH), is("0"));
            assertThat("the duplicate reports the highest accepted sequence",
                    header(response, ProtocolHeaders.PRODUCER_SEQ), is("2"));
        }
        assertThat("the duplicate stored nothing", readAll(path), is("m0m1m2"));
    }

    @Test
    void jsonBatchIsDeduplicatedAsAWhole() {
        String path = newPath("producer-json");
        TestStreams.create(client, path, "application/json", "");

        try (HttpClientResponse response = producerAppend(path, "application/json", "writer", 0,
                0, "[1,2,3]")) {
            assertThat("a batch of three messages", response.status(), is(Status.OK_200));
        }
        try (HttpClientResponse response = producerAppend(path, "application/json", "writer", 0,
                0, "[1,2,3]")) {
            assertThat("the retried batch", response.status(), is(Status.NO_CONTENT_204));
        }
        assertThat("each message is stored once", readAll(path), is("[1,2,3]"));
    }

    @Test
    void staleEpochReturns403WithCurrentEpoch() {
        String path = newPath("producer-fenced");
        TestStreams.create(client, path, TEXT, "");
        acceptedProducerAppend(path, "writer", 0, 0, "a");
        try (HttpClientResponse response = producerAppend(path, "writer", 1, 0, "b")) {
            assertThat("a new epoch starting at 0", response.status(), is(Status.OK_200));
        }

        try (HttpClientResponse response = producerAppend(path, "writer", 0, 1, "zombie")) {
            assertThat("the old epoch is fenced", response.status(), is(Status.FORBIDDEN_403));
            assertThat("the response names the current epoch",
                    header(response, ProtocolHeaders.PRODUCER_EPOCH), is("1"));
        }
        assertThat("the fenced batch stored nothing", readAll(path), is("ab"));
    }

    @Test
    void fencedProducerCanClaimNextEpoch() {
        String path = newPath("producer-claim");
        TestStreams.create(client, path, TEXT, "");
        acceptedProducerAppend(path, "writer", 5, 0, "a");

        try (HttpClientResponse response = producerAppend(path, "writer", 0, 0, "b")) {
            assertThat("a restarted producer without state", response.status(),
                    is(Status.FORBIDDEN_403));
            assertThat("it learns the current epoch",
                    header(response, ProtocolHeaders.PRODUCER_EPOCH), is("5"));
        }
        try (HttpClientResponse response = producerAppend(path, "writer", 6, 0, "b")) {
            assertThat("the next epoch claims the producer", response.status(),
                    is(Status.OK_200));
        }
    }

    @Test
    void sequenceGapReturns409WithExpectedAndReceived() {
        String path = newPath("producer-gap");
        TestStreams.create(client, path, TEXT, "");
        acceptedProducerAppend(path, "writer", 0, 0, "a");

        try (HttpClientResponse response = producerAppend(path, "writer", 0, 2, "c")) {
            assertThat("a skipped sequence number", response.status(), is(Status.CONFLICT_409));
            assertThat("the expected sequence",
                    header(response, ProtocolHeaders.PRODUCER_EXPECTED_SEQ), is("1"));
            assertThat("the received sequence",
                    header(response, ProtocolHeaders.PRODUCER_RECEIVED_SEQ), is("2"));
        }
    }

    @Test
    void newEpochMustStartAtZero() {
        String path = newPath("producer-epoch-seq");
        TestStreams.create(client, path, TEXT, "");
        acceptedProducerAppend(path, "writer", 0, 0, "a");

        try (HttpClientResponse response = producerAppend(path, "writer", 1, 1, "b")) {
            assertThat("an epoch increase with a sequence other than 0", response.status(),
                    is(Status.BAD_REQUEST_400));
        }
    }

    @Test
    void producersAreIndependent() {
        String path = newPath("producer-independent");
        TestStreams.create(client, path, TEXT, "");

        try (HttpClientResponse response = producerAppend(path, "writer-1", 0, 0, "a")) {
            assertThat("first producer", response.status(), is(Status.OK_200));
        }
        try (HttpClientResponse response = producerAppend(path, "writer-2", 0, 0, "b")) {
            assertThat("second producer with its own sequence", response.status(),
                    is(Status.OK_200));
        }
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        "writer, 0, null",
        "writer, null, 0",
        "null, 0, 0",
        "'', 0, 0",
        "writer, -1, 0",
        "writer, 0, 1.5",
        "writer, x, 0",
        "writer, 0, 9007199254740992"
    })
    void invalidProducerHeadersAreRejected(String id, String epoch, String seq) {
        String path = newPath("producer-invalid");
        TestStreams.create(client, path, TEXT, "");

        Http1ClientRequest request = client.post(path).header(HeaderNames.CONTENT_TYPE, TEXT);
        if (id != null) {
            request.header(ProtocolHeaders.PRODUCER_ID, id);
        }
        if (epoch != null) {
            request.header(ProtocolHeaders.PRODUCER_EPOCH, epoch);
        }
        if (seq != null) {
            request.header(ProtocolHeaders.PRODUCER_SEQ, seq);
        }
        try (HttpClientResponse response = request.submit("x")) {
            assertThat("Producer-Id " + id + ", epoch " + epoch + ", seq " + seq,
                    response.status(), is(Status.BAD_REQUEST_400));
        }
        assertThat("the rejected append stored nothing", readAll(path), is(""));
    }

    @Test
    void producerFinalAppendIsDeduplicatedAfterClose() {
        String path = newPath("producer-close");
        TestStreams.create(client, path, TEXT, "");

        try (HttpClientResponse response = producerAppend(path, "writer", 0, 0, "last",
                true)) {
            assertThat("append-and-close by a producer", response.status(), is(Status.OK_200));
            assertThat("the stream is closed",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
        try (HttpClientResponse response = producerAppend(path, "writer", 0, 0, "last",
                true)) {
            assertThat("a retry of the closing batch is a duplicate", response.status(),
                    is(Status.NO_CONTENT_204));
            assertThat("the duplicate reports the closure",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
        try (HttpClientResponse response = producerAppend(path, "writer", 0, 1, "more")) {
            assertThat("a new batch after the close", response.status(),
                    is(Status.CONFLICT_409));
            assertThat("the conflict says the stream is closed",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
        assertThat("the final batch is stored once", readAll(path), is("last"));
    }

    @Test
    void producerCloseOnlyIsIdempotent() {
        String path = newPath("producer-close-only");
        TestStreams.create(client, path, TEXT, "");
        acceptedProducerAppend(path, "writer", 0, 0, "a");

        for (int attempt = 1; attempt <= 2; attempt++) {
            try (HttpClientResponse response = client.post(path)
                    .header(ProtocolHeaders.PRODUCER_ID, "writer")
                    .header(ProtocolHeaders.PRODUCER_EPOCH, "0")
                    .header(ProtocolHeaders.PRODUCER_SEQ, "1")
                    .header(ProtocolHeaders.STREAM_CLOSED, "true")
                    .request()) {
                assertThat("close-only by a producer, attempt " + attempt, response.status(),
                        is(Status.NO_CONTENT_204));
                assertThat("the close is reported, attempt " + attempt,
                        header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
            }
        }
    }

    @Test
    void producerAppendToStreamClosedByOtherReturns409() {
        String path = newPath("producer-closed-by-other");
        TestStreams.create(client, path, TEXT, "");
        acceptedProducerAppend(path, "writer", 0, 0, "a");
        TestStreams.close(client, path);

        try (HttpClientResponse response = producerAppend(path, "writer", 0, 0, "a")) {
            assertThat("a batch that did not close the stream", response.status(),
                    is(Status.CONFLICT_409));
            assertThat("the conflict says the stream is closed",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
        }
    }

    @Test
    void closedStreamIsReportedBeforeContentType() {
        String path = newPath("precedence-closed");
        String tail = TestStreams.create(client, path, TEXT, "abc");
        TestStreams.close(client, path);

        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, "application/octet-stream")
                .header(ProtocolHeaders.STREAM_SEQ, "0")
                .submit("x")) {
            assertThat("closed, wrong content type and a sequence", response.status(),
                    is(Status.CONFLICT_409));
            assertThat("the closed stream is reported first",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
            assertThat("with the final offset",
                    header(response, ProtocolHeaders.STREAM_NEXT_OFFSET), is(tail));
        }
    }

    @Test
    void contentTypeIsReportedBeforeSequenceGap() {
        String path = newPath("precedence-type");
        TestStreams.create(client, path, TEXT, "");
        acceptedProducerAppend(path, "writer", 0, 0, "a");

        try (HttpClientResponse response = producerAppend(path, "application/octet-stream",
                "writer", 0, 5, "x")) {
            assertThat("wrong content type and a producer sequence gap", response.status(),
                    is(Status.CONFLICT_409));
            assertThat("the content type is reported, not the gap",
                    response.headers().contains(ProtocolHeaders.PRODUCER_EXPECTED_SEQ),
                    is(false));
        }
    }

    @Test
    void closedStreamIsReportedBeforeSequenceGap() {
        String path = newPath("precedence-closed-gap");
        TestStreams.create(client, path, TEXT, "");
        acceptedProducerAppend(path, "writer", 0, 0, "a");
        TestStreams.close(client, path);

        try (HttpClientResponse response = producerAppend(path, "writer", 0, 5, "x")) {
            assertThat("closed stream and a producer sequence gap", response.status(),
                    is(Status.CONFLICT_409));
            assertThat("the closed stream is reported",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
            assertThat("not the gap",
                    response.headers().contains(ProtocolHeaders.PRODUCER_EXPECTED_SEQ),
                    is(false));
        }
    }

    private Status seqAppend(String path, String seq, String body) {
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, TEXT)
                .header(ProtocolHeaders.STREAM_SEQ, seq)
                .submit(body)) {
            return response.status();
        }
    }

    /** Appends a producer batch as a setup step, and checks that it was stored. */
    private void acceptedProducerAppend(String path, String id, long epoch, long seq,
                                        String body) {
        try (HttpClientResponse response = producerAppend(path, id, epoch, seq, body)) {
            assertThat("setup batch " + id + " epoch " + epoch + " seq " + seq,
                    response.status(), is(Status.OK_200));
        }
    }

    private HttpClientResponse producerAppend(String path, String id, long epoch, long seq,
                                              String body) {
        return producerAppend(path, TEXT, id, epoch, seq, body);
    }

    private HttpClientResponse producerAppend(String path, String id, long epoch, long seq,
                                              String body, boolean close) {
        Http1ClientRequest request = producerRequest(path, TEXT, id, epoch, seq);
        if (close) {
            request.header(ProtocolHeaders.STREAM_CLOSED, "true");
        }
        return request.submit(body);
    }

    private HttpClientResponse producerAppend(String path, String contentType, String id,
                                              long epoch, long seq, String body) {
        return producerRequest(path, contentType, id, epoch, seq).submit(body);
    }

    private Http1ClientRequest producerRequest(String path, String contentType, String id,
                                               long epoch, long seq) {
        return client.post(path)
                .header(HeaderNames.CONTENT_TYPE, contentType)
                .header(ProtocolHeaders.PRODUCER_ID, id)
                .header(ProtocolHeaders.PRODUCER_EPOCH, Long.toString(epoch))
                .header(ProtocolHeaders.PRODUCER_SEQ, Long.toString(seq));
    }

    private String readAll(String path) {
        try (HttpClientResponse response = read(client, path, "-1").request()) {
            return bodyText(response);
        }
    }
}
