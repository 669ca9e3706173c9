package io.durablestreams.net;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.FixedLimit;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * One client connection, counted by its {@link ConnectionGate} from the moment it is accepted
 * until it closes. It hands HTTP/1.1 to Helidon's connection, responds to HTTP/1.0 with 426, and
 * is closed by {@link HeadDeadlines} when a request head takes too long to arrive.
 *
 * <p>Thread-safety: {@link #handle} runs on the connection's own thread; the request-head
 * deadline is read and {@link #closeForSlowHead} called from the deadline checker's thread.
 */
final class GatedConnection implements ServerConnection {

    private static final System.Logger LOGGER = System.getLogger(GatedConnection.class.getName());

    /** The connection served by the current thread, for {@link ConnectionGate#filter()}. */
    private static final ThreadLocal<GatedConnection> CURRENT = new ThreadLocal<>();

    // System.nanoTime() may be negative, so the two states use the two lowest longs, which it
    // does not return in practice (on Linux it counts from boot).
    private static final long IN_REQUEST = Long.MIN_VALUE;
    private static final long CLOSING = Long.MIN_VALUE + 1;

    /** Time a rejected connection gets to send the request head its 429 or 503 responds to. */
    private static final long REJECTED_HEAD_TIMEOUT_NANOS = Duration.ofSeconds(5).toNanos();

    private final ConnectionContext ctx;
    private final ServerConnectionSelector http1;
    private final ConnectionGate gate;
    private final InetAddress client;
    private final int maxRequestLineBytes;
    private final int maxHeaderBytes;
    private final long requestHeadTimeoutNanos;

    private volatile ConnectionGate.Admission admission;
    private volatile ServerConnection delegate;
    private volatile Thread thread;

    /**
     * When the connection began waiting for a request head; {@link #IN_REQUEST} while a request
     * runs, and {@link #CLOSING} once the deadline checker has closed the connection.
     */
    private final AtomicLong headWait = new AtomicLong(IN_REQUEST);

    GatedConnection(ConnectionContext ctx, ServerConnectionSelector http1, ConnectionGate gate,
                    InetAddress client, int maxRequestLineBytes, int maxHeaderBytes,
                    Duration requestHeadTimeout) {
        this.ctx = ctx;
        this.http1 = http1;
        this.gate = gate;
        this.client = client;
        this.maxRequestLineBytes = maxRequestLineBytes;
        this.maxHeaderBytes = maxHeaderBytes;
        this.requestHeadTimeoutNanos = requestHeadTimeout.toNanos();
    }

    /** Returns the connection the current thread serves, or null outside a gated connection. */
    static GatedConnection current() {
        return CURRENT.get();
    }

    @Override
    public void handle(Semaphore requestSemaphore) throws InterruptedException {
        handle(FixedLimit.create(requestSemaphore));
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
        thread = Thread.currentThread();
        admission = gate.admit(client);
        if (admission == ConnectionGate.Admission.DROPPED) {
            LOGGER.log(System.Logger.Level.DEBUG, () -> "Closed a connection from "
                    + client.getHostAddress() + " at once: too many of its connections rejected");
            return;
        }
        headWait.set(System.nanoTime());
        HeadDeadlines.watch(this);
        CURRENT.set(this);
        try {
            if (requestsHttp10(ctx.dataReader())) {
                Http10Rejection.respond(ctx, maxRequestLineBytes + maxHeaderBytes);
                return;
            }
            ServerConnection http = http1.connection(ctx);
            delegate = http;
            http.handle(limit);
        } finally {
            CURRENT.remove();
            HeadDeadlines.unwatch(this);
            if (admission == ConnectionGate.Admission.ADMITTED) {
                gate.release(client);
            } else {
                gate.releaseRejected(client);
            }
        }
    }

    @Override
    public Duration idleTime() {
        ServerConnection http = delegate;
        return http == null ? Duration.ZERO : http.idleTime();
    }

    @Override
    public void close(boolean interrupt) {
        ServerConnection http = delegate;
        if (http != null) {
            http.close(interrupt);
        } else if (interrupt && thread != null) {
            thread.interrupt();
        }
    }

    /** Returns the gate's decision for this connection. */
    ConnectionGate.Admission admission() {
        return admission;
    }

    /**
     * Marks the start of a request: its head has arrived.
     *
     * @throws CloseConnectionException when the deadline checker closed the connection first
     */
    void requestStarted() {
        if (headWait.getAndSet(IN_REQUEST) == CLOSING) {
            throw new CloseConnectionException("Request head arrived after its deadline");
        }
    }

    /** Marks the end of a request: the next head is awaited from now on. */
    void requestFinished() {
        headWait.compareAndSet(IN_REQUEST, System.nanoTime());
    }

    /**
     * Closes the connection when it has waited for a request head longer than its timeout.
     *
     * @param nowNanos the current {@link System#nanoTime()}
     */
    void closeIfHeadOverdue(long nowNanos) {
        long since = headWait.get();
        long timeout = admission == ConnectionGate.Admission.ADMITTED
                ? requestHeadTimeoutNanos
                : Math.min(requestHeadTimeoutNanos, REJECTED_HEAD_TIMEOUT_NANOS);
        // The compare-and-set loses to a request that starts meanwhile, which then runs.
        if (since != IN_REQUEST && since != CLOSING && nowNanos - since > timeout
                && headWait.compareAndSet(since, CLOSING)) {
            closeForSlowHead();
        }
    }

    private void closeForSlowHead() {
        LOGGER.log(System.Logger.Level.DEBUG, () -> "Closed a connection from "
                + client.getHostAddress() + " that sent no complete request head in time");
        // Interrupting the connection's thread closes its socket, which ends a blocked read.
        close(true);
    }

    /**
     * Looks at the request line without consuming it, waiting for it to arrive.
     */
    private boolean requestsHttp10(DataReader reader) {
        try {
            int lineLength = reader.findNewLine(maxRequestLineBytes);
            if (lineLength >= maxRequestLineBytes) {
                // Too long, so the HTTP/1.1 connection responds with 414.
                return false;
            }
            return isHttp10(reader.getBuffer(lineLength).readString(lineLength));
        } catch (DataReader.IncorrectNewLineException e) {
            // A bare LF, so the HTTP/1.1 connection responds with 400.
            return false;
        } catch (DataReader.InsufficientDataAvailableException e) {
            throw new CloseConnectionException("Connection closed before its request line", e);
        }
    }

    static boolean isHttp10(String requestLine) {
        return requestLine.stripTrailing().endsWith(" HTTP/1.0");
    }
}
