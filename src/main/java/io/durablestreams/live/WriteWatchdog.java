package io.durablestreams.live;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ends responses (SSE, catch-up and long-poll reads) whose client has stopped reading. When one
 * write has been blocked for longer than its write timeout, the watchdog interrupts the writing
 * virtual thread, which closes its socket. A stalled client so keeps its buffers and thread for
 * a bounded time only.
 *
 * <p>Thread-safety: safe for concurrent use. One daemon thread, shared by every service in the
 * JVM, checks all watched writers four times a second.
 */
public final class WriteWatchdog {

    private static final System.Logger LOGGER = System.getLogger(WriteWatchdog.class.getName());
    private static final long CHECK_PERIOD_MILLIS = 250;
    private static final Map<BlockingWrites, Long> TIMEOUTS_NANOS = new ConcurrentHashMap<>();
    private static final ScheduledExecutorService CHECKER = startChecker();

    private WriteWatchdog() {
    }

    /**
     * Watches a writer until {@link #unwatch(BlockingWrites)}.
     *
     * @param writer the writer, used by the current thread
     * @param timeout how long one of its writes may block before its connection is closed
     */
    public static void watch(BlockingWrites writer, Duration timeout) {
        TIMEOUTS_NANOS.put(writer, timeout.toNanos());
    }

    /**
     * Stops watching a writer.
     *
     * @param writer the writer
     */
    public static void unwatch(BlockingWrites writer) {
        TIMEOUTS_NANOS.remove(writer);
    }

    private static ScheduledExecutorService startChecker() {
        ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("sse-write-watchdog").daemon().factory());
        checker.scheduleWithFixedDelay(WriteWatchdog::check, CHECK_PERIOD_MILLIS,
                CHECK_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return checker;
    }

    private static void check() {
        long now = System.nanoTime();
        TIMEOUTS_NANOS.forEach((writer, timeoutNanos) -> {
            if (writer.interruptIfBlockedSince(now - timeoutNanos)) {
                LOGGER.log(Level.DEBUG, "Closed a response whose client stopped reading");
            }
        });
    }
}
