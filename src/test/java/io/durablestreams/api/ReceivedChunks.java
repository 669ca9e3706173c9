package io.durablestreams.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A data handler that records what a listener delivers, for tests that wait on it. */
public final class ReceivedChunks implements DataHandler {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final StringBuilder text = new StringBuilder();
    private final List<Chunk> chunks = new ArrayList<>();

    @Override
    public void onData(Chunk chunk) {
        lock.lock();
        try {
            text.append(chunk.text());
            chunks.add(chunk);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least {@code length} characters arrived.
     *
     * @param length the number of characters to wait for
     * @param timeout how long to wait at most
     * @return everything received so far
     * @throws AssertionError when the timeout passes first
     */
    public String awaitLength(int length, Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (text.length() < length) {
                if (remaining <= 0) {
                    throw new AssertionError("Timed out after " + timeout + " waiting for "
                            + length + " characters; received " + text.length() + ": " + text);
                }
                remaining = changed.awaitNanos(remaining);
            }
            return text.toString();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the received text is at least as long as {@code expected}.
     *
     * @param expected the text expected in total
     * @param timeout how long to wait at most
     * @return everything received so far, for an equality assert
     */
    public String awaitText(String expected, Duration timeout) throws InterruptedException {
        return awaitLength(expected.length(), timeout);
    }

    /**
     * Returns everything received so far.
     *
     * @return the concatenated text of every chunk
     */
    public String text() {
        lock.lock();
        try {
            return text.toString();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the chunks received so far.
     *
     * @return a copy of the list
     */
    public List<Chunk> chunks() {
        lock.lock();
        try {
            return List.copyOf(chunks);
        } finally {
            lock.unlock();
        }
    }
}
