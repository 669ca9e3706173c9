package io.durablestreams.subscriptions;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs tasks at given instants: lease expiry checks and webhook retries. Tests replace it with a
 * scheduler that runs due tasks when they advance a test clock, so that lease and retry timing
 * needs no waiting.
 *
 * <p>Tasks cannot be cancelled. Each one checks subscription state when it runs and does nothing
 * when that state has moved on, so a superseded task is harmless.
 */
public interface TaskScheduler extends AutoCloseable {

    /**
     * Runs a task once the clock reaches an instant, or soon when the instant has passed.
     * The task must not throw.
     *
     * @param dueAt when to run it
     * @param task what to run
     */
    void schedule(Instant dueAt, Runnable task);

    /** Stops running tasks; tasks not yet due are dropped. */
    @Override
    void close();

    /**
     * Returns a scheduler on one daemon thread that measures delays with a clock.
     *
     * @param clock the clock that due instants refer to
     * @return the scheduler
     */
    static TaskScheduler system(Clock clock) {
        return new SystemScheduler(clock);
    }

    /**
     * The production scheduler: a {@link ScheduledExecutorService} with one platform thread.
     * Tasks are short (they lock one subscription and hand any network work to other threads),
     * so one thread is enough.
     */
    final class SystemScheduler implements TaskScheduler {

        private static final System.Logger LOGGER =
                System.getLogger(SystemScheduler.class.getName());

        private final Clock clock;
        private final ScheduledExecutorService executor;

        private SystemScheduler(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            this.executor = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("subscription-timers").daemon().factory());
        }

        @Override
        public void schedule(Instant dueAt, Runnable task) {
            long delayMillis = Math.max(0, Duration.between(clock.instant(), dueAt).toMillis());
            executor.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // One failing task must not stop the thread that runs all others.
                    LOGGER.log(Level.WARNING, "Subscription timer task failed", e);
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
