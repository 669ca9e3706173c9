package io.durablestreams.net;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Closes connections that take too long to send a request head. Helidon sets no time limit on
 * reading a request head, so a client that sends its head a byte at a time, or sends nothing,
 * would otherwise keep its place under the connection limits for as long as it likes.
 *
 * <p>Thread-safety: safe for concurrent use. One daemon thread, shared by every gate in the JVM,
 * checks all open connections once a second, so a deadline is enforced up to a second late.
 */
final class HeadDeadlines {

    private static final long CHECK_PERIOD_MILLIS = 1000;
    private static final Set<GatedConnection> WATCHED = ConcurrentHashMap.newKeySet();
    private static final ScheduledExecutorService CHECKER = startChecker();

    private HeadDeadlines() {
    }

    static void watch(GatedConnection connection) {
        WATCHED.add(connection);
    }

    static void unwatch(GatedConnection connection) {
        WATCHED.remove(connection);
    }

    private static ScheduledExecutorService startChecker() {
        ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("request-head-deadlines").daemon().factory());
        checker.scheduleWithFixedDelay(HeadDeadlines::check, CHECK_PERIOD_MILLIS,
                CHECK_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return checker;
    }

    private static void check() {
        long now = System.nanoTime();
        for (GatedConnection connection : WATCHED) {
            connection.closeIfHeadOverdue(now);
        }
    }
}
