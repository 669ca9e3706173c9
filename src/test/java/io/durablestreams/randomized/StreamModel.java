package io.durablestreams.randomized;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the clients know about one incarnation of a stream: the appends they sent, the ones the
 * server acknowledged, whether it is closed, and its place in the fork graph. A stream deleted
 * and created again at the same path is a new incarnation with a new model.
 *
 * <p>Thread-safety: every method is synchronized, because clients append to one stream
 * concurrently. Lifecycle fields ({@link #softDeleted}, {@link #deleted}, {@link #liveForks})
 * change only under the runner's lifecycle write lock.
 */
final class StreamModel {

    /** The content types the workload uses, each read back in its own way. */
    enum Kind {
        /** {@code text/plain}: bytes, sent over SSE as text. */
        TEXT("text/plain"),
        /** {@code application/json}: messages, read back as JSON arrays. */
        JSON("application/json"),
        /** {@code application/octet-stream}: bytes, sent over SSE as base64. */
        BINARY("application/octet-stream");

        private final String contentType;

        Kind(String contentType) {
            this.contentType = contentType;
        }

        String contentType() {
            return contentType;
        }
    }

    /**
     * One append's data.
     *
     * @param id unique name of the append, such as {@code c3n17}
     * @param client the client that sent it
     * @param messageIds the ids of the messages it stores, in order: one for bytes, one per
     *        array element for JSON
     * @param body the request body
     * @param streamSeq the {@code Stream-Seq} it carried, or null
     */
    record Unit(String id, int client, List<String> messageIds, byte[] body, String streamSeq) {
    }

    final int slot;
    final String path;
    final Kind kind;
    final StreamModel source;
    /** The fork offset, for a fork. */
    final String forkOffset;
    /** Message ids read from the source up to the fork offset, for a fork. */
    final List<String> inherited;

    private final Map<String, Unit> sentByMessage = new HashMap<>();
    private final Map<String, Unit> acked = new LinkedHashMap<>();
    private final Map<String, String> ackOffsets = new HashMap<>();
    private final Map<Integer, List<String>> ackOrderByClient = new HashMap<>();
    private final Map<Integer, Long> producerSeq = new HashMap<>();
    private boolean closed;
    private String finalOffset;
    private int closesSent;
    private long seqCounter;
    private String lastAckedSeq;

    // Changed only under the runner's lifecycle write lock.
    boolean softDeleted;
    boolean deleted;
    int liveForks;

    StreamModel(int slot, String path, Kind kind, StreamModel source, String forkOffset,
                List<String> inherited) {
        this.slot = slot;
        this.path = path;
        this.kind = kind;
        this.source = source;
        this.forkOffset = forkOffset;
        this.inherited = List.copyOf(inherited);
    }

    synchronized void sent(Unit unit) {
        for (String messageId : unit.messageIds()) {
            sentByMessage.put(messageId, unit);
        }
    }

    synchronized void acknowledged(Unit unit, String nextOffset) {
        if (acked.putIfAbsent(unit.id(), unit) == null) {
            ackOffsets.put(unit.id(), nextOffset);
            ackOrderByClient.computeIfAbsent(unit.client(), c -> new ArrayList<>())
                    .add(unit.id());
            if (unit.streamSeq() != null
                    && (lastAckedSeq == null || unit.streamSeq().compareTo(lastAckedSeq) > 0)) {
                lastAckedSeq = unit.streamSeq();
            }
        }
    }

    synchronized boolean isAcked(String unitId) {
        return acked.containsKey(unitId);
    }

    synchronized String ackOffset(String unitId) {
        return ackOffsets.get(unitId);
    }

    synchronized List<Unit> ackedUnits() {
        return List.copyOf(acked.values());
    }

    /** Returns the message ids of every acknowledged append, own and inherited. */
    synchronized Set<String> ackedMessageIds() {
        Set<String> ids = new HashSet<>(inherited);
        for (Unit unit : acked.values()) {
            ids.addAll(unit.messageIds());
        }
        return ids;
    }

    synchronized Unit unitOf(String messageId) {
        return sentByMessage.get(messageId);
    }

    synchronized List<String> ackOrder(int client) {
        return List.copyOf(ackOrderByClient.getOrDefault(client, List.of()));
    }

    synchronized Set<Integer> clients() {
        return Set.copyOf(ackOrderByClient.keySet());
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized String finalOffset() {
        return finalOffset;
    }

    synchronized void closeSent() {
        closesSent++;
    }

    /** Tells whether any client has sent a close, which may race with other requests. */
    synchronized boolean anyCloseSent() {
        return closesSent > 0;
    }

    /** Tells whether a close other than the caller's own was sent. */
    synchronized boolean otherCloseSent() {
        return closesSent > 1;
    }

    synchronized void closed(String tail) {
        if (!closed) {
            closed = true;
            finalOffset = tail;
        }
    }

    /** Returns the next {@code Stream-Seq} value, zero-padded so text order is number order. */
    synchronized String nextSeq() {
        seqCounter++;
        return String.format("%012d", seqCounter);
    }

    /** Tells whether a greater {@code Stream-Seq} than this one was handed out. */
    synchronized boolean greaterSeqSent(String seq) {
        return String.format("%012d", seqCounter).compareTo(seq) > 0;
    }

    synchronized String lastAckedSeq() {
        return lastAckedSeq;
    }

    synchronized long producerSeq(int client) {
        return producerSeq.getOrDefault(client, 0L);
    }

    synchronized void producerAcked(int client, long seq) {
        producerSeq.put(client, seq + 1);
    }
}
