package io.durablestreams.net;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http1.Http1Config;

/**
 * Counts open connections per client address and in total, and decides whether a new one is
 * served. A connection over either limit still gets one response, 429 or 503 with
 * {@code Retry-After}, and is then closed, so that its client learns why instead of seeing a
 * reset.
 *
 * <p>To use it in an application of one's own, pass the listener's builder to
 * {@link #configure} and add {@link #filter()} to its routing.
 *
 * <p>Connections are counted from the moment they are accepted, and one that takes longer than
 * the request head timeout to send a request head is closed, so silent or slow clients cannot
 * hold places for long.
 */
public final class ConnectionGate {

    /** The gate's decision for a new connection. */
    public enum Admission {
        /** Served as usual. */
        ADMITTED,
        /** Rejected with 429, because the client's address has too many connections open. */
        CLIENT_FULL,
        /** Rejected with 503, because the server has too many connections open. */
        SERVER_FULL,
        /**
         * Closed at once without a response, because the client already has
         * {@value #MAX_PENDING_REJECTIONS} rejected connections waiting for their response.
         */
        DROPPED
    }

    /**
     * Rejected connections a client may have waiting for their 429 or 503 at once. Each keeps a
     * socket open until its request head arrives, so without this bound one client could take
     * every socket the server has.
     */
    public static final int MAX_PENDING_REJECTIONS = 16;

    private final int maxConnections;
    private final int maxConnectionsPerClient;
    private final Duration requestHeadTimeout;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> openPerClient = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, Integer> pendingRejections =
            new ConcurrentHashMap<>();

    /**
     * Creates a gate.
     *
     * @param maxConnections connections served at once in all
     * @param maxConnectionsPerClient connections served at once per client address
     * @param requestHeadTimeout how long a connection may take to send a complete request head,
     *        counted from its opening or from the end of its previous request. A slower
     *        connection is closed, and so is a kept-alive connection left idle that long
     */
    public ConnectionGate(int maxConnections, int maxConnectionsPerClient,
                          Duration requestHeadTimeout) {
        if (maxConnections < 1 || maxConnectionsPerClient < 1) {
            throw new IllegalArgumentException("connection limits must be positive; got "
                    + maxConnections + " and " + maxConnectionsPerClient);
        }
        if (requestHeadTimeout.isNegative() || requestHeadTimeout.isZero()) {
            throw new IllegalArgumentException("the request head timeout must be positive; got "
                    + requestHeadTimeout);
        }
        this.maxConnections = maxConnections;
        this.maxConnectionsPerClient = maxConnectionsPerClient;
        this.requestHeadTimeout = requestHeadTimeout;
    }

    /**
     * Sets a listener up to serve HTTP/1.1 only through this gate, and to respond to requests
     * that Helidon rejects outside the routing, such as an oversized request line or header
     * block, with the fitting status and a plain-text reason. The routing needs
     * {@link #filter()} too.
     *
     * @param listener the listener's builder
     * @param http1 the HTTP/1.1 settings, such as the longest request line and header block
     */
    public void configure(ListenerConfig.BuilderBase<?, ?> listener, Http1Config http1) {
        listener.protocolsDiscoverServices(false)
                .addConnectionSelector(new GatedHttp1Selector(http1, this, requestHeadTimeout))
                .errorHandling(DirectErrorResponses.errorHandling())
                // Helidon's prologue limit counts the CR that ends the request line.
                .directHandlers(DirectErrorResponses.handlers(http1.maxPrologueLength() - 1,
                        http1.maxHeadersSize()));
    }

    /**
     * Returns the filter that responds to the requests of rejected connections.
     *
     * @return the filter, to add to the routing
     */
    public Filter filter() {
        return new RejectedConnectionFilter();
    }

    /**
     * Admits a new connection when both limits allow it, counting it.
     *
     * @param client the client's address
     * @return the decision; an {@link Admission#ADMITTED} connection must be
     *         {@linkplain #release released}, and a {@link Admission#CLIENT_FULL} or
     *         {@link Admission#SERVER_FULL} one {@linkplain #releaseRejected released as rejected}
     */
    public Admission admit(InetAddress client) {
        Admission admission = tryAdmit(client);
        if (admission == Admission.ADMITTED) {
            return admission;
        }
        int pending = pendingRejections.merge(client, 1, Integer::sum);
        if (pending > MAX_PENDING_REJECTIONS) {
            releaseRejected(client);
            return Admission.DROPPED;
        }
        return admission;
    }

    private Admission tryAdmit(InetAddress client) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            return Admission.SERVER_FULL;
        }
        boolean[] admitted = new boolean[1];
        openPerClient.compute(client, (address, count) -> {
            int current = count == null ? 0 : count;
            if (current >= maxConnectionsPerClient) {
                return count;
            }
            admitted[0] = true;
            return current + 1;
        });
        if (!admitted[0]) {
            open.decrementAndGet();
            return Admission.CLIENT_FULL;
        }
        return Admission.ADMITTED;
    }

    /**
     * Stops counting a rejected connection that is waiting for its response.
     *
     * @param client the client's address
     */
    public void releaseRejected(InetAddress client) {
        pendingRejections.computeIfPresent(client, (address, count) -> count == 1 ? null
                : count - 1);
    }

    /**
     * Stops counting a connection that {@link #admit} admitted.
     *
     * @param client the client's address
     */
    public void release(InetAddress client) {
        openPerClient.computeIfPresent(client, (address, count) -> count == 1 ? null : count - 1);
        open.decrementAndGet();
    }

    /**
     * Returns the connections admitted and not yet released.
     *
     * @return the number of open connections
     */
    public int openConnections() {
        return open.get();
    }

    /**
     * Returns the connections admitted for one client address and not yet released.
     *
     * @param client the client's address
     * @return the number of its open connections
     */
    public int openConnections(InetAddress client) {
        return openPerClient.getOrDefault(client, 0);
    }

    /**
     * Returns the rejected connections of one client address still waiting for their response.
     *
     * @param client the client's address
     * @return the number of its pending rejected connections
     */
    public int pendingRejections(InetAddress client) {
        return pendingRejections.getOrDefault(client, 0);
    }
}
