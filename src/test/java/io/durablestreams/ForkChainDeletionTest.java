package io.durablestreams;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.durablestreams.ForkTestServer.Reply;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static io.durablestreams.ForkTestServer.urlPath;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Deletes a chain of forks L0 ← L1 ← L2 ← L3 in every order. A deleted stream stays
 * soft-deleted (410) while any later stream of the chain remains, because that stream reads its
 * data, and is removed (404) once none does.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ForkChainDeletionTest {

    private static final int CHAIN_LENGTH = 4;
    private static final String TEXT = "text/plain";

    /**
     * Expected data of each stream. Each stream inherits the chain's data and adds its own part,
     * and all but the last then get an append that the next stream, forked earlier, must not see.
     */
    private static final List<String> EXPECTED = List.of(
            "a0|x0|",
            "a0|a1|x1|",
            "a0|a1|a2|x2|",
            "a0|a1|a2|a3|");

    private ForkTestServer server;

    @BeforeEach
    void startServer() {
        server = ForkTestServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @ParameterizedTest(name = "delete order {0}")
    @MethodSource("deletionOrders")
    void chainDeletionKeepsDataUntilUnreferenced(List<Integer> order) {
        createChain();
        boolean[] deleted = new boolean[CHAIN_LENGTH];

        for (int step = 0; step < order.size(); step++) {
            int target = order.get(step);
            String when = "after deleting " + order.subList(0, step + 1).stream()
                    .map(ForkChainDeletionTest::name).toList();

            assertEquals(204, server.delete(name(target)).status(),
                    "DELETE " + name(target) + " must succeed " + when);
            deleted[target] = true;
            checkChain(deleted, when);
        }

        assertEquals(0, server.store().size(), "the store must be empty once every stream of"
                + " the chain is deleted");
    }

    /** Builds the chain so that every stream contains its {@link #EXPECTED} data. */
    private void createChain() {
        Reply root = server.putWithBody(name(0), "a0|", "Content-Type", TEXT);
        assertEquals(201, root.status(), "PUT " + name(0) + " must create it");
        for (int level = 1; level < CHAIN_LENGTH; level++) {
            Reply fork = server.put(name(level), "Stream-Forked-From", urlPath(name(level - 1)));
            assertEquals(201, fork.status(), "PUT " + name(level) + " must fork "
                    + name(level - 1));
            append(name(level - 1), "x" + (level - 1) + "|");
            append(name(level), "a" + level + "|");
        }
        for (int level = 0; level < CHAIN_LENGTH; level++) {
            assertEquals(EXPECTED.get(level), read(name(level)).text(),
                    name(level) + " must hold its data before any deletion");
        }
    }

    /** Checks every stream's state and the store size against the set of deleted streams. */
    private void checkChain(boolean[] deleted, String when) {
        int retained = 0;
        for (int level = 0; level < CHAIN_LENGTH; level++) {
            String stream = name(level);
            if (!deleted[level]) {
                retained++;
                Reply read = read(stream);
                assertEquals(200, read.status(), "GET " + stream + " must succeed " + when);
                assertEquals(EXPECTED.get(level), read.text(),
                        stream + " must read exactly its data " + when);
            } else if (referencedByLaterStream(deleted, level)) {
                retained++;
                assertEquals(410, server.head(stream).status(), "HEAD " + stream
                        + " must be 410 while a later fork remains, " + when);
                assertEquals(410, read(stream).status(), "GET " + stream
                        + " must be 410 while a later fork remains, " + when);
            } else {
                assertEquals(404, server.head(stream).status(), "HEAD " + stream
                        + " must be 404 once no later fork remains, " + when);
            }
        }
        assertEquals(retained, server.store().size(), "the store must hold the live and the"
                + " soft-deleted streams only, " + when);
    }

    private static boolean referencedByLaterStream(boolean[] deleted, int level) {
        for (int later = level + 1; later < CHAIN_LENGTH; later++) {
            if (!deleted[later]) {
                return true;
            }
        }
        return false;
    }

    private void append(String stream, String body) {
        Reply reply = server.post(stream, body, "Content-Type", TEXT);
        assertEquals(204, reply.status(), "POST to " + stream + " must append");
    }

    private Reply read(String stream) {
        return server.get(stream, "offset=-1");
    }

    private static String name(int level) {
        return "L" + level;
    }

    static Stream<Named<List<Integer>>> deletionOrders() {
        List<List<Integer>> orders = new ArrayList<>();
        permute(new ArrayList<>(), new boolean[CHAIN_LENGTH], orders);
        return orders.stream().map(order -> Named.of(String.join(" ",
                order.stream().map(ForkChainDeletionTest::name).toList()), order));
    }

    private static void permute(List<Integer> prefix, boolean[] used, List<List<Integer>> orders) {
        if (prefix.size() == CHAIN_LENGTH) {
            orders.add(List.copyOf(prefix));
            return;
        }
        for (int level = 0; level < CHAIN_LENGTH; level++) {
            if (!used[level]) {
                used[level] = true;
                prefix.add(level);
                permute(prefix, used, orders);
                prefix.removeLast();
                used[level] = false;
            }
        }
    }
}
