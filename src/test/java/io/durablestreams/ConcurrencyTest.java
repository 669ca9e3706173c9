package io.durablestreams;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.durablestreams.http.ProtocolHeaders;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.StreamStore;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.durablestreams.TestStreams.bodyText;
import static io.durablestreams.TestStreams.header;
import static io.durablestreams.TestStreams.newPath;
import static io.durablestreams.TestStreams.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Many clients writing to one stream at once over real connections. Every wait is bounded by
 * {@link #DEADLINE}.
 */
@ServerTest
class ConcurrencyTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final StreamStore STORE = new StreamStore(Clock.systemUTC(),
            Duration.ofMinutes(1));

    private final Http1Client client;
    private ExecutorService executor;
    private ExecutorService retries;

    ConcurrencyTest(Http1Client client) {
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

    @BeforeEach
    void startExecutors() {
        executor = Executors.newFixedThreadPool(16);
        retries = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void stopExecutors() {
        executor.shutdownNow();
        retries.shutdownNow();
    }

    @Test
    void concurrentAppendsStayContiguousAndOrdered() throws Exception {
        int writers = 16;
        int appendsPerWriter = 200;
        String path = newPath("concurrent-appends");
        TestStreams.create(client, path, "text/plain", "");

        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Appended>>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            results.add(executor.submit(() -> {
                start.await();
                List<Appended> appended = new ArrayList<>();
                for (int i = 0; i < appendsPerWriter; i++) {
                    String record = "w%02d-%04d;".formatted(writer, i);
                    String next = TestStreams.append(client, path, "text/plain", record);
                    appended.add(new Appended(record, Offsets.parse(next)));
                }
                return appended;
            }));
        }
        start.countDown();
        List<List<Appended>> byWriter = collect(results);

        String data = readAll(path);
        int recordLength = "w00-0000;".length();
        assertThat("every appended byte is stored once", data.length(),
                is(writers * appendsPerWriter * recordLength));
        Set<Long> tails = new HashSet<>();
        for (List<Appended> appended : byWriter) {
            long previous = -1;
            for (Appended append : appended) {
                assertThat("offsets one writer sees increase strictly", previous,
                        lessThan(append.tail()));
                previous = append.tail();
                assertThat("each append's offset is unique", tails.add(append.tail()), is(true));
                int end = Math.toIntExact(append.tail());
                assertThat("the bytes just before Stream-Next-Offset are this append's",
                        data.substring(end - recordLength, end), is(append.record()));
            }
        }
    }

    @Test
    void retriedProducerBatchesAreStoredOnce() throws Exception {
        int producers = 8;
        int batches = 50;
        String path = newPath("concurrent-producers");
        TestStreams.create(client, path, "text/plain", "");

        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Status>>> results = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            String producer = "producer-" + p;
            results.add(executor.submit(() -> {
                start.await();
                List<Status> statuses = new ArrayList<>();
                for (int seq = 0; seq < batches; seq++) {
                    statuses.addAll(sendWithConcurrentRetry(path, producer, seq));
                }
                return statuses;
            }));
        }
        start.countDown();
        List<List<Status>> byProducer = collect(results);

        for (List<Status> statuses : byProducer) {
            for (int seq = 0; seq < batches; seq++) {
                assertThat("batch " + seq + " and its retry: one stored, one duplicate",
                        statuses.subList(2 * seq, 2 * seq + 2),
                        containsInAnyOrder(Status.OK_200, Status.NO_CONTENT_204));
            }
        }
        String data = readAll(path);
        for (int p = 0; p < producers; p++) {
            int previousIndex = -1;
            for (int seq = 0; seq < batches; seq++) {
                String record = "producer-" + p + ":" + seq + ";";
                int index = data.indexOf(record);
                assertThat(record + " is stored", index >= 0, is(true));
                assertThat(record + " is stored once", data.indexOf(record, index + 1), is(-1));
                assertThat(record + " follows the producer's earlier batches", previousIndex,
                        lessThan(index));
                previousIndex = index;
            }
        }
    }

    @Test
    void concurrentCreatesMakeOneStream() throws Exception {
        String path = newPath("concurrent-create");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Status>> results = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            results.add(executor.submit(() -> {
                start.await();
                try (HttpClientResponse response = client.put(path)
                        .header(HeaderNames.CONTENT_TYPE, "text/plain")
                        .request()) {
                    return response.status();
                }
            }));
        }
        start.countDown();

        int created = 0;
        for (Future<Status> result : results) {
            Status status = result.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertThat("each PUT creates or confirms", status == Status.CREATED_201
                    || status == Status.OK_200, is(true));
            if (status == Status.CREATED_201) {
                created++;
            }
        }
        assertThat("exactly one PUT created the stream", created, is(1));
    }

    /** Sends one producer batch twice at the same time, as a client retry would. */
    private List<Status> sendWithConcurrentRetry(String path, String producer, int seq)
            throws Exception {
        Callable<Status> send = () -> {
            try (HttpClientResponse response = client.post(path)
                    .header(HeaderNames.CONTENT_TYPE, "text/plain")
                    .header(ProtocolHeaders.PRODUCER_ID, producer)
                    .header(ProtocolHeaders.PRODUCER_EPOCH, "0")
                    .header(ProtocolHeaders.PRODUCER_SEQ, Integer.toString(seq))
                    .submit(producer + ":" + seq + ";")) {
                return response.status();
            }
        };
        Future<Status> retry = retries.submit(send);
        Status first = send.call();
        return List.of(first, retry.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
    }

    private <T> List<T> collect(List<Future<T>> futures) throws Exception {
        List<T> values = new ArrayList<>();
        for (Future<T> future : futures) {
            values.add(future.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        }
        return values;
    }

    private String readAll(String path) {
        try (HttpClientResponse response = read(client, path, "-1").request()) {
            assertThat("read of " + path, response.status(), is(Status.OK_200));
            assertThat("the whole stream fits one read",
                    header(response, ProtocolHeaders.STREAM_UP_TO_DATE), is("true"));
            return bodyText(response);
        }
    }

    /**
     * One append as its writer saw it.
     *
     * @param record the appended text
     * @param tail the position in {@code Stream-Next-Offset} of the response
     */
    private record Appended(String record, long tail) {
    }
}
