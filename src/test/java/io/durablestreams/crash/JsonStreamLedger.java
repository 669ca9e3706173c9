package io.durablestreams.crash;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the test sent to one JSON stream, batch by batch, and which batches the server
 * acknowledged, so that the messages a read returns after a crash can be checked against it.
 *
 * <p>Every message is a compact JSON object that occurs once in the whole test, so its text
 * identifies it. The server stores each message as the exact bytes sent, which lets the check
 * compare text.
 *
 * <p>Thread-safety: safe for concurrent use, because the writers of one stream share a ledger.
 */
final class JsonStreamLedger {

    private final String path;
    private final Map<String, Batch> batches = new HashMap<>();
    private final Map<String, String> batchOfMessage = new HashMap<>();
    /** Acknowledged batches in acknowledgement order, with Stream-Next-Offset positions. */
    private final Map<String, Long> acknowledged = new LinkedHashMap<>();
    private final Map<String, Integer> acknowledgedInRound = new HashMap<>();
    private final Map<String, List<String>> acknowledgedByWriter = new HashMap<>();
    /** Batches found in the stream at an earlier check, which must stay once served. */
    private final Set<String> seenPresent = new HashSet<>();

    JsonStreamLedger(String path) {
        this.path = path;
    }

    String path() {
        return path;
    }

    /**
     * One append: the messages of one request.
     *
     * @param id unique name of the batch
     * @param writer the client that sends it
     * @param messages the messages' text, in order
     */
    record Batch(String id, String writer, List<String> messages) {
    }

    /**
     * A read that checks an acknowledged position: a read from {@code next} must start with
     * {@code expectedFirst}, or be empty when nothing follows the batch.
     *
     * @param batchId the batch acknowledged with {@code next}
     * @param next the position returned with the acknowledgement
     * @param expectedFirst the message that follows the batch in the stream, if any
     */
    record PositionCheck(String batchId, long next, Optional<String> expectedFirst) {
    }

    /** Records a batch before its request is sent. */
    synchronized void sent(Batch batch) {
        batches.put(batch.id(), batch);
        for (String message : batch.messages()) {
            if (batchOfMessage.putIfAbsent(message, batch.id()) != null) {
                throw new IllegalStateException("Message " + message + " was sent twice");
            }
        }
    }

    /** Records that the server acknowledged a batch with a Stream-Next-Offset position. */
    synchronized void acknowledged(String batchId, long next, int round) {
        acknowledged.put(batchId, next);
        acknowledgedInRound.put(batchId, round);
        acknowledgedByWriter.computeIfAbsent(batches.get(batchId).writer(),
                w -> new ArrayList<>()).add(batchId);
    }

    synchronized int acknowledgedCount() {
        return acknowledged.size();
    }

    synchronized int sentCount() {
        return batches.size();
    }

    /**
     * Checks the messages of the stream against the ledger. Every message must have been sent
     * and occur once. Every batch must be wholly present, in order and contiguous, or wholly
     * absent. Every acknowledged batch must be present, and each writer's acknowledged batches
     * must be in the order of their acknowledgements.
     *
     * @param messages the stream's messages from its start
     * @param violations receives one message per failed check
     * @return index of the first message of every present batch
     */
    synchronized Map<String, Integer> verify(List<String> messages, List<String> violations) {
        Map<String, List<Integer>> indexesByBatch = new HashMap<>();
        Set<String> seenMessages = new HashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            String message = messages.get(i);
            String batchId = batchOfMessage.get(message);
            if (batchId == null) {
                violations.add(path + ": message " + i + " was never sent: " + message);
                continue;
            }
            if (!seenMessages.add(message)) {
                violations.add(path + ": message " + message + " is stored twice");
                continue;
            }
            indexesByBatch.computeIfAbsent(batchId, b -> new ArrayList<>()).add(i);
        }

        Map<String, Integer> firstIndex = new HashMap<>();
        for (Map.Entry<String, List<Integer>> entry : indexesByBatch.entrySet()) {
            Batch batch = batches.get(entry.getKey());
            List<Integer> indexes = entry.getValue();
            int first = indexes.getFirst();
            boolean whole = indexes.size() == batch.messages().size();
            for (int j = 0; whole && j < indexes.size(); j++) {
                whole = indexes.get(j) == first + j
                        && messages.get(first + j).equals(batch.messages().get(j));
            }
            if (!whole) {
                violations.add(path + ": batch " + batch.id() + " of "
                        + batch.messages().size() + " messages is stored partly or out of order,"
                        + " at message indexes " + indexes);
            }
            firstIndex.put(batch.id(), first);
        }

        for (String batchId : acknowledged.keySet()) {
            if (!firstIndex.containsKey(batchId)) {
                violations.add(path + ": acknowledged batch " + batchId + " is missing");
            }
        }
        for (Map.Entry<String, List<String>> writer : acknowledgedByWriter.entrySet()) {
            int previous = -1;
            String previousId = null;
            for (String batchId : writer.getValue()) {
                Integer index = firstIndex.get(batchId);
                if (index == null) {
                    continue;
                }
                if (index <= previous) {
                    violations.add(path + ": writer " + writer.getKey() + " had " + previousId
                            + " acknowledged before " + batchId + ", but " + batchId
                            + " is stored before it");
                }
                previous = index;
                previousId = batchId;
            }
        }
        for (String batchId : seenPresent) {
            if (!firstIndex.containsKey(batchId)) {
                violations.add(path + ": batch " + batchId + " was served after an earlier"
                        + " restart but is missing now");
            }
        }
        seenPresent.addAll(firstIndex.keySet());
        return firstIndex;
    }

    /**
     * Lists the position checks of the batches acknowledged in one round.
     *
     * @param round the round whose acknowledgements to check
     * @param messages the stream's messages from its start
     * @param firstIndex index of the first message of every present batch, from {@link #verify}
     * @return one check per batch that is present
     */
    synchronized List<PositionCheck> positionChecks(int round, List<String> messages,
                                                    Map<String, Integer> firstIndex) {
        List<PositionCheck> checks = new ArrayList<>();
        for (Map.Entry<String, Long> ack : acknowledged.entrySet()) {
            String batchId = ack.getKey();
            Integer first = firstIndex.get(batchId);
            if (acknowledgedInRound.get(batchId) != round || first == null) {
                continue;
            }
            int after = first + batches.get(batchId).messages().size();
            Optional<String> expected = after < messages.size()
                    ? Optional.of(messages.get(after))
                    : Optional.empty();
            checks.add(new PositionCheck(batchId, ack.getValue(), expected));
        }
        return checks;
    }
}
