package io.durablestreams;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.durablestreams.http.ProtocolHeaders;
import io.durablestreams.store.StreamStore;

import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static io.durablestreams.TestStreams.bodyText;
import static io.durablestreams.TestStreams.header;
import static io.durablestreams.TestStreams.newPath;
import static io.durablestreams.TestStreams.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Long-polls that must end long before the server's 10 s timeout: when data is appended, when
 * the stream closes or is deleted, and at the end of a closed stream.
 *
 * <p>A routing filter reports each long-poll as it reaches the server, so a test appends only
 * after its long-poll has arrived, without sleeping. Every wait is bounded by {@link #PROMPTLY}.
 */
@ServerTest
class LongPollWakeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Maximum time a woken long-poll may take to return, far below {@link #TIMEOUT}. */
    private static final Duration PROMPTLY = Duration.ofSeconds(2);
    private static final StreamStore STORE = new StreamStore(Clock.systemUTC(),
            Duration.ofMinutes(1));
    /** Paths of long-poll requests that have reached the routing. */
    private static final BlockingQueue<String> ARRIVED_POLLS = new LinkedBlockingQueue<>();
    private static final ExecutorService EXECUTOR = Executors.newVirtualThreadPerTaskExecutor();

    private final Http1Client client;

    LongPollWakeTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        routing.addFilter((chain, req, res) -> {
            if (req.query().first("live").orElse("").equals("long-poll")) {
                ARRIVED_POLLS.add(req.path().path());
            }
            chain.proceed();
        });
        Main.routing(routing, STORE, TestSettings.withTimeouts(TIMEOUT, Duration.ofSeconds(5)));
    }

    @AfterAll
    static void closeResources() {
        EXECUTOR.shutdownNow();
        STORE.close();
    }

    @Test
    void longPollReturnsAsSoonAsDataIsAppended() throws Exception {
        String path = newPath("wake-append");
        String tail = TestStreams.create(client, path, "text/plain", "abc");
        CompletableFuture<PollResult> poll = startLongPoll(path, tail);
        awaitArrival(path);

        long appended = System.nanoTime();
        String newTail = TestStreams.append(client, path, "text/plain", "new");
        PollResult result = awaitResult(poll, "an append");

        assertThat("the long-poll returns soon after the append, not at the 10 s timeout",
                result.nanosSince(appended), lessThan(PROMPTLY.toNanos()));
        assertThat("the woken long-poll has data", result.status(), is(Status.OK_200));
        assertThat("it returns exactly the appended data", result.body(), is("new"));
        assertThat("Stream-Next-Offset is the new tail", result.nextOffset(), is(newTail));
        assertThat("a live 200 carries a cursor", result.hasCursor(), is(true));
    }

    @Test
    void appendWakesEveryWaitingLongPoll() throws Exception {
        String path = newPath("wake-many");
        String tail = TestStreams.create(client, path, "text/plain", "abc");
        List<CompletableFuture<PollResult>> polls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            polls.add(startLongPoll(path, tail));
        }
        for (int i = 0; i < polls.size(); i++) {
            awaitArrival(path);
        }

        TestStreams.append(client, path, "text/plain", "new");
        for (int i = 0; i < polls.size(); i++) {
            PollResult result = awaitResult(polls.get(i), "an append, for waiter " + i);
            assertThat("waiter " + i + " gets the data", result.body(), is("new"));
        }
    }

    @Test
    void longPollFromNowReceivesNextAppend() throws Exception {
        String path = newPath("wake-now");
        TestStreams.create(client, path, "text/plain", "old");
        CompletableFuture<PollResult> poll = startLongPoll(path, "now");
        awaitArrival(path);

        // The server resolves "now" shortly after the request arrives, and an append that lands
        // before that is old data to this long-poll. So the test appends again every 200 ms
        // until the long-poll returns, and the first append after the resolution wakes it.
        long deadline = System.nanoTime() + PROMPTLY.toNanos();
        PollResult result = null;
        for (int attempt = 1; result == null; attempt++) {
            TestStreams.append(client, path, "text/plain", "fresh-" + attempt + ";");
            try {
                result = poll.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("The long-poll from offset=now did not return"
                            + " within " + PROMPTLY + " of " + attempt + " appends", e);
                }
            }
        }

        assertThat("offset=now returns new data", result.status(), is(Status.OK_200));
        assertThat("only data appended during the wait, never the old data",
                result.body().matches("(fresh-[0-9]+;)+"), is(true));
    }

    @Test
    void longPollReturnsAsSoonAsStreamCloses() throws Exception {
        String path = newPath("wake-close");
        String tail = TestStreams.create(client, path, "text/plain", "abc");
        CompletableFuture<PollResult> poll = startLongPoll(path, tail);
        awaitArrival(path);

        long closed = System.nanoTime();
        TestStreams.close(client, path);
        PollResult result = awaitResult(poll, "a close");

        assertThat("the long-poll returns soon after the close", result.nanosSince(closed),
                lessThan(PROMPTLY.toNanos()));
        assertThat("a close at the tail is a 204", result.status(), is(Status.NO_CONTENT_204));
        assertThat("the 204 signals EOF", result.closed(), is(true));
        assertThat("Stream-Next-Offset is the final offset", result.nextOffset(), is(tail));
    }

    @Test
    void longPollReturns404WhenStreamIsDeleted() throws Exception {
        String path = newPath("wake-delete");
        String tail = TestStreams.create(client, path, "text/plain", "abc");
        CompletableFuture<PollResult> poll = startLongPoll(path, tail);
        awaitArrival(path);

        try (HttpClientResponse response = client.delete(path).request()) {
            assertThat("delete", response.status(), is(Status.NO_CONTENT_204));
        }
        PollResult result = awaitResult(poll, "a delete");

        assertThat("a long-poll on a deleted stream", result.status(),
                is(Status.NOT_FOUND_404));
    }

    @Test
    void longPollAtClosedTailReturnsAtOnce() throws Exception {
        String path = newPath("closed-tail");
        String tail = TestStreams.create(client, path, "text/plain", "abc");
        TestStreams.close(client, path);

        for (String offset : new String[] {tail, "now"}) {
            long started = System.nanoTime();
            PollResult result = awaitResult(startLongPoll(path, offset),
                    "a long-poll at the end of a closed stream");

            assertThat("offset " + offset + " must not wait for the timeout",
                    result.nanosSince(started), lessThan(PROMPTLY.toNanos()));
            assertThat("offset " + offset + " gets 204", result.status(),
                    is(Status.NO_CONTENT_204));
            assertThat("offset " + offset + " signals EOF", result.closed(), is(true));
            assertThat("offset " + offset + " is up to date", result.upToDate(), is(true));
            assertThat("offset " + offset + " gets the final offset", result.nextOffset(),
                    is(tail));
        }
    }

    private CompletableFuture<PollResult> startLongPoll(String path, String offset) {
        return CompletableFuture.supplyAsync(() -> {
            try (HttpClientResponse response = read(client, path, offset)
                    .queryParam("live", "long-poll")
                    .readTimeout(TIMEOUT.plusSeconds(5))
                    .request()) {
                String body = bodyText(response);
                return new PollResult(response.status(),
                        response.headers().first(ProtocolHeaders.STREAM_NEXT_OFFSET).orElse(""),
                        response.headers().contains(ProtocolHeaders.STREAM_UP_TO_DATE),
                        response.headers().contains(ProtocolHeaders.STREAM_CLOSED),
                        response.headers().contains(ProtocolHeaders.STREAM_CURSOR),
                        body, System.nanoTime());
            }
        }, EXECUTOR);
    }

    private static void awaitArrival(String path) throws InterruptedException {
        long deadline = System.nanoTime() + PROMPTLY.toNanos();
        while (true) {
            long remaining = deadline - System.nanoTime();
            String arrived = ARRIVED_POLLS.poll(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            if (path.equals(arrived)) {
                return;
            }
            if (arrived == null) {
                throw new AssertionError("The long-poll on " + path + " did not reach the server"
                        + " within " + PROMPTLY);
            }
        }
    }

    private static PollResult awaitResult(CompletableFuture<PollResult> poll, String event)
            throws Exception {
        try {
            return poll.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("The long-poll did not return within " + PROMPTLY + " of "
                    + event + "; it is waiting for the " + TIMEOUT + " timeout instead", e);
        }
    }

    /**
     * What a long-poll returned, and when.
     *
     * @param status the status
     * @param nextOffset the {@code Stream-Next-Offset} header, empty when absent
     * @param upToDate whether {@code Stream-Up-To-Date} was present
     * @param closed whether {@code Stream-Closed} was present
     * @param hasCursor whether {@code Stream-Cursor} was present
     * @param body the body text
     * @param completedNanos {@link System#nanoTime()} when the response was read
     */
    private record PollResult(Status status, String nextOffset, boolean upToDate, boolean closed,
                              boolean hasCursor, String body, long completedNanos) {

        long nanosSince(long startNanos) {
            return completedNanos - startNanos;
        }
    }
}
