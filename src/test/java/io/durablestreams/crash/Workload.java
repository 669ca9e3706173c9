package io.durablestreams.crash;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The concurrent clients of one round: plain appenders on a shared text stream and on streams
 * of their own, JSON appenders, idempotent producers and a closer. Each client sends one request
 * at a time until its first request fails, which happens when the test kills the server, and
 * records in the {@link CrashHistory} what it sent and what was acknowledged.
 *
 * <p>A response with an unexpected status is a violation: the client records it and stops.
 */
final class Workload {

    /** Plain appenders that share {@link CrashHistory#SHARED_PATH}. */
    static final int SHARED_APPENDERS = 3;
    static final int JSON_APPENDERS = 2;
    /** Bound on the requests of one client in one round. */
    private static final int MAX_REQUESTS_PER_CLIENT = 5_000;
    /** Bound on the streams the closer creates in one round. */
    private static final int MAX_CLOSER_STREAMS = 25;
    /** Bound on one round's run time in case the server is never killed. */
    private static final Duration MAX_RUN_TIME = Duration.ofSeconds(30);

    private final int round;
    private final StreamHttp http;
    private final CrashHistory history;
    private final long seed;
    private final List<String> violations;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Runnable> clients = new ArrayList<>();
    private final CountDownLatch started;
    private final long deadline = System.nanoTime() + MAX_RUN_TIME.toNanos();
    private volatile boolean stopped;

    /**
     * Creates the clients of one round.
     *
     * @param round the round number, from 1
     * @param http requests to the running server
     * @param history what earlier rounds sent, which this round adds to
     * @param seed the test's seed, from which each client derives its own random numbers
     * @param violations receives failed checks, from any thread
     */
    Workload(int round, StreamHttp http, CrashHistory history, long seed,
             List<String> violations) {
        this.round = round;
        this.http = http;
        this.history = history;
        this.seed = seed;
        this.violations = violations;
        for (int i = 0; i < SHARED_APPENDERS; i++) {
            clients.add(new PlainAppender("shared-" + i, history.shared, random(clients.size())));
        }
        for (int i = 0; i < history.solo.size(); i++) {
            clients.add(new PlainAppender("solo-" + i, history.solo.get(i),
                    random(clients.size())));
        }
        for (int i = 0; i < JSON_APPENDERS; i++) {
            clients.add(new JsonAppender("json-" + i, random(clients.size())));
        }
        for (ProducerState producer : history.producers) {
            clients.add(new Producer(producer, random(clients.size())));
        }
        clients.add(new Closer(random(clients.size())));
        started = new CountDownLatch(clients.size());
    }

    /** Starts every client on its own thread. */
    void start() {
        for (int i = 0; i < clients.size(); i++) {
            Runnable client = clients.get(i);
            threads.add(Thread.ofPlatform().name("crash-client-" + round + "-" + i)
                    .start(client));
        }
    }

    /**
     * Waits until every client had its first request acknowledged or stopped.
     *
     * @return false when that took longer than the timeout
     */
    boolean awaitStarted(Duration timeout) throws InterruptedException {
        return started.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Returns how many requests are waiting for a response right now. */
    int inFlight() {
        return inFlight.get();
    }

    int acknowledged() {
        return acknowledged.get();
    }

    /** Returns how many requests failed because the server died, and so had no response. */
    int failed() {
        return failed.get();
    }

    /**
     * Stops the clients after the server was killed and waits for their threads.
     *
     * @return the names of threads that did not end within the timeout
     */
    List<String> stopAndJoin(Duration timeout) throws InterruptedException {
        stopped = true;
        long end = System.nanoTime() + timeout.toNanos();
        List<String> stuck = new ArrayList<>();
        for (Thread thread : threads) {
            long remaining = Math.max(1, end - System.nanoTime());
            if (!thread.join(Duration.ofNanos(remaining))) {
                stuck.add(thread.getName());
                thread.interrupt();
            }
        }
        return stuck;
    }

    private Random random(int clientIndex) {
        return new Random(seed * 1_000_003L + round * 1_009L + clientIndex);
    }

    /**
     * Chooses a pad length: mostly short records, a quarter up to 4 KB and a few up to 32 KB.
     * Large records make reads span several responses and make writes long enough that a kill
     * can interrupt one.
     */
    private static int padLength(Random random) {
        int roll = random.nextInt(100);
        if (roll < 70) {
            return random.nextInt(100);
        }
        if (roll < 95) {
            return 100 + random.nextInt(3_900);
        }
        return 4_000 + random.nextInt(28_000);
    }

    /** Base of the clients: the request loop, in-flight counting and failure handling. */
    private abstract class Client implements Runnable {

        final String name;
        final Random random;
        private boolean first = true;

        Client(String name, Random random) {
            this.name = name;
            this.random = random;
        }

        @Override
        public void run() {
            try {
                beforeFirstRequest();
                for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && !stopped
                        && System.nanoTime() < deadline; i++) {
                    if (!step()) {
                        return;
                    }
                    if (first) {
                        first = false;
                        started.countDown();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (first) {
                    // A client that stops early must not hold up the start of the kill timer.
                    started.countDown();
                }
            }
        }

        /** Prepares the client's state before its first request. */
        void beforeFirstRequest() {
        }

        /**
         * Sends the client's next requests.
         *
         * @return false when a request failed or was rejected, which ends the client
         */
        abstract boolean step() throws InterruptedException;

        /**
         * Sends a request.
         *
         * @return the response, or empty when the connection failed because the server died
         */
        Optional<HttpResponse<byte[]>> send(HttpRequest request) throws InterruptedException {
            inFlight.incrementAndGet();
            try {
                return Optional.of(http.send(request));
            } catch (IOException e) {
                failed.incrementAndGet();
                return Optional.empty();
            } finally {
                inFlight.decrementAndGet();
            }
        }

        /** Records a violation unless the response has the expected status. */
        boolean expectStatus(HttpResponse<byte[]> response, int status, String action) {
            if (response.statusCode() == status) {
                return true;
            }
            violations.add(name + ": " + action + " returned " + response.statusCode()
                    + " instead of " + status + ": " + StreamHttp.bodyText(response));
            return false;
        }

        /** Returns the Stream-Next-Offset position, recording a violation when it is missing. */
        Optional<Long> nextOffset(HttpResponse<byte[]> response, String action) {
            Optional<Long> next = StreamHttp.nextOffset(response);
            if (next.isEmpty()) {
                violations.add(name + ": " + action + " returned no Stream-Next-Offset");
            }
            return next;
        }
    }

    /** Appends one text record per request to a text stream. */
    private final class PlainAppender extends Client {

        private final TextStreamLedger ledger;

        PlainAppender(String name, TextStreamLedger ledger, Random random) {
            super(name, random);
            this.ledger = ledger;
        }

        @Override
        boolean step() throws InterruptedException {
            long n = history.takeRecordNumber(name);
            String key = TextRecords.key(name, n);
            byte[] body = TextRecords.format(name, n, padLength(random));
            ledger.sent(key, body);
            HttpRequest request = http.request(ledger.path())
                    .header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            Optional<HttpResponse<byte[]>> response = send(request);
            if (response.isEmpty()) {
                return false;
            }
            String action = "append of " + key + " to " + ledger.path();
            if (!expectStatus(response.get(), 204, action)) {
                return false;
            }
            Optional<Long> next = nextOffset(response.get(), action);
            if (next.isEmpty()) {
                return false;
            }
            ledger.acknowledged(name, key, next.get());
            acknowledged.incrementAndGet();
            return true;
        }
    }

    /** Appends single JSON messages and arrays of up to four to the JSON stream. */
    private final class JsonAppender extends Client {

        private long batches;

        JsonAppender(String name, Random random) {
            super(name, random);
        }

        @Override
        boolean step() throws InterruptedException {
            int count = 1 + random.nextInt(4);
            List<String> messages = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long n = history.takeRecordNumber(name);
                int pad = random.nextInt(20) == 0 ? 2_000 + random.nextInt(2_000)
                        : random.nextInt(60);
                messages.add("{\"w\":\"" + name + "\",\"n\":" + n + ",\"p\":\""
                        + "x".repeat(pad) + "\"}");
            }
            String body = count == 1 && random.nextBoolean()
                    ? messages.getFirst()
                    : "[" + String.join(",", messages) + "]";

            JsonStreamLedger.Batch batch = new JsonStreamLedger.Batch(
                    name + ":b" + round + "-" + batches++, name, messages);
            history.json.sent(batch);
            HttpRequest request = http.request(CrashHistory.JSON_PATH)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body, UTF_8))
                    .build();
            Optional<HttpResponse<byte[]>> response = send(request);
            if (response.isEmpty()) {
                return false;
            }

            String action = "JSON append of batch " + batch.id();
            if (!expectStatus(response.get(), 204, action)) {
                return false;
            }
            Optional<Long> next = nextOffset(response.get(), action);
            if (next.isEmpty()) {
                return false;
            }
            history.json.acknowledged(batch.id(), next.get(), round);
            acknowledged.incrementAndGet();
            return true;
        }
    }

    /**
     * Sends one record per batch as an idempotent producer. Now and then it starts a new epoch
     * first, as a restarted producer would, so that fencing of the old epoch can be checked.
     */
    private final class Producer extends Client {

        private final ProducerState state;

        Producer(ProducerState state, Random random) {
            super(state.id(), random);
            this.state = state;
        }

        @Override
        void beforeFirstRequest() {
            // Failed batches were retried after the restart, before this round started.
            if (state.pending().isEmpty() && random.nextInt(4) == 0) {
                state.bumpEpoch();
            }
        }

        @Override
        boolean step() throws InterruptedException {
            long n = state.takeRecordNumber();
            String key = TextRecords.key(name, n);
            byte[] body = TextRecords.format(name, n, padLength(random));
            ProducerState.Batch batch = new ProducerState.Batch(state.epoch(), state.nextSeq(),
                    key, body);
            history.producerStream.sent(key, body);
            Optional<HttpResponse<byte[]>> response = send(producerRequest(http, name, batch));
            if (response.isEmpty()) {
                state.failed(batch);
                return false;
            }

            String action = "producer batch (epoch " + batch.epoch() + ", seq " + batch.seq()
                    + ")";
            if (!expectStatus(response.get(), 200, action)) {
                return false;
            }
            HttpHeaders headers = response.get().headers();
            String echoedEpoch = headers.firstValue("Producer-Epoch").orElse("(missing)");
            String echoedSeq = headers.firstValue("Producer-Seq").orElse("(missing)");
            if (!echoedEpoch.equals(Long.toString(batch.epoch()))
                    || !echoedSeq.equals(Long.toString(batch.seq()))) {
                violations.add(name + ": " + action + " returned Producer-Epoch "
                        + echoedEpoch + " and Producer-Seq " + echoedSeq);
                return false;
            }
            Optional<Long> next = nextOffset(response.get(), action);
            if (next.isEmpty()) {
                return false;
            }

            state.acknowledged(batch);
            history.producerStream.acknowledged(name, key, next.get());
            acknowledged.incrementAndGet();
            return true;
        }
    }

    /**
     * Builds the request of one producer batch. A retry builds the same request again.
     *
     * @param http requests to the running server
     * @param producerId the Producer-Id value
     * @param batch the batch
     * @return a POST of the batch's record to the producer stream
     */
    static HttpRequest producerRequest(StreamHttp http, String producerId,
                                       ProducerState.Batch batch) {
        return http.request(CrashHistory.PRODUCER_PATH)
                .header("Content-Type", "text/plain")
                .header("Producer-Id", producerId)
                .header("Producer-Epoch", Long.toString(batch.epoch()))
                .header("Producer-Seq", Long.toString(batch.seq()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(batch.body()))
                .build();
    }

    /**
     * Creates short text streams, appends one to three records to each, then closes it, half
     * of the time with a final record in the same request.
     */
    private final class Closer extends Client {

        private int streams;

        Closer(Random random) {
            super("closer", random);
        }

        @Override
        boolean step() throws InterruptedException {
            if (streams >= MAX_CLOSER_STREAMS) {
                return false;
            }
            String path = CrashHistory.CLOSER_PREFIX + "r" + round + "-" + streams++;
            history.unacknowledgedCreates.incrementAndGet();
            Optional<HttpResponse<byte[]>> created = send(http.request(path)
                    .header("Content-Type", "text/plain")
                    .PUT(HttpRequest.BodyPublishers.noBody())
                    .build());
            if (created.isEmpty() || !expectStatus(created.get(), 201, "create of " + path)) {
                return false;
            }
            history.unacknowledgedCreates.decrementAndGet();
            TextStreamLedger ledger = new TextStreamLedger(path);
            history.closerStreams.add(ledger);

            int appends = 1 + random.nextInt(3);
            for (int i = 0; i < appends; i++) {
                if (!append(ledger, false)) {
                    return false;
                }
            }
            if (random.nextBoolean()) {
                return append(ledger, true);
            }
            ledger.closeRequested(Optional.empty());
            Optional<HttpResponse<byte[]>> response = send(http.request(path)
                    .header("Stream-Closed", "true")
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build());
            return response.isPresent() && closeAcknowledged(ledger, response.get(),
                    "close of " + path);
        }

        /** Appends one record, and closes the stream with it when {@code close} is set. */
        private boolean append(TextStreamLedger ledger, boolean close)
                throws InterruptedException {
            long n = history.takeRecordNumber(name);
            String key = TextRecords.key(name, n);
            byte[] body = TextRecords.format(name, n, random.nextInt(200));
            ledger.sent(key, body);
            HttpRequest.Builder request = http.request(ledger.path())
                    .header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (close) {
                ledger.closeRequested(Optional.of(key));
                request.header("Stream-Closed", "true");
            }
            Optional<HttpResponse<byte[]>> response = send(request.build());
            if (response.isEmpty()) {
                return false;
            }
            String action = (close ? "append-and-close of " : "append of ") + key + " to "
                    + ledger.path();
            if (!expectStatus(response.get(), 204, action)) {
                return false;
            }
            Optional<Long> next = nextOffset(response.get(), action);
            if (next.isEmpty()) {
                return false;
            }
            ledger.acknowledged(name, key, next.get());
            acknowledged.incrementAndGet();
            return !close || closeAcknowledged(ledger, response.get(), action);
        }

        private boolean closeAcknowledged(TextStreamLedger ledger, HttpResponse<byte[]> response,
                                          String action) {
            if (!expectStatus(response, 204, action)) {
                return false;
            }
            if (!StreamHttp.isClosed(response)) {
                violations.add(name + ": " + action + " returned no Stream-Closed: true");
                return false;
            }
            Optional<Long> next = nextOffset(response, action);
            if (next.isEmpty()) {
                return false;
            }
            ledger.closed(next.get());
            return true;
        }
    }
}
