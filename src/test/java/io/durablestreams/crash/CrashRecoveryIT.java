package io.durablestreams.crash;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kills the server with SIGKILL while concurrent clients append, restarts it on the same data
 * directory, and checks that everything it acknowledged survived, exactly once and at the
 * position it reported, and that nothing half-written became visible.
 *
 * <p>Each round starts the packaged server jar with the file store and fsync durability, runs
 * the clients of {@link Workload} for a random time, and kills the server while requests are
 * in flight. After each restart the test retries the idempotent producers' failed batches,
 * probes producer and closure state, and reads every stream back to check it against the
 * {@link CrashHistory}. It also checks that the server logged one "Recovered N streams" line
 * on each restart and no SEVERE line or stack trace.
 *
 * <p>System properties: {@code crash.seed} (default {@value #DEFAULT_SEED}) seeds every random
 * choice, and a failure message names the seed used. {@code crash.rounds} (default
 * {@value #DEFAULT_ROUNDS}) sets the number of kills, and {@code crash.jar} the server jar
 * (default {@code target/durable-streams-server.jar}). Thread scheduling still varies between
 * runs, so one seed does not replay the exact same interleaving.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CrashRecoveryIT {

    private static final long DEFAULT_SEED = 20_240_611L;
    private static final int DEFAULT_ROUNDS = 6;
    private static final int SOLO_STREAMS = 3;
    private static final int PRODUCERS = 3;
    /** Small segments, so that appends roll over to new segment files during each round. */
    private static final long SEGMENT_BYTES = 64 * 1024;
    private static final int MIN_RUN_MILLIS = 200;
    private static final int MAX_RUN_MILLIS = 1_500;
    private static final Duration START_WAIT = Duration.ofSeconds(30);
    private static final Duration STOP_WAIT = Duration.ofSeconds(20);
    private static final int MAX_VIOLATIONS_SHOWN = 30;
    /** Acknowledged JSON positions read back after each restart, chosen at random. */
    private static final int MAX_JSON_POSITION_CHECKS = 25;

    private static final Pattern RECOVERED_LINE =
            Pattern.compile("\\bINFO\\b.*\\bRecovered (\\d+) streams\\b");
    private static final Pattern STACK_FRAME = Pattern.compile("^\\s+at \\S+\\(.*\\)$");
    private static final Pattern SEGMENT_CUT = Pattern.compile("\\bWARNING\\b.*\\bcutting\\b");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    private final long seed = Long.getLong("crash.seed", DEFAULT_SEED);
    private final int rounds = Integer.getInteger("crash.rounds", DEFAULT_ROUNDS);
    /** Chooses each round's run time, so that it depends on the seed alone. */
    private final Random runTimes = new Random(seed);
    /** Chooses the samples that the checks after each restart take. */
    private final Random samples = new Random(seed + 1);
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final CrashHistory history = new CrashHistory(SOLO_STREAMS, PRODUCERS);
    private long verifiedInAll;

    @Test
    void acknowledgedAppendsSurviveKills() throws Exception {
        Path jar = Path.of(System.getProperty("crash.jar", "target/durable-streams-server.jar"));
        assertTrue(Files.isRegularFile(jar), "Server jar " + jar.toAbsolutePath()
                + " not found. Build it with mvn package, or set -Dcrash.jar");
        Path data = work.resolve("data");
        System.out.printf("CrashRecoveryIT: seed %d (set -Dcrash.seed to change), %d rounds,"
                + " work directory %s%n", seed, rounds, work);
        long started = System.nanoTime();
        try {
            for (int round = 1; round <= rounds; round++) {
                runRound(jar, data, round);
            }
            checkFinalRestart(jar, data);
        } catch (Exception | AssertionError e) {
            System.out.printf("CrashRecoveryIT failed with seed %d. Rerun it with"
                    + " -Dcrash.seed=%d. Server logs and data are kept in %s%n", seed, seed, work);
            throw e;
        }
        System.out.printf("CrashRecoveryIT: %d rounds in %.1f s. Verified %d acknowledged"
                        + " appends in %d streams after the last restart, and %d checks of"
                        + " acknowledged appends in all%n", rounds, seconds(started),
                history.acknowledgedAppends(), history.knownStreamCount(), verifiedInAll);
    }

    /** Starts the server, checks what the previous round left, runs clients and kills it. */
    private void runRound(Path jar, Path data, int round) throws Exception {
        Path log = work.resolve("server-" + round + ".log");
        long starting = System.nanoTime();
        try (ServerProcess server = ServerProcess.start(jar, data, SEGMENT_BYTES, log);
             StreamHttp http = new StreamHttp(server.streamsUri())) {
            System.out.printf("Round %d: server accepted connections %.1f s after its start%n",
                    round, seconds(starting));
            if (round == 1) {
                createStreams(http);
            } else {
                checkRestart(server, http, round - 1);
            }

            Workload workload = new Workload(round, http, history, seed, violations);
            int runMillis = MIN_RUN_MILLIS
                    + runTimes.nextInt(MAX_RUN_MILLIS - MIN_RUN_MILLIS + 1);
            long running = System.nanoTime();
            workload.start();
            if (!workload.awaitStarted(START_WAIT)) {
                violations.add("round " + round + ": not every client had a request"
                        + " acknowledged within " + START_WAIT);
            }
            // The random run time before the kill is the point of this wait, not a condition.
            Thread.sleep(runMillis);
            int inFlight = workload.inFlight();
            server.kill();
            List<String> stuck = workload.stopAndJoin(STOP_WAIT);
            int cuts = checkServerLog(server);
            assertNoViolations("round " + round);
            assertTrue(stuck.isEmpty(), "client threads did not stop within " + STOP_WAIT
                    + " of the kill: " + stuck + " (seed " + seed + ")");
            assertTrue(inFlight > 0, "no request was in flight when round " + round
                    + " killed the server (seed " + seed + ")");
            System.out.printf("Round %d: clients ran %.1f s, %d ms of it after every client's"
                            + " first acknowledgement. Killed with %d requests in flight."
                            + " %d appends acknowledged (%d of %d sent in all), %d requests"
                            + " failed by the kill, %d streams, %d segment repairs logged%n",
                    round, seconds(running), runMillis, inFlight, workload.acknowledged(),
                    history.acknowledgedAppends(), history.sentAppends(), workload.failed(),
                    history.knownStreamCount(), cuts);
        }
    }

    /** Restarts the server after the last round, checks everything once more and kills it. */
    private void checkFinalRestart(Path jar, Path data) throws Exception {
        Path log = work.resolve("server-final.log");
        try (ServerProcess server = ServerProcess.start(jar, data, SEGMENT_BYTES, log);
             StreamHttp http = new StreamHttp(server.streamsUri())) {
            checkRestart(server, http, rounds);
            server.kill();
            checkServerLog(server);
            assertNoViolations("final restart");
        }
    }

    private void createStreams(StreamHttp http) throws IOException, InterruptedException {
        List<String> textPaths = new ArrayList<>();
        textPaths.add(CrashHistory.SHARED_PATH);
        history.solo.forEach(ledger -> textPaths.add(ledger.path()));
        textPaths.add(CrashHistory.PRODUCER_PATH);
        for (String path : textPaths) {
            create(http, path, "text/plain");
        }
        create(http, CrashHistory.JSON_PATH, "application/json");
    }

    private void create(StreamHttp http, String path, String contentType)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(http.request(path)
                .header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build());
        assertEquals(201, response.statusCode(), "create of " + path + " returned "
                + StreamHttp.bodyText(response));
    }

    /**
     * Checks a restarted server against the history: the recovery log line, producer retries
     * and state, then the content and closure of every stream.
     *
     * @param previousRound the round whose kill preceded this start
     */
    private void checkRestart(ServerProcess server, StreamHttp http, int previousRound)
            throws IOException, InterruptedException {
        long checking = System.nanoTime();
        int recovered = checkRecoveredLine(server);
        int[] retries = retryFailedProducerBatches(http);
        int duplicates = checkProducerState(http);
        int verified = 0;
        for (TextStreamLedger ledger : history.textStreams()) {
            verified += verifyTextStream(http, ledger);
        }
        verified += verifyJsonStream(http, previousRound);
        verifiedInAll += verified;
        assertNoViolations("restart after round " + previousRound);
        System.out.printf("Restart after round %d: server recovered %d streams. Retried %d"
                        + " failed producer batches (%d already stored, %d stored by the"
                        + " retry), %d resent acknowledged batches returned as duplicates."
                        + " Verified %d acknowledged appends in %.1f s%n",
                previousRound, recovered, retries[0] + retries[1], retries[0], retries[1],
                duplicates, verified, seconds(checking));
    }

    /** Checks that the server logged exactly one recovery line and returns its stream count. */
    private int checkRecoveredLine(ServerProcess server) throws IOException {
        List<Integer> counts = new ArrayList<>();
        for (String line : server.logLines()) {
            Matcher matcher = RECOVERED_LINE.matcher(line);
            if (matcher.find()) {
                counts.add(Integer.parseInt(matcher.group(1)));
            }
        }
        if (counts.size() != 1) {
            violations.add(server.logFile() + ": expected one INFO line \"Recovered N streams\","
                    + " found " + counts.size());
            return -1;
        }
        int recovered = counts.getFirst();
        int known = history.knownStreamCount();
        int maximum = known + history.unacknowledgedCreates.get();
        if (recovered < known || recovered > maximum) {
            violations.add(server.logFile() + ": server recovered " + recovered + " streams,"
                    + " expected from " + known + " to " + maximum);
        }
        return recovered;
    }

    /**
     * Checks a server's whole log for SEVERE lines and stack traces.
     *
     * @return how many segment repairs (cut frames) it logged as warnings
     */
    private int checkServerLog(ServerProcess server) throws IOException {
        int cuts = 0;
        for (String line : server.logLines()) {
            if (line.contains(" SEVERE ")) {
                violations.add(server.logFile() + ": SEVERE line: " + line);
            }
            if (STACK_FRAME.matcher(line).matches() || line.startsWith("Caused by: ")) {
                violations.add(server.logFile() + ": stack trace line: " + line);
            }
            if (SEGMENT_CUT.matcher(line).find()) {
                cuts++;
            }
        }
        return cuts;
    }

    /**
     * Sends every producer batch whose request failed in the kill again, unchanged. The server
     * must store it now (200) or report it stored already (204), and never store it twice,
     * which the content check after this verifies.
     *
     * @return how many retries returned 204, and how many returned 200
     */
    private int[] retryFailedProducerBatches(StreamHttp http)
            throws IOException, InterruptedException {
        int[] counts = new int[2];
        for (ProducerState producer : history.producers) {
            Optional<ProducerState.Batch> pending = producer.pending();
            if (pending.isEmpty()) {
                continue;
            }
            ProducerState.Batch batch = pending.get();
            String action = producer.id() + ": retry of batch (epoch " + batch.epoch() + ", seq "
                    + batch.seq() + ")";
            HttpResponse<byte[]> response = http.send(
                    Workload.producerRequest(http, producer.id(), batch));
            int status = response.statusCode();
            if (status != 200 && status != 204) {
                violations.add(action + " returned " + status + " instead of 200 or 204: "
                        + StreamHttp.bodyText(response));
                continue;
            }
            expectHeader(response, "Producer-Epoch", batch.epoch(), action);
            expectHeader(response, "Producer-Seq", batch.seq(), action);
            long next = TextStreamLedger.UNKNOWN_POSITION;
            if (status == 200) {
                next = StreamHttp.nextOffset(response).orElse(TextStreamLedger.UNKNOWN_POSITION);
                counts[1]++;
            } else {
                counts[0]++;
            }
            producer.acknowledged(batch);
            history.producerStream.acknowledged(producer.id(), batch.key(), next);
        }
        return counts;
    }

    /**
     * Probes each producer's recovered state without changing the stream. Acknowledged batches
     * sent again must return 204, a batch of an older epoch 403, and a batch that skips a
     * sequence number 409 with the expected one.
     *
     * @return how many acknowledged batches were sent again
     */
    private int checkProducerState(StreamHttp http) throws IOException, InterruptedException {
        int duplicates = 0;
        for (ProducerState producer : history.producers) {
            List<ProducerState.Batch> current = new ArrayList<>();
            ProducerState.Batch olderEpoch = null;
            for (ProducerState.Batch batch : producer.acknowledgedBatches()) {
                if (batch.epoch() == producer.epoch()) {
                    current.add(batch);
                } else {
                    olderEpoch = batch;
                }
            }
            if (current.isEmpty()) {
                continue;
            }
            long lastSeq = producer.nextSeq() - 1;
            List<ProducerState.Batch> resend = new ArrayList<>();
            resend.add(current.getLast());
            resend.add(current.get(samples.nextInt(current.size())));
            for (ProducerState.Batch batch : resend) {
                String action = producer.id() + ": resend of acknowledged batch (epoch "
                        + batch.epoch() + ", seq " + batch.seq() + ")";
                HttpResponse<byte[]> response = http.send(
                        Workload.producerRequest(http, producer.id(), batch));
                if (expectStatus(response, 204, action)) {
                    expectHeader(response, "Producer-Epoch", producer.epoch(), action);
                    expectHeader(response, "Producer-Seq", lastSeq, action);
                }
                duplicates++;
            }

            if (olderEpoch != null) {
                String action = producer.id() + ": batch of stale epoch " + olderEpoch.epoch();
                HttpResponse<byte[]> response = http.send(
                        Workload.producerRequest(http, producer.id(), olderEpoch));
                if (expectStatus(response, 403, action)) {
                    expectHeader(response, "Producer-Epoch", producer.epoch(), action);
                }
            }

            // No ledger contains this record, so the content check flags it if it gets stored.
            String probeWriter = producer.id() + "-probe";
            long n = history.takeRecordNumber(probeWriter);
            ProducerState.Batch gap = new ProducerState.Batch(producer.epoch(), lastSeq + 2,
                    TextRecords.key(probeWriter, n), TextRecords.format(probeWriter, n, 8));
            String action = producer.id() + ": batch with seq " + gap.seq() + " after "
                    + lastSeq;
            HttpResponse<byte[]> response = http.send(
                    Workload.producerRequest(http, producer.id(), gap));
            if (expectStatus(response, 409, action)) {
                expectHeader(response, "Producer-Expected-Seq", lastSeq + 1, action);
                expectHeader(response, "Producer-Received-Seq", lastSeq + 2, action);
            }
        }
        return duplicates;
    }

    /**
     * Reads a text stream and checks its content and closure against its ledger.
     *
     * @return how many acknowledged appends were checked
     */
    private int verifyTextStream(StreamHttp http, TextStreamLedger ledger)
            throws IOException, InterruptedException {
        String path = ledger.path();
        StreamHttp.FullRead read;
        try {
            read = http.readAll(path);
        } catch (IllegalStateException e) {
            violations.add(path + ": " + e.getMessage());
            return 0;
        }
        byte[] content = read.content();
        if (read.tail() != content.length) {
            violations.add(path + ": read returned " + content.length + " bytes but ended at"
                    + " offset " + read.tail());
        }
        Map<String, TextRecords.Found> found = ledger.verify(content, violations);

        HttpResponse<byte[]> head = http.head(path);
        if (!expectStatus(head, 200, "HEAD " + path)) {
            return ledger.acknowledgedCount();
        }
        long tail = StreamHttp.nextOffset(head).orElse(-1L);
        if (tail != content.length) {
            violations.add(path + ": HEAD returned tail " + tail + " but a read returned "
                    + content.length + " bytes");
        }
        checkClosure(http, ledger, StreamHttp.isClosed(head), content.length, found);
        return ledger.acknowledgedCount();
    }

    /**
     * Checks that a stream closed before the kill is still closed and rejects appends, and
     * that an append-and-close whose response was lost took effect wholly or not at all.
     */
    private void checkClosure(StreamHttp http, TextStreamLedger ledger, boolean closedNow,
                              long tail, Map<String, TextRecords.Found> found)
            throws IOException, InterruptedException {
        String path = ledger.path();
        Optional<TextStreamLedger.CloseRequest> pending = ledger.pendingClose();
        if (ledger.isClosed()) {
            if (!closedNow) {
                violations.add(path + ": stream was closed before the kill but is open now");
            }
            if (tail != ledger.closedAt()) {
                violations.add(path + ": closed stream ends at " + tail + ", not at its final"
                        + " offset " + ledger.closedAt());
            }
            checkAppendRejected(http, ledger);
        } else if (pending.isPresent()) {
            Optional<String> finalKey = pending.get().finalKey();
            if (closedNow) {
                ledger.closed(tail);
                finalKey.ifPresent(key -> {
                    TextRecords.Found record = found.get(key);
                    if (record == null || record.end() != tail) {
                        violations.add(path + ": stream is closed but the final record " + key
                                + " of its unacknowledged append-and-close is not at its end");
                    }
                });
            } else {
                finalKey.filter(found::containsKey).ifPresent(key -> violations.add(path
                        + ": final record " + key + " of an unacknowledged append-and-close"
                        + " is stored but the stream is open"));
                ledger.closeNotApplied();
            }
        } else if (closedNow) {
            violations.add(path + ": stream is closed but was never asked to close");
        }
    }

    /** Sends an append to a closed stream, which must be rejected with 409 and Stream-Closed. */
    private void checkAppendRejected(StreamHttp http, TextStreamLedger ledger)
            throws IOException, InterruptedException {
        // No ledger contains this record, so the content check flags it if it gets stored.
        long n = history.takeRecordNumber("closed-probe");
        HttpResponse<byte[]> response = http.send(http.request(ledger.path())
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofByteArray(
                        TextRecords.format("closed-probe", n, 4)))
                .build());
        String action = "append to closed stream " + ledger.path();
        if (!expectStatus(response, 409, action)) {
            return;
        }
        if (!StreamHttp.isClosed(response)) {
            violations.add(action + " was rejected without Stream-Closed: true");
        }
        long next = StreamHttp.nextOffset(response).orElse(-1L);
        if (next != ledger.closedAt()) {
            violations.add(action + " returned Stream-Next-Offset " + next + " instead of the"
                    + " final offset " + ledger.closedAt());
        }
    }

    /**
     * Reads the JSON stream and checks its messages against the ledger, then checks a sample
     * of the positions acknowledged in the previous round by reading from them: each read must
     * start with the message that follows the acknowledged batch.
     *
     * @return how many acknowledged batches were checked
     */
    private int verifyJsonStream(StreamHttp http, int previousRound)
            throws IOException, InterruptedException {
        JsonStreamLedger ledger = history.json;
        String path = ledger.path();
        List<String> messages;
        try {
            messages = http.readAll(path).messages();
        } catch (IllegalStateException | IllegalArgumentException e) {
            violations.add(path + ": " + e.getMessage());
            return 0;
        }
        Map<String, Integer> firstIndex = ledger.verify(messages, violations);

        List<JsonStreamLedger.PositionCheck> checks = new ArrayList<>(
                ledger.positionChecks(previousRound, messages, firstIndex));
        // Each read returns the rest of the stream, so a sample keeps the checks fast.
        Collections.shuffle(checks, samples);
        for (JsonStreamLedger.PositionCheck check : checks.subList(0,
                Math.min(checks.size(), MAX_JSON_POSITION_CHECKS))) {
            String offset = StreamHttp.token(check.next());
            String action = "read of " + path + " from " + offset + ", acknowledged for batch "
                    + check.batchId();
            HttpResponse<byte[]> response = http.send(http.read(path, offset).build());
            if (!expectStatus(response, 200, action)) {
                continue;
            }
            List<String> following;
            try {
                following = JsonArrays.elements(response.body());
            } catch (IllegalArgumentException e) {
                violations.add(action + ": " + e.getMessage());
                continue;
            }
            Optional<String> first = following.stream().findFirst();
            if (!first.equals(check.expectedFirst())) {
                violations.add(action + " starts with " + first.orElse("nothing")
                        + " instead of " + check.expectedFirst().orElse("nothing"));
            }
        }
        return ledger.acknowledgedCount();
    }

    private boolean expectStatus(HttpResponse<byte[]> response, int status, String action) {
        if (response.statusCode() == status) {
            return true;
        }
        violations.add(action + " returned " + response.statusCode() + " instead of " + status
                + ": " + StreamHttp.bodyText(response));
        return false;
    }

    private void expectHeader(HttpResponse<byte[]> response, String name, long expected,
                              String action) {
        Optional<String> value = response.headers().firstValue(name);
        if (!value.equals(Optional.of(Long.toString(expected)))) {
            violations.add(action + " returned " + name + " " + value.orElse("(missing)")
                    + " instead of " + expected);
        }
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    /** Fails with every violation recorded so far, naming the seed. */
    private void assertNoViolations(String phase) {
        List<String> found;
        synchronized (violations) {
            found = List.copyOf(violations);
        }
        if (found.isEmpty()) {
            return;
        }
        StringBuilder message = new StringBuilder(found.size() + " violations in " + phase
                + " (seed " + seed + ", rerun with -Dcrash.seed=" + seed + "):");
        found.stream().limit(MAX_VIOLATIONS_SHOWN)
                .forEach(violation -> message.append("\n  ").append(violation));
        if (found.size() > MAX_VIOLATIONS_SHOWN) {
            message.append("\n  ... and ").append(found.size() - MAX_VIOLATIONS_SHOWN)
                    .append(" more");
        }
        fail(message.toString());
    }
}
