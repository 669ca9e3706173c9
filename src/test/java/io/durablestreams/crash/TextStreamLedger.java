package io.durablestreams.crash;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.nio.charset.StandardCharsets.US_ASCII;

/**
 * What the test sent to one text stream, and which of it the server acknowledged, so that the
 * stream's content after a crash can be checked against it.
 *
 * <p>Every append is one {@link TextRecords} record. A record counts as acknowledged once the
 * server returned a success status for its request. The ledger keeps the position returned
 * with it when the response contains one.
 *
 * <p>Thread-safety: safe for concurrent use, because the writers of one stream share a ledger.
 */
final class TextStreamLedger {

    /** Position of an acknowledged record whose response did not contain its position. */
    static final long UNKNOWN_POSITION = -1;

    private final String path;
    /** Every record sent, acknowledged or not, by key. */
    private final Map<String, byte[]> sent = new HashMap<>();
    /** Acknowledged records in acknowledgement order, with Stream-Next-Offset positions. */
    private final Map<String, Long> acknowledged = new LinkedHashMap<>();
    /** Acknowledged keys of each writer, in the order the writer received the acknowledgements. */
    private final Map<String, List<String>> acknowledgedByWriter = new HashMap<>();
    /** Keys found in the stream at an earlier check, which must stay once served. */
    private final Set<String> seenPresent = new HashSet<>();

    /** The close request sent and not known to have failed, if any. */
    private Optional<CloseRequest> closeRequest = Optional.empty();
    private boolean closed;
    private long closedAt;

    TextStreamLedger(String path) {
        this.path = path;
    }

    String path() {
        return path;
    }

    /** Records a record before its request is sent. */
    synchronized void sent(String key, byte[] body) {
        if (sent.putIfAbsent(key, body) != null) {
            throw new IllegalStateException("Record " + key + " was sent to " + path + " twice");
        }
    }

    /**
     * Records that the server acknowledged a record.
     *
     * @param writer the client that sent it
     * @param key the record's key
     * @param next the returned Stream-Next-Offset position, or {@link #UNKNOWN_POSITION}
     */
    synchronized void acknowledged(String writer, String key, long next) {
        acknowledged.put(key, next);
        acknowledgedByWriter.computeIfAbsent(writer, w -> new ArrayList<>()).add(key);
    }

    /** Records a close request before it is sent, with the key of its final record if any. */
    synchronized void closeRequested(Optional<String> finalKey) {
        closeRequest = Optional.of(new CloseRequest(finalKey));
    }

    /** Records that the server acknowledged the close, or that a check found the stream closed. */
    synchronized void closed(long position) {
        closed = true;
        closedAt = position;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized long closedAt() {
        return closedAt;
    }

    /** Returns the close request sent and not yet known to have succeeded, if any. */
    synchronized Optional<CloseRequest> pendingClose() {
        return closed ? Optional.empty() : closeRequest;
    }

    /** Forgets a close request that a check found had not taken effect. */
    synchronized void closeNotApplied() {
        closeRequest = Optional.empty();
    }

    synchronized int acknowledgedCount() {
        return acknowledged.size();
    }

    synchronized int sentCount() {
        return sent.size();
    }

    /**
     * Checks stream content against the ledger.
     *
     * @param content the stream's bytes from its start to its tail
     * @param violations receives one message per failed check
     * @return the records found, by key, or an empty map when the content does not parse
     */
    synchronized Map<String, TextRecords.Found> verify(byte[] content, List<String> violations) {
        List<TextRecords.Found> records;
        try {
            records = TextRecords.parse(content);
        } catch (TextRecords.MalformedRecordException e) {
            violations.add(path + ": " + e.getMessage() + ", content there: "
                    + excerpt(content, e.position()));
            return Map.of();
        }

        Map<String, TextRecords.Found> byKey = new HashMap<>();
        for (TextRecords.Found found : records) {
            byte[] body = sent.get(found.key());
            if (body == null) {
                violations.add(path + ": record " + found.key() + " at [" + found.start() + ", "
                        + found.end() + ") was never sent");
                continue;
            }
            if (!Arrays.equals(body, 0, body.length, content, found.start(), found.end())) {
                violations.add(path + ": record " + found.key() + " at [" + found.start() + ", "
                        + found.end() + ") differs from the body sent");
            }
            TextRecords.Found earlier = byKey.put(found.key(), found);
            if (earlier != null) {
                violations.add(path + ": record " + found.key() + " is stored twice, at "
                        + earlier.start() + " and " + found.start());
            }
        }

        for (Map.Entry<String, Long> ack : acknowledged.entrySet()) {
            String key = ack.getKey();
            long next = ack.getValue();
            byte[] body = sent.get(key);
            if (!byKey.containsKey(key)) {
                violations.add(path + ": acknowledged record " + key + " is missing"
                        + (next == UNKNOWN_POSITION ? "" : " (acknowledged with next offset "
                        + next + ")"));
                continue;
            }
            if (next == UNKNOWN_POSITION) {
                continue;
            }
            long start = next - body.length;
            boolean inRange = start >= 0 && next <= content.length;
            if (!inRange || !Arrays.equals(body, 0, body.length, content, (int) start,
                    (int) next)) {
                violations.add(path + ": acknowledged record " + key + " is not at its position ["
                        + start + ", " + next + "); it is at " + byKey.get(key).start());
            }
        }

        for (Map.Entry<String, List<String>> writer : acknowledgedByWriter.entrySet()) {
            int previous = -1;
            String previousKey = null;
            for (String key : writer.getValue()) {
                TextRecords.Found found = byKey.get(key);
                if (found == null) {
                    continue;
                }
                if (found.start() <= previous) {
                    violations.add(path + ": writer " + writer.getKey() + " had " + previousKey
                            + " acknowledged before " + key + ", but " + key + " is stored at "
                            + found.start() + ", before " + previous);
                }
                previous = found.start();
                previousKey = key;
            }
        }

        for (String key : seenPresent) {
            if (!byKey.containsKey(key)) {
                violations.add(path + ": record " + key + " was served after an earlier restart"
                        + " but is missing now");
            }
        }
        seenPresent.addAll(byKey.keySet());
        return byKey;
    }

    /**
     * A request that closes the stream.
     *
     * @param finalKey the key of the record appended with the close, if any
     */
    record CloseRequest(Optional<String> finalKey) {
    }

    private static String excerpt(byte[] content, int position) {
        int from = Math.max(0, position - 40);
        int to = Math.min(content.length, position + 80);
        return "\"" + new String(content, from, to - from, US_ASCII) + "\"";
    }
}
