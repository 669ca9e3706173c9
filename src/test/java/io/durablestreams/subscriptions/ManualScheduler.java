package io.durablestreams.subscriptions;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

import io.durablestreams.store.ForkTestClock;

/**
 * A {@link TaskScheduler} that runs tasks only when a test advances its clock, so lease and retry
 * tests need no waiting.
 *
 * <p>Thread-safety: safe for concurrent use; due tasks run on the thread that advances time.
 */
final class ManualScheduler implements TaskScheduler {

    private record Task(Instant dueAt, long order, Runnable action) {
    }

    private final ForkTestClock clock;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            Comparator.comparing(Task::dueAt).thenComparingLong(Task::order));
    private long scheduled;

    ManualScheduler(ForkTestClock clock) {
        this.clock = clock;
    }

    ForkTestClock clock() {
        return clock;
    }

    @Override
    public synchronized void schedule(Instant dueAt, Runnable task) {
        tasks.add(new Task(dueAt, scheduled++, task));
    }

    /**
     * Moves the clock forward and runs every task that is due by then, including tasks that due
     * tasks schedule for no later than the new time.
     *
     * @param amount how far to move the clock
     */
    void advance(Duration amount) {
        clock.advance(amount);
        runDue();
    }

    /** Runs the tasks that are due now. */
    void runDue() {
        while (true) {
            List<Task> due = new ArrayList<>();
            synchronized (this) {
                while (!tasks.isEmpty() && !tasks.peek().dueAt().isAfter(clock.instant())) {
                    due.add(tasks.poll());
                }
            }
            if (due.isEmpty()) {
                return;
            }
            due.forEach(task -> task.action().run());
        }
    }

    /**
     * Returns the due time of the earliest pending task.
     *
     * @return the instant, or null when no task is pending
     */
    synchronized Instant nextDue() {
        return tasks.isEmpty() ? null : tasks.peek().dueAt();
    }

    @Override
    public synchronized void close() {
        tasks.clear();
    }
}
