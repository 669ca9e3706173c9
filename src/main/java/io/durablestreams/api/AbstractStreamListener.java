package io.durablestreams.api;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The read loop shared by {@link StreamListener} implementations: one virtual thread per run
 * that fetches chunks, hands them to the data handler, advances the offset, reports status
 * changes, and retries failed reads after an exponential backoff with jitter.
 *
 * <p>Subclasses supply {@link #fetch(String)}, which reads the next chunk, and
 * {@link #isRetryable(Exception)}, which sorts failures into those that may pass and those that
 * end the run.
 *
 * <p>Stopping: {@link #stop()} sets a flag that the loop checks before every fetch and every
 * delivery, and interrupts the loop's thread only while it is inside
 * {@link #interruptibly(Interruptible)}. Subclasses wrap their blocking waits in that method and
 * nothing else, because an interrupt that reaches file I/O closes the file channel, and user
 * handlers are never interrupted.
 *
 * <p>Thread-safety: safe for concurrent use; see {@link StreamListener}.
 */
public abstract class AbstractStreamListener implements StreamListener {

    private static final System.Logger LOGGER =
            System.getLogger(AbstractStreamListener.class.getName());

    private final String source;
    private final DataHandler dataHandler;
    private final StatusListener statusListener;
    private final Backoff backoff;

    private final Object lock = new Object();
    // Guarded by lock.
    private Thread worker;
    private boolean stopRequested;
    private boolean inInterruptible;
    private boolean closed;

    private volatile String offset;
    private volatile ListenerStatus status = ListenerStatus.IDLE;

    /**
     * Creates the listener, not yet started.
     *
     * @param source what the listener follows, for logs and thread names
     * @param startOffset where the first run starts: {@code -1}, {@code now} or a token
     * @param dataHandler receives the data
     * @param statusListener receives status changes
     * @param backoff the delays between retries of failed reads
     */
    protected AbstractStreamListener(String source, Offset startOffset, DataHandler dataHandler,
                                     StatusListener statusListener, Backoff backoff) {
        this.source = Objects.requireNonNull(source, "source");
        this.offset = Objects.requireNonNull(startOffset, "startOffset").value();
        this.dataHandler = Objects.requireNonNull(dataHandler, "dataHandler");
        this.statusListener = Objects.requireNonNull(statusListener, "statusListener");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /**
     * Reads the next chunk from an offset, waiting for data when none is stored yet. Runs on
     * the listener's thread, one call at a time.
     *
     * @param offset where to read: the listener's current offset
     * @return the chunk, possibly empty after a wait ended without data; its
     *         {@link Chunk#nextOffset()} becomes the listener's offset
     * @throws InterruptedException when {@link #stop()} interrupted a wait
     * @throws Exception when the read failed
     */
    protected abstract Chunk fetch(String offset) throws Exception;

    /**
     * Tells whether a failed read may succeed when retried, as after a lost connection.
     *
     * @param failure what {@link #fetch(String)} threw
     * @return true to retry after a backoff, false to end the run
     */
    protected abstract boolean isRetryable(Exception failure);

    /**
     * Resolves the offset a run starts from, on the thread that calls {@link #start()}. The
     * default keeps it as it is.
     *
     * @param offset the listener's offset
     * @return the offset to start from
     */
    protected String resolveStartOffset(String offset) {
        return offset;
    }

    /**
     * Unblocks a read in progress, called by {@link #stop()} from another thread; the default
     * does nothing. Must be quick and safe to call concurrently with {@link #fetch(String)}.
     */
    protected void abort() {
    }

    /** Releases what one run holds, such as an open connection, as the run ends. */
    protected void release() {
    }

    /** Releases what the listener holds for all runs, as {@link #close()} ends it. */
    protected void closeResources() {
    }

    /**
     * Runs a blocking wait that {@link #stop()} may interrupt. Holds no lock while it runs.
     *
     * @param call the wait: it must not touch files, whose channels an interrupt closes
     * @param <T> the result type
     * @return the call's result
     * @throws InterruptedException when the listener is stopping
     * @throws Exception what the call throws
     */
    protected final <T> T interruptibly(Interruptible<T> call) throws Exception {
        synchronized (lock) {
            if (stopRequested) {
                throw new InterruptedException("Listener for " + source + " is stopping");
            }
            inInterruptible = true;
        }
        try {
            return call.call();
        } finally {
            synchronized (lock) {
                inInterruptible = false;
            }
            // An interrupt that stop() sent as the call returned must not reach later file I/O.
            if (Thread.interrupted() && !isStopRequested()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A blocking call for {@link #interruptibly(Interruptible)}.
     *
     * @param <T> the result type
     */
    @FunctionalInterface
    protected interface Interruptible<T> {

        /**
         * Runs the call.
         *
         * @return the result
         * @throws Exception when the call fails or is interrupted
         */
        T call() throws Exception;
    }

    @Override
    public final void start() {
        Thread previous;
        synchronized (lock) {
            checkOpen();
            if (isAlive(worker) && !stopRequested) {
                return;
            }
            if (worker == Thread.currentThread()) {
                throw new IllegalStateException("A listener cannot be started again from its own"
                        + " handler after stop(); start it from another thread");
            }
            previous = worker;
        }
        // A run that stop() ended from its own handler may still be finishing that handler.
        joinUninterruptibly(previous);
        synchronized (lock) {
            checkOpen();
            if (isAlive(worker)) {
                return;
            }
            offset = resolveStartOffset(offset);
            stopRequested = false;
            status = ListenerStatus.CONNECTING;
            worker = Thread.ofVirtual().name("durable-streams-listener " + source)
                    .unstarted(this::run);
            worker.start();
        }
    }

    @Override
    public final void stop() {
        Thread current;
        synchronized (lock) {
            current = worker;
            if (!isAlive(current)) {
                return;
            }
            stopRequested = true;
            if (inInterruptible) {
                current.interrupt();
            }
            // Wakes a backoff pause.
            lock.notifyAll();
        }
        abort();
        if (current == Thread.currentThread()) {
            return;
        }
        try {
            current.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public final void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stop();
        closeResources();
    }

    @Override
    public final String offset() {
        return offset;
    }

    @Override
    public final ListenerStatus status() {
        return status;
    }

    @Override
    public final boolean awaitTermination(Duration timeout) throws InterruptedException {
        Thread current;
        synchronized (lock) {
            current = worker;
        }
        if (current == null) {
            return true;
        }
        return current.join(timeout);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + source + ", offset " + offset + ", " + status
                + "]";
    }

    private void run() {
        ListenerStatus end = ListenerStatus.IDLE;
        Throwable failure = null;
        int failedAttempts = 0;
        try {
            notifyStatus(ListenerStatus.CONNECTING, null);
            while (!isStopRequested()) {
                Chunk chunk;
                try {
                    chunk = fetch(offset);
                } catch (InterruptedException e) {
                    break;
                } catch (Exception e) {
                    if (isStopRequested()) {
                        break;
                    }
                    if (!isRetryable(e)) {
                        LOGGER.log(Level.WARNING, "Listener for " + source + " stopped at offset "
                                + offset + ": " + e.getMessage(), e);
                        failure = e;
                        break;
                    }
                    failedAttempts++;
                    if (!retryAfterBackoff(e, failedAttempts)) {
                        break;
                    }
                    continue;
                }
                if (failedAttempts > 0) {
                    LOGGER.log(Level.INFO, "Listener for " + source + " reconnected at offset "
                            + offset + " after " + failedAttempts + " failed attempts");
                    failedAttempts = 0;
                }
                if (status != ListenerStatus.STREAMING) {
                    notifyStatus(ListenerStatus.STREAMING, null);
                }
                if (!chunk.isEmpty() && !deliver(chunk)) {
                    break;
                }
                offset = chunk.nextOffset();
                if (chunk.closed()) {
                    end = ListenerStatus.CLOSED;
                    break;
                }
            }
        } catch (HandlerException e) {
            LOGGER.log(Level.WARNING, "Listener for " + source + " stopped at offset " + offset
                    + " because its data handler failed: " + e.getCause(), e.getCause());
            failure = e.getCause();
        } catch (RuntimeException | Error e) {
            LOGGER.log(Level.ERROR, "Listener for " + source + " failed at offset " + offset, e);
            failure = e;
            throw e;
        } finally {
            release();
            // Clears an interrupt from stop() so that it does not reach the status listener.
            Thread.interrupted();
            notifyStatus(end, failure);
        }
    }

    /**
     * Reports a failed read and waits out the backoff.
     *
     * @return false when the listener was stopped meanwhile
     */
    private boolean retryAfterBackoff(Exception failure, int attempt) {
        Duration delay = backoff.delay(attempt);
        if (attempt == 1) {
            LOGGER.log(Level.WARNING, "Listener for " + source + " failed to read at offset "
                    + offset + "; retrying with backoff: " + failure);
        } else {
            LOGGER.log(Level.DEBUG, () -> "Listener for " + source + " failed to read, attempt "
                    + attempt + "; retrying in " + delay.toMillis() + " ms: " + failure);
        }
        notifyStatus(ListenerStatus.DISCONNECTED, failure);
        if (!pause(delay)) {
            return false;
        }
        notifyStatus(ListenerStatus.CONNECTING, null);
        return true;
    }

    /** Waits for a delay or until stop() is called; returns false in the second case. */
    private boolean pause(Duration delay) {
        long deadline = System.nanoTime() + delay.toNanos();
        synchronized (lock) {
            while (!stopRequested) {
                long remainingNanos = deadline - System.nanoTime();
                if (remainingNanos <= 0) {
                    return true;
                }
                try {
                    lock.wait(Math.max(1, remainingNanos / 1_000_000));
                } catch (InterruptedException e) {
                    return false;
                }
            }
            return false;
        }
    }

    /**
     * Hands a chunk to the data handler unless the listener is stopping.
     *
     * @return false when the chunk was not delivered because the listener is stopping
     */
    private boolean deliver(Chunk chunk) {
        if (isStopRequested()) {
            return false;
        }
        try {
            dataHandler.onData(chunk);
        } catch (Exception e) {
            throw new HandlerException(e);
        }
        return true;
    }

    private void notifyStatus(ListenerStatus next, Throwable failure) {
        status = next;
        StatusChange change = new StatusChange(next, offset, Optional.ofNullable(failure));
        try {
            statusListener.onStatus(change);
        } catch (RuntimeException e) {
            LOGGER.log(Level.WARNING, "Status listener of " + source + " failed on " + next, e);
        }
    }

    private boolean isStopRequested() {
        synchronized (lock) {
            return stopRequested;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Listener for " + source + " is closed");
        }
    }

    private static boolean isAlive(Thread thread) {
        return thread != null && thread.isAlive();
    }

    private static void joinUninterruptibly(Thread thread) {
        if (thread == null) {
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Carries a data handler's exception out of the read loop. */
    private static final class HandlerException extends RuntimeException {
        HandlerException(Exception cause) {
            super(cause);
        }
    }
}
