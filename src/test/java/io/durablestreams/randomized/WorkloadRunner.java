package io.durablestreams.randomized;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import io.durablestreams.LoopbackServer;
import io.durablestreams.LoopbackServer.Reply;
import io.durablestreams.randomized.StreamModel.Kind;
import io.durablestreams.randomized.StreamModel.Unit;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Runs client scripts concurrently against one server, keeps a model of what every
 * acknowledged request implies, and checks each response and, at checkpoints, every stream
 * against the model.
 *
 * <p>The checks: no response is a 5xx. Every read returns a fork's inherited data first, then
 * only appends that were sent, each whole, once, in its client's order and with increasing
 * {@code Stream-Seq}, and it includes every append acknowledged before the read began. Offsets
 * grow with every page, SSE control event and acknowledged append. A closed stream rejects
 * appends with 409 and {@code Stream-Closed: true}. A deleted stream returns 404, or 410 while
 * forks read it. At a checkpoint, when no request is in flight, each stream contains exactly its
 * acknowledged appends, SSE returns the same content as catch-up reads, and reading from an
 * acknowledged offset returns exactly what follows that append.
 *
 * <p>Appends, closes and reads of all clients run concurrently. Creates, forks and deletes take
 * a lifecycle lock that excludes every other request, so that the model records which
 * incarnation of a path each request reached. Every violation is collected, with the client and step that
 * saw it, rather than thrown.
 */
public final class WorkloadRunner {

    /** Stream paths the scripts work on: plain streams first, then fork targets. */
    public static final List<String> SLOTS = List.of("s0", "s1", "s2", "s3", "s4",
            "f0", "f1", "f2");

    /** Number of fork target slots at the end of {@link #SLOTS}. */
    public static final int FORK_SLOTS = 3;

    /** Content type of a stream that a plain PUT creates in each slot. */
    private static final Kind[] PLAIN_KINDS = {Kind.TEXT, Kind.TEXT, Kind.JSON, Kind.JSON,
            Kind.BINARY, Kind.TEXT, Kind.JSON, Kind.BINARY};

    private static final int ROUNDS = 2;
    /** Appends whose read-back from their acknowledged offset each checkpoint checks. */
    private static final int OFFSET_SAMPLES = 3;

    private final LoopbackServer server;
    private final StreamReads reads;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock(true);
    /** The incarnation at each slot, or null. Changed only under the lifecycle write lock. */
    private final StreamModel[] current = new StreamModel[SLOTS.size()];
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicInteger unitNumbers = new AtomicInteger();
    private final AtomicInteger skippedForTime = new AtomicInteger();
    private final AtomicInteger stepsRun = new AtomicInteger();
    private final AtomicInteger acknowledgedAppends = new AtomicInteger();
    private volatile long deadline;

    /**
     * Creates a runner.
     *
     * @param server a server with no streams yet
     */
    public WorkloadRunner(LoopbackServer server) {
        this.server = server;
        this.reads = new StreamReads(server, violations::add);
    }

    /**
     * Runs the scripts in two rounds, each followed by a checkpoint.
     *
     * @param scripts one list of steps per client
     * @param budget time after which clients skip their remaining steps
     * @return the violations seen, empty when the server kept to the protocol
     * @throws InterruptedException when the calling thread is interrupted
     */
    public List<String> run(List<List<Operation>> scripts, Duration budget)
            throws InterruptedException {
        deadline = System.nanoTime() + budget.toNanos();
        createPlainStreams();
        for (int round = 0; round < ROUNDS && violations.isEmpty(); round++) {
            runRound(scripts, round, budget);
            Lock exclusive = lifecycle.writeLock();
            exclusive.lock();
            try {
                checkpoint("checkpoint " + (round + 1));
            } finally {
                exclusive.unlock();
            }
        }
        return List.copyOf(violations);
    }

    /**
     * Returns how many steps were skipped because the time budget ran out.
     *
     * @return the count
     */
    public int skippedForTime() {
        return skippedForTime.get();
    }

    /**
     * Returns a one-line account of the run, to show what a try exercised.
     *
     * @return the summary
     */
    public String summary() {
        int live = 0;
        int closed = 0;
        int forks = 0;
        for (StreamModel model : current) {
            if (model != null && !model.softDeleted) {
                live++;
                closed += model.isClosed() ? 1 : 0;
                forks += model.source != null ? 1 : 0;
            }
        }
        return stepsRun.get() + " steps run, " + skippedForTime.get() + " skipped for time, "
                + acknowledgedAppends.get() + " appends acknowledged; at the end " + live
                + " live streams (" + closed + " closed, " + forks + " forks)";
    }

    /** Creates a stream in every slot that is not a fork target, so that appends find one. */
    private void createPlainStreams() {
        for (int slot = 0; slot < SLOTS.size() - FORK_SLOTS; slot++) {
            create(0, new Operation(Operation.Kind.CREATE, slot, 0, 50, 1), "setup create "
                    + SLOTS.get(slot));
        }
    }

    private void runRound(List<List<Operation>> scripts, int round, Duration budget)
            throws InterruptedException {
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        for (int c = 0; c < scripts.size(); c++) {
            List<Operation> script = scripts.get(c);
            int from = script.size() * round / ROUNDS;
            int to = script.size() * (round + 1) / ROUNDS;
            int client = c;
            clients.submit(() -> runClient(client, script.subList(from, to), from));
        }
        clients.shutdown();
        // Each request has its own timeout, so clients end soon after the budget.
        if (!clients.awaitTermination(budget.toSeconds() + 120, TimeUnit.SECONDS)) {
            violations.add("clients of round " + (round + 1) + " did not finish in time");
            clients.shutdownNow();
        }
    }

    private void runClient(int client, List<Operation> steps, int firstIndex) {
        for (int i = 0; i < steps.size(); i++) {
            if (System.nanoTime() - deadline > 0) {
                skippedForTime.addAndGet(steps.size() - i);
                return;
            }
            Operation step = steps.get(i);
            String label = "client " + client + " step " + (firstIndex + i) + " " + step.kind()
                    + " " + SLOTS.get(step.slot());
            try {
                stepsRun.incrementAndGet();
                execute(client, step, label);
            } catch (RuntimeException | AssertionError e) {
                violations.add(label + ": request failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                violations.add(label + ": interrupted");
                return;
            }
        }
    }

    private void execute(int client, Operation step, String label) throws InterruptedException {
        boolean exclusive = switch (step.kind()) {
            case CREATE, FORK, DELETE -> true;
            default -> false;
        };
        Lock lock = exclusive ? lifecycle.writeLock() : lifecycle.readLock();
        lock.lock();
        try {
            switch (step.kind()) {
                case CREATE -> create(client, step, label);
                case APPEND, APPEND_WITH_SEQ -> append(client, step, label);
                case PRODUCER_APPEND -> producerAppend(client, step, label);
                case CLOSE -> close(client, step, label);
                case READ_CATCH_UP, READ_LONG_POLL, READ_SSE -> read(step, label);
                case FORK -> fork(step, label);
                case DELETE -> delete(step, label);
            }
        } finally {
            lock.unlock();
        }
    }

    private void create(int client, Operation step, String label) {
        int slot = step.slot();
        String path = SLOTS.get(slot);
        Kind kind = PLAIN_KINDS[slot];
        boolean withBody = step.variant() < 30;
        boolean closedAtCreate = step.variant() >= 90;
        Unit unit = withBody ? newUnit(client, kind, step.batchSize(), step.variant(), null)
                : null;
        List<String> headers = new ArrayList<>(List.of("Content-Type", kind.contentType()));
        if (closedAtCreate) {
            headers.addAll(List.of("Stream-Closed", "true"));
        }
        Reply reply = server.send("PUT", path, "", unit == null ? new byte[0] : unit.body(),
                headers.toArray(String[]::new));
        reads.checkNoServerError(reply, label);

        StreamModel existing = current[slot];
        if (existing != null) {
            boolean matches = !existing.softDeleted && existing.source == null
                    && existing.kind == kind && existing.isClosed() == closedAtCreate;
            expectStatus(reply, matches ? 200 : 409, label + " of an existing stream");
            return;
        }
        if (!expectStatus(reply, 201, label)) {
            return;
        }
        String next = reply.header("Stream-Next-Offset");
        StreamModel created = new StreamModel(slot, path, kind, null, null, List.of());
        if (unit != null) {
            created.sent(unit);
            acknowledge(created, unit, next);
        }
        if (closedAtCreate) {
            created.closeSent();
            created.closed(next);
            expectHeader(reply, "Stream-Closed", "true", label);
        }
        current[slot] = created;
    }

    private void append(int client, Operation step, String label) {
        StreamModel model = current[step.slot()];
        if (rejectsMissing(model, step, "POST", label)) {
            return;
        }
        boolean closedBefore = model.isClosed();
        String seq = null;
        boolean stale = false;
        if (step.kind() == Operation.Kind.APPEND_WITH_SEQ) {
            String last = model.lastAckedSeq();
            stale = step.variant() < 20 && last != null;
            seq = stale ? last : model.nextSeq();
        }
        Unit unit = newUnit(client, model.kind, step.batchSize(), step.variant(), seq);
        model.sent(unit);
        List<String> headers = new ArrayList<>(List.of("Content-Type", model.kind.contentType()));
        if (seq != null) {
            headers.addAll(List.of("Stream-Seq", seq));
        }
        Reply reply = server.send("POST", model.path, "", unit.body(),
                headers.toArray(String[]::new));
        reads.checkNoServerError(reply, label);

        if (closedBefore) {
            expectClosedConflict(reply, model, label);
        } else if (reply.status() == 204) {
            if (stale) {
                violations.add(label + ": an append with the stale Stream-Seq " + seq
                        + " must get 409, but it was stored");
            }
            acknowledge(model, unit, reply.header("Stream-Next-Offset"));
        } else if (!closedByRace(reply, model) && !(reply.status() == 409 && seq != null
                && (stale || model.greaterSeqSent(seq)))) {
            violations.add(label + ": expected 204 (or 409 for a racing close or Stream-Seq);"
                    + " got " + describe(reply));
        }
    }

    private void producerAppend(int client, Operation step, String label)
            throws InterruptedException {
        StreamModel model = current[step.slot()];
        if (rejectsMissing(model, step, "POST", label)) {
            return;
        }
        boolean closedBefore = model.isClosed();
        long seq = model.producerSeq(client);
        Unit unit = newUnit(client, model.kind, step.batchSize(), step.variant(), null);
        model.sent(unit);
        String[] headers = {"Content-Type", model.kind.contentType(),
                "Producer-Id", "producer-" + client, "Producer-Epoch", "0",
                "Producer-Seq", Long.toString(seq)};

        if (step.variant() >= 70) {
            // Two copies at once, as when a client retries before the first response arrives.
            Reply[] replies = sendTwiceConcurrently(model.path, unit.body(), headers);
            Reply stored = null;
            int duplicates = 0;
            int closedConflicts = 0;
            for (Reply reply : replies) {
                reads.checkNoServerError(reply, label);
                if (reply.status() == 200) {
                    stored = reply;
                } else if (reply.status() == 204) {
                    duplicates++;
                } else if (closedByRace(reply, model)) {
                    closedConflicts++;
                }
            }
            if (closedBefore) {
                expectClosedConflict(replies[0], model, label);
                expectClosedConflict(replies[1], model, label);
            } else if (stored != null && duplicates + closedConflicts == 1) {
                acknowledge(model, unit, stored.header("Stream-Next-Offset"));
                model.producerAcked(client, seq);
                expectHeader(stored, "Producer-Seq", Long.toString(seq), label);
            } else if (closedConflicts != 2) {
                violations.add(label + ": two concurrent copies of producer seq " + seq
                        + " must be stored once (200 and 204); got " + describe(replies[0])
                        + " and " + describe(replies[1]));
            }
            return;
        }

        Reply first = server.send("POST", model.path, "", unit.body(), headers);
        reads.checkNoServerError(first, label);
        if (closedBefore) {
            expectClosedConflict(first, model, label);
            return;
        }
        if (first.status() != 200) {
            if (!closedByRace(first, model)) {
                violations.add(label + ": producer seq " + seq + " must get 200; got "
                        + describe(first));
            }
            return;
        }
        acknowledge(model, unit, first.header("Stream-Next-Offset"));
        model.producerAcked(client, seq);
        expectHeader(first, "Producer-Epoch", "0", label);
        expectHeader(first, "Producer-Seq", Long.toString(seq), label);
        if (step.variant() < 50) {
            // A retry, as when the response to the first copy was lost.
            Reply retry = server.send("POST", model.path, "", unit.body(), headers);
            reads.checkNoServerError(retry, label);
            if (retry.status() == 204) {
                expectHeader(retry, "Producer-Seq", Long.toString(seq), label + " retry");
            } else if (!closedByRace(retry, model)) {
                violations.add(label + ": a retry of producer seq " + seq + " must get 204 as"
                        + " a duplicate; got " + describe(retry));
            }
        }
    }

    private void close(int client, Operation step, String label) {
        StreamModel model = current[step.slot()];
        if (rejectsMissing(model, step, "POST", label)) {
            return;
        }
        boolean closedBefore = model.isClosed();
        boolean withBody = step.variant() >= 50;
        model.closeSent();
        Reply reply;
        Unit unit = null;
        if (withBody) {
            unit = newUnit(client, model.kind, step.batchSize(), step.variant(), null);
            model.sent(unit);
            reply = server.send("POST", model.path, "", unit.body(),
                    "Content-Type", model.kind.contentType(), "Stream-Closed", "true");
        } else {
            reply = server.send("POST", model.path, "", new byte[0], "Stream-Closed", "true");
        }
        reads.checkNoServerError(reply, label);

        if (withBody && closedBefore) {
            expectClosedConflict(reply, model, label);
            return;
        }
        if (withBody && reply.status() == 409 && model.otherCloseSent()
                && "true".equals(reply.header("Stream-Closed"))) {
            return;
        }
        if (!expectStatus(reply, 204, label)) {
            return;
        }
        expectHeader(reply, "Stream-Closed", "true", label);
        String next = reply.header("Stream-Next-Offset");
        if (unit != null) {
            acknowledge(model, unit, next);
        }
        model.closed(next);
        if (!model.finalOffset().equals(next)) {
            violations.add(label + ": every close of a stream must report its final offset "
                    + model.finalOffset() + "; got " + next);
        }
    }

    private void read(Operation step, String label) throws InterruptedException {
        StreamModel model = current[step.slot()];
        if (rejectsMissing(model, step, "GET", label)) {
            return;
        }
        Set<String> acknowledged = model.ackedMessageIds();
        boolean closedBefore = model.isClosed();
        StreamReads.Outcome outcome = switch (step.kind()) {
            case READ_LONG_POLL -> reads.catchUpThenLongPoll(model, label);
            case READ_SSE -> reads.sse(model, label);
            default -> reads.catchUp(model, label);
        };
        if (outcome.status() != 200) {
            violations.add(label + ": a read of an existing stream must get 200; got "
                    + outcome.status());
            return;
        }
        checkContent(model, outcome.messageIds(), outcome.upToDate() ? acknowledged : Set.of(),
                false, label);
        if (outcome.upToDate() && closedBefore && !outcome.closed()) {
            violations.add(label + ": a read that reached the tail of a closed stream must"
                    + " report it closed");
        }
        if (outcome.closed() && !model.anyCloseSent()) {
            violations.add(label + ": a read reported the stream closed, but no close was sent");
        }
    }

    private void fork(Operation step, String label) {
        int targetSlot = SLOTS.size() - FORK_SLOTS + step.target() % FORK_SLOTS;
        if (targetSlot == step.slot()) {
            return;
        }
        StreamModel source = current[step.slot()];
        StreamModel target = current[targetSlot];
        String targetPath = SLOTS.get(targetSlot);
        List<String> headers = new ArrayList<>(List.of("Stream-Forked-From",
                LoopbackServer.MOUNT_PATH + "/" + SLOTS.get(step.slot())));
        if (source == null || source.softDeleted) {
            Reply reply = server.send("PUT", targetPath, "", new byte[0],
                    headers.toArray(String[]::new));
            reads.checkNoServerError(reply, label);
            expectStatus(reply, source == null ? 404 : 409, label + " of a "
                    + (source == null ? "missing" : "soft-deleted") + " source");
            return;
        }

        // Nothing else runs now, so this read is the source's whole content.
        StreamReads.Outcome content = reads.catchUp(source, label + " source read");
        if (content.status() != 200 || !content.upToDate()) {
            violations.add(label + ": the source read must reach the tail; got "
                    + content.status());
            return;
        }
        List<String> ids = content.messageIds();
        checkContent(source, ids, source.ackedMessageIds(), true, label + " source read");
        String offset = content.tail();
        List<String> inherited = ids;
        List<Unit> own = source.ackedUnits();
        if (step.variant() >= 50 && !own.isEmpty()) {
            Unit at = own.get(step.variant() % own.size());
            offset = source.ackOffset(at.id());
            int end = ids.indexOf(at.messageIds().getLast()) + 1;
            if (end == 0) {
                violations.add(label + ": acknowledged append " + at.id() + " is missing");
                return;
            }
            inherited = ids.subList(0, end);
            headers.addAll(List.of("Stream-Fork-Offset", offset));
        }
        Reply reply = server.send("PUT", targetPath, "", new byte[0],
                headers.toArray(String[]::new));
        reads.checkNoServerError(reply, label);

        if (target != null) {
            boolean matches = !target.softDeleted && target.source == source
                    && offset.equals(target.forkOffset) && !target.isClosed();
            expectStatus(reply, matches ? 200 : 409, label + " onto an existing stream");
            return;
        }
        if (!expectStatus(reply, 201, label)) {
            return;
        }
        expectHeader(reply, "Stream-Next-Offset", offset, label + " (the fork's tail)");
        current[targetSlot] = new StreamModel(targetSlot, targetPath, source.kind, source,
                offset, inherited);
        source.liveForks++;
    }

    private void delete(Operation step, String label) {
        StreamModel model = current[step.slot()];
        if (rejectsMissing(model, step, "DELETE", label)) {
            return;
        }
        Reply reply = server.send("DELETE", model.path, "", new byte[0]);
        reads.checkNoServerError(reply, label);
        if (expectStatus(reply, 204, label)) {
            remove(model);
        }
    }

    /** Applies a delete to the model: soft while forks read the stream, then up the chain. */
    private void remove(StreamModel model) {
        if (model.liveForks > 0) {
            model.softDeleted = true;
            return;
        }
        StreamModel removed = model;
        while (true) {
            removed.deleted = true;
            if (current[removed.slot] == removed) {
                current[removed.slot] = null;
            }
            StreamModel source = removed.source;
            if (source == null) {
                return;
            }
            source.liveForks--;
            if (source.liveForks > 0 || !source.softDeleted) {
                return;
            }
            removed = source;
        }
    }

    /**
     * Sends a request to a slot without a live stream and checks that it gets 404, or 410 for
     * a soft-deleted one.
     *
     * @return true when the slot has no live stream
     */
    private boolean rejectsMissing(StreamModel model, Operation step, String method,
                                   String label) {
        if (model != null && !model.softDeleted) {
            return false;
        }
        String path = SLOTS.get(step.slot());
        byte[] body = method.equals("POST") ? "<x>".getBytes(UTF_8) : new byte[0];
        Reply reply = server.send(method, path, "", body, "Content-Type", "text/plain");
        reads.checkNoServerError(reply, label);
        expectStatus(reply, model == null ? 404 : 410, label + " of a "
                + (model == null ? "missing" : "soft-deleted") + " stream");
        return true;
    }

    private void checkpoint(String label) throws InterruptedException {
        for (int slot = 0; slot < SLOTS.size(); slot++) {
            StreamModel model = current[slot];
            String path = SLOTS.get(slot);
            String streamLabel = label + " " + path;
            if (model == null || model.softDeleted) {
                int expected = model == null ? 404 : 410;
                for (String method : List.of("GET", "HEAD", "DELETE")) {
                    Reply reply = server.send(method, path, "", new byte[0]);
                    reads.checkNoServerError(reply, streamLabel);
                    expectStatus(reply, expected, streamLabel + " " + method + " of a "
                            + (model == null ? "deleted or never created" : "soft-deleted")
                            + " stream");
                }
                continue;
            }
            checkLiveStream(model, streamLabel);
        }
    }

    private void checkLiveStream(StreamModel model, String label) throws InterruptedException {
        StreamReads.Outcome content = reads.catchUp(model, label + " catch-up");
        if (content.status() != 200 || !content.upToDate()) {
            violations.add(label + ": the final read must reach the tail; got "
                    + content.status());
            return;
        }
        List<String> ids = content.messageIds();
        checkContent(model, ids, model.ackedMessageIds(), true, label);
        if (content.closed() != model.isClosed()) {
            violations.add(label + ": the read at the tail must report closed="
                    + model.isClosed() + "; got " + content.closed());
        }
        if (model.isClosed() && !model.finalOffset().equals(content.tail())) {
            violations.add(label + ": the tail of the closed stream must be its final offset "
                    + model.finalOffset() + "; got " + content.tail());
        }

        Reply head = server.send("HEAD", model.path, "", new byte[0]);
        expectStatus(head, 200, label + " HEAD");
        expectHeader(head, "Stream-Next-Offset", content.tail(), label + " HEAD");
        if (model.isClosed()) {
            expectHeader(head, "Stream-Closed", "true", label + " HEAD");
        } else if (head.header("Stream-Closed") != null) {
            violations.add(label + " HEAD: an open stream must not carry Stream-Closed");
        }

        StreamReads.Outcome sse = reads.sse(model, label + " SSE");
        if (sse.upToDate() && !sse.messageIds().equals(ids)) {
            violations.add(label + ": SSE must return the same messages as catch-up reads;"
                    + " SSE " + sse.messageIds() + ", catch-up " + ids);
        }

        checkAckOffsets(model, ids, label);
        if (model.isClosed()) {
            Unit late = newUnit(0, model.kind, 1, 0, null);
            Reply append = server.send("POST", model.path, "", late.body(),
                    "Content-Type", model.kind.contentType());
            expectClosedConflict(append, model, label + " append after close");
        }
    }

    /**
     * Checks that acknowledged offsets grow with the content order, and that reading from a few
     * of them returns exactly what follows their append.
     */
    private void checkAckOffsets(StreamModel model, List<String> ids, String label) {
        List<Unit> inOrder = new ArrayList<>();
        for (String id : ids.subList(Math.min(model.inherited.size(), ids.size()), ids.size())) {
            Unit unit = model.unitOf(id);
            if (unit != null && unit.messageIds().getFirst().equals(id)) {
                inOrder.add(unit);
            }
        }
        String previous = model.forkOffset;
        for (Unit unit : inOrder) {
            String offset = model.ackOffset(unit.id());
            if (offset == null || (previous != null && offset.compareTo(previous) <= 0)) {
                violations.add(label + ": the offset acknowledged for " + unit.id() + " ("
                        + offset + ") must be greater than the one before it (" + previous
                        + ")");
                return;
            }
            previous = offset;
        }
        for (int i = 0; i < Math.min(OFFSET_SAMPLES, inOrder.size()); i++) {
            Unit unit = inOrder.get(i * (inOrder.size() - 1) / Math.max(1, OFFSET_SAMPLES - 1));
            String offset = model.ackOffset(unit.id());
            StreamReads.Outcome rest = reads.catchUpFrom(model, offset, label + " from "
                    + offset);
            int end = ids.indexOf(unit.messageIds().getLast()) + 1;
            List<String> expected = ids.subList(end, ids.size());
            if (rest.status() != 200 || !rest.messageIds().equals(expected)) {
                violations.add(label + ": reading from the offset acknowledged for "
                        + unit.id() + " must return exactly what follows it; expected "
                        + expected + ", got " + rest.status() + " " + rest.messageIds());
            }
        }
    }

    /**
     * Checks read content against the model: the fork's inherited prefix, no unknown or
     * repeated message, whole appends in one piece, each client's appends in acknowledgement
     * order, {@code Stream-Seq} values increasing, and every acknowledged message present.
     *
     * @param model the stream
     * @param ids the message ids read
     * @param mustContain messages acknowledged before the read started
     * @param exact true when no request is in flight, so that the content must be exactly the
     *        acknowledged appends
     * @param label a label for violations
     */
    private void checkContent(StreamModel model, List<String> ids, Set<String> mustContain,
                              boolean exact, String label) {
        int inheritedCount = model.inherited.size();
        if (ids.size() < inheritedCount
                || !ids.subList(0, inheritedCount).equals(model.inherited)) {
            violations.add(label + ": a fork must start with the source's data up to the fork"
                    + " offset " + model.inherited + "; got " + ids);
            return;
        }
        Set<String> seen = new HashSet<>();
        Map<String, List<Integer>> positions = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            if (!seen.add(id)) {
                violations.add(label + ": message " + id + " appears twice");
            }
            if (i < inheritedCount) {
                continue;
            }
            Unit unit = model.unitOf(id);
            if (unit == null) {
                violations.add(label + ": message " + id + " was never sent to this stream");
                continue;
            }
            positions.computeIfAbsent(unit.id(), u -> new ArrayList<>()).add(i);
        }
        for (String id : mustContain) {
            if (!seen.contains(id)) {
                violations.add(label + ": acknowledged message " + id + " is missing");
            }
        }

        List<Unit> unitsInOrder = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> entry : positions.entrySet()) {
            List<Integer> at = entry.getValue();
            Unit unit = model.unitOf(ids.get(at.getFirst()));
            List<String> found = new ArrayList<>();
            for (int position : at) {
                found.add(ids.get(position));
            }
            boolean contiguous = at.getLast() - at.getFirst() == at.size() - 1;
            if (!found.equals(unit.messageIds()) || !contiguous) {
                violations.add(label + ": append " + unit.id() + " must be stored whole and in"
                        + " one piece; found " + found + " at " + at);
            }
            if (exact && !model.isAcked(unit.id())) {
                violations.add(label + ": append " + unit.id() + " was stored, but the server"
                        + " did not acknowledge it");
            }
            unitsInOrder.add(unit);
        }
        unitsInOrder.sort((a, b) -> Integer.compare(positions.get(a.id()).getFirst(),
                positions.get(b.id()).getFirst()));

        for (int client : model.clients()) {
            List<String> order = new ArrayList<>(model.ackOrder(client));
            order.retainAll(positions.keySet());
            List<String> stored = new ArrayList<>();
            for (Unit unit : unitsInOrder) {
                if (order.contains(unit.id())) {
                    stored.add(unit.id());
                }
            }
            if (!stored.equals(order)) {
                violations.add(label + ": client " + client + "'s appends must be stored in the"
                        + " order they were acknowledged " + order + "; got " + stored);
            }
        }
        String previousSeq = null;
        for (Unit unit : unitsInOrder) {
            if (unit.streamSeq() == null) {
                continue;
            }
            if (previousSeq != null && unit.streamSeq().compareTo(previousSeq) <= 0) {
                violations.add(label + ": Stream-Seq " + unit.streamSeq() + " is stored after "
                        + previousSeq + ", but values must increase");
            }
            previousSeq = unit.streamSeq();
        }
    }

    private Unit newUnit(int client, Kind kind, int batchSize, int variant, String streamSeq) {
        String id = "c" + client + "n" + unitNumbers.incrementAndGet();
        return switch (kind) {
            case TEXT -> new Unit(id, client, List.of(id),
                    ("<" + id + "\u00e9>").getBytes(UTF_8), streamSeq);
            case BINARY -> new Unit(id, client, List.of(id), ("<" + id + ">").getBytes(UTF_8),
                    streamSeq);
            case JSON -> jsonUnit(id, client, batchSize, variant, streamSeq);
        };
    }

    /** Returns a JSON append: one object, or an array of objects that the server flattens. */
    private static Unit jsonUnit(String id, int client, int batchSize, int variant,
                                 String streamSeq) {
        String number = id.substring(id.indexOf('n') + 1);
        List<String> messageIds = new ArrayList<>();
        List<String> objects = new ArrayList<>();
        for (int i = 0; i < batchSize; i++) {
            messageIds.add(id + "i" + i);
            objects.add("{\"c\":" + client + ",\"n\":" + number + ",\"i\":" + i + "}");
        }
        boolean bare = batchSize == 1 && variant % 2 == 0;
        String body = bare ? objects.getFirst() : "[" + String.join(",", objects) + "]";
        return new Unit(id, client, messageIds, body.getBytes(UTF_8), streamSeq);
    }

    private Reply[] sendTwiceConcurrently(String path, byte[] body, String[] headers)
            throws InterruptedException {
        try (ExecutorService both = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Reply> first = both.submit(() -> server.send("POST", path, "", body,
                    headers));
            Future<Reply> second = both.submit(() -> server.send("POST", path, "", body,
                    headers));
            return new Reply[] {first.get(), second.get()};
        } catch (ExecutionException e) {
            throw new IllegalStateException("A concurrent producer append failed",
                    e.getCause());
        }
    }

    private void acknowledge(StreamModel model, Unit unit, String nextOffset) {
        acknowledgedAppends.incrementAndGet();
        model.acknowledged(unit, nextOffset);
    }

    /** Tells whether a reply is the 409 of a stream that a concurrent close closed. */
    private static boolean closedByRace(Reply reply, StreamModel model) {
        return reply.status() == 409 && "true".equals(reply.header("Stream-Closed"))
                && model.anyCloseSent();
    }

    private void expectClosedConflict(Reply reply, StreamModel model, String label) {
        if (expectStatus(reply, 409, label + " on a closed stream")) {
            expectHeader(reply, "Stream-Closed", "true", label + " on a closed stream");
            expectHeader(reply, "Stream-Next-Offset", model.finalOffset(),
                    label + " on a closed stream");
        }
    }

    private boolean expectStatus(Reply reply, int expected, String label) {
        if (reply.status() != expected) {
            violations.add(label + ": expected " + expected + "; got " + describe(reply));
            return false;
        }
        return true;
    }

    private void expectHeader(Reply reply, String name, String expected, String label) {
        String actual = reply.header(name);
        if (!expected.equals(actual)) {
            violations.add(label + ": expected " + name + ": " + expected + "; got " + actual);
        }
    }

    private static String describe(Reply reply) {
        String text = reply.text().strip();
        return reply.status() + (text.isEmpty() ? "" : " (" + text + ")");
    }
}
