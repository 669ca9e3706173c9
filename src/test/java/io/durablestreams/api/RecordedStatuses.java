package io.durablestreams.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A status listener that records every change, for tests that wait on one. */
public final class RecordedStatuses implements StatusListener {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<StatusChange> changes = new ArrayList<>();

    @Override
    public void onStatus(StatusChange change) {
        lock.lock();
        try {
            changes.add(change);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a change to a status is recorded at or after an index.
     *
     * @param status the status to wait for
     * @param fromIndex the first index to look at, so that a test can wait for a later change
     * @param timeout how long to wait at most
     * @return the first matching change
     * @throws AssertionError when the timeout passes first
     */
    public StatusChange await(ListenerStatus status, int fromIndex, Duration timeout)
            throws InterruptedException {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (int i = fromIndex; i < changes.size(); i++) {
                    if (changes.get(i).status() == status) {
                        return changes.get(i);
                    }
                }
                if (remaining <= 0) {
                    throw new AssertionError("Timed out after " + timeout + " waiting for "
                            + status + "; changes: " + statuses());
                }
                remaining = changed.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a change to a status is recorded.
     *
     * @param status the status to wait for
     * @param timeout how long to wait at most
     * @return the first matching change
     */
    public StatusChange await(ListenerStatus status, Duration timeout)
            throws InterruptedException {
        return await(status, 0, timeout);
    }

    /**
     * Returns how many changes were recorded.
     *
     * @return the count
     */
    public int size() {
        lock.lock();
        try {
            return changes.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the recorded statuses in order.
     *
     * @return the statuses
     */
    public List<ListenerStatus> statuses() {
        lock.lock();
        try {
            return changes.stream().map(StatusChange::status).toList();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the recorded changes in order.
     *
     * @return a copy of the changes
     */
    public List<StatusChange> changes() {
        lock.lock();
        try {
            return new ArrayList<>(changes);
        } finally {
            lock.unlock();
        }
    }
}
