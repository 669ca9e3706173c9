package io.durablestreams.crash;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything the crash test sent and had acknowledged across all rounds: one ledger per stream
 * and the state of each idempotent producer.
 *
 * <p>Thread-safety: the ledgers and lists are safe for concurrent use, but each producer state
 * belongs to one thread at a time (see {@link ProducerState}).
 */
final class CrashHistory {

    /** Text stream that several plain appenders share. */
    static final String SHARED_PATH = "crash/shared";
    /** JSON stream that the JSON appenders share. */
    static final String JSON_PATH = "crash/json";
    /** Text stream that the idempotent producers share. */
    static final String PRODUCER_PATH = "crash/producers";
    /** Prefix of the streams that each plain appender has to itself. */
    static final String SOLO_PREFIX = "crash/solo-";
    /** Prefix of the short streams that the closer creates and closes. */
    static final String CLOSER_PREFIX = "crash/closed/";

    final TextStreamLedger shared = new TextStreamLedger(SHARED_PATH);
    final List<TextStreamLedger> solo = new ArrayList<>();
    final JsonStreamLedger json = new JsonStreamLedger(JSON_PATH);
    final TextStreamLedger producerStream = new TextStreamLedger(PRODUCER_PATH);
    final List<ProducerState> producers = new ArrayList<>();
    /** Closer streams whose creation was acknowledged. */
    final List<TextStreamLedger> closerStreams = new CopyOnWriteArrayList<>();
    /** Closer streams whose create request was sent but not acknowledged. */
    final AtomicInteger unacknowledgedCreates = new AtomicInteger();
    /** Next record number of each writer, so record keys stay unique across rounds. */
    private final Map<String, AtomicLong> nextRecord = new ConcurrentHashMap<>();

    /**
     * Creates the history of a test with fixed numbers of solo appenders and producers.
     *
     * @param soloStreams how many plain appenders get a stream of their own
     * @param producerCount how many idempotent producers share the producer stream
     */
    CrashHistory(int soloStreams, int producerCount) {
        for (int i = 0; i < soloStreams; i++) {
            solo.add(new TextStreamLedger(SOLO_PREFIX + i));
        }
        for (int i = 0; i < producerCount; i++) {
            producers.add(new ProducerState("producer-" + i));
        }
    }

    /** Returns a writer's next record number. */
    long takeRecordNumber(String writer) {
        return nextRecord.computeIfAbsent(writer, w -> new AtomicLong()).getAndIncrement();
    }

    /** Returns every text stream's ledger: shared, solo, producer and closer streams. */
    List<TextStreamLedger> textStreams() {
        List<TextStreamLedger> all = new ArrayList<>();
        all.add(shared);
        all.addAll(solo);
        all.add(producerStream);
        all.addAll(closerStreams);
        return all;
    }

    /** Returns how many streams certainly exist: the fixed ones and acknowledged closer streams. */
    int knownStreamCount() {
        return textStreams().size() + 1;
    }

    /** Returns how many acknowledged appends the ledgers hold, JSON batches included. */
    int acknowledgedAppends() {
        int count = json.acknowledgedCount();
        for (TextStreamLedger ledger : textStreams()) {
            count += ledger.acknowledgedCount();
        }
        return count;
    }

    /** Returns how many appends were sent, acknowledged or not, JSON batches included. */
    int sentAppends() {
        int count = json.sentCount();
        for (TextStreamLedger ledger : textStreams()) {
            count += ledger.sentCount();
        }
        return count;
    }
}
