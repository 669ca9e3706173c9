package io.durablestreams.http;

import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ends request-body reads that pass their deadline while blocked. When a body stops arriving,
 * its read blocks with no byte to return, so the deadline check after each read never runs.
 * This checker interrupts the reading virtual thread instead, which closes its socket.
 *
 * <p>Thread-safety: safe for concurrent use. One daemon thread, shared by every service in the
 * JVM, checks all reads four times a second, so a deadline is enforced up to 250 ms late.
 */
final class BodyReadDeadlines {

    private static final System.Logger LOGGER =
            System.getLogger(BodyReadDeadlines.class.getName());
    private static final long CHECK_PERIOD_MILLIS = 250;
    private static final Set<Read> READS = ConcurrentHashMap.newKeySet();
    private static final ScheduledExecutorService CHECKER = startChecker();

    private BodyReadDeadlines() {
    }

    /**
     * Watches the current thread's body read until {@link Read#finish()}.
     *
     * @param deadlineNanos the {@link System#nanoTime()} by which the read must have ended
     * @return the watched read
     */
    static Read start(long deadlineNanos) {
        Read read = new Read(Thread.currentThread(), deadlineNanos);
        READS.add(read);
        return read;
    }

    /** One watched body read. */
    static final class Read {

        private final Thread thread;
        private final long deadlineNanos;
        private boolean finished;
        private boolean interrupted;

        private Read(Thread thread, long deadlineNanos) {
            this.thread = thread;
            this.deadlineNanos = deadlineNanos;
        }

        /**
         * Stops watching the read, and clears the interrupt this checker caused, if any.
         *
         * @return true when the checker interrupted the read because it passed its deadline
         */
        boolean finish() {
            READS.remove(this);
            synchronized (this) {
                finished = true;
            }
            // Interrupts happen under this object's monitor, so none can follow this point.
            if (interrupted) {
                Thread.interrupted();
            }
            return interrupted;
        }

        /** Interrupts the read when it is past its deadline, and returns whether it did. */
        private synchronized boolean interruptIfOverdue(long nowNanos) {
            if (!finished && !interrupted && nowNanos - deadlineNanos > 0) {
                interrupted = true;
                thread.interrupt();
                return true;
            }
            return false;
        }
    }

    private static ScheduledExecutorService startChecker() {
        ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("body-read-deadlines").daemon().factory());
        checker.scheduleWithFixedDelay(BodyReadDeadlines::check, CHECK_PERIOD_MILLIS,
                CHECK_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return checker;
    }

    private static void check() {
        long now = System.nanoTime();
        for (Read read : READS) {
            if (read.interruptIfOverdue(now)) {
                READS.remove(read);
                LOGGER.log(Level.DEBUG, "Closed a request whose body stopped arriving");
            }
        }
    }
}
