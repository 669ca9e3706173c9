package io.durablestreams.live;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream to a client whose writes {@link WriteWatchdog} can time out, for response
 * bodies such as catch-up and long-poll reads.
 *
 * <p>Thread-safety: written by one thread; {@link #interruptIfBlockedSince} may be called from
 * any thread.
 */
public final class TimedOutputStream extends FilterOutputStream implements BlockingWrites {

    private final Thread owner = Thread.currentThread();
    /** When the current write started, or 0 while none runs. Read by the watchdog. */
    private volatile long writeStartedNanos;

    /**
     * Wraps a stream written by the current thread.
     *
     * @param out the stream to the client
     */
    public TimedOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        writeStartedNanos = System.nanoTime();
        try {
            out.write(b);
        } finally {
            writeStartedNanos = 0;
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        writeStartedNanos = System.nanoTime();
        try {
            out.write(bytes, offset, length);
        } finally {
            writeStartedNanos = 0;
        }
    }

    @Override
    public void flush() throws IOException {
        writeStartedNanos = System.nanoTime();
        try {
            out.flush();
        } finally {
            writeStartedNanos = 0;
        }
    }

    @Override
    public void close() throws IOException {
        writeStartedNanos = System.nanoTime();
        try {
            out.close();
        } finally {
            writeStartedNanos = 0;
        }
    }

    @Override
    public boolean interruptIfBlockedSince(long startedBeforeNanos) {
        long started = writeStartedNanos;
        if (started != 0 && started - startedBeforeNanos < 0) {
            owner.interrupt();
            return true;
        }
        return false;
    }
}
