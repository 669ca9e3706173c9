package io.durablestreams.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Semaphore;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.Bytes;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * A connection selector that serves HTTP/1.1 connections through a {@link ConnectionGate}, and
 * responds to HTTP/1.0 requests with 426 instead of closing the connection without a response.
 */
final class GatedHttp1Selector implements ServerConnectionSelector {

    private final ServerConnectionSelector http1;
    private final ConnectionGate gate;
    private final int maxRequestLineBytes;
    private final int maxHeaderBytes;

    GatedHttp1Selector(Http1Config config, ConnectionGate gate) {
        this.http1 = Http1ConnectionSelector.builder().config(config).build();
        this.gate = gate;
        this.maxRequestLineBytes = config.maxPrologueLength();
        this.maxHeaderBytes = config.maxHeadersSize();
    }

    @Override
    public int bytesToIdentifyConnection() {
        return http1.bytesToIdentifyConnection();
    }

    @Override
    public Support supports(BufferData request) {
        int lineEnd = request.indexOf(Bytes.LF_BYTE);
        if (lineEnd != -1 && isHttp10(request.readString(lineEnd))) {
            return Support.SUPPORTED;
        }
        request.rewind();
        return http1.supports(request);
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        if (requestsHttp10(ctx.dataReader())) {
            return new Http10Rejection(ctx, maxRequestLineBytes + maxHeaderBytes);
        }
        return new GatedConnection(http1.connection(ctx), gate, clientAddress(ctx));
    }

    /**
     * Looks at the request line without consuming it. Helidon calls {@link #connection} without
     * {@link #supports} when this is the listener's only selector.
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

    private static boolean isHttp10(String requestLine) {
        return requestLine.stripTrailing().endsWith(" HTTP/1.0");
    }

    private static InetAddress clientAddress(ConnectionContext ctx) {
        SocketAddress address = ctx.remotePeer().address();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress();
        }
        return InetAddress.getLoopbackAddress();
    }

    /** An HTTP/1.1 connection, counted by the gate while it is open. */
    private static final class GatedConnection implements ServerConnection {

        private final ServerConnection delegate;
        private final ConnectionGate gate;
        private final InetAddress client;

        GatedConnection(ServerConnection delegate, ConnectionGate gate, InetAddress client) {
            this.delegate = delegate;
            this.gate = gate;
            this.client = client;
        }

        @Override
        public void handle(Semaphore requestSemaphore) throws InterruptedException {
            handle(() -> delegate.handle(requestSemaphore));
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            handle(() -> delegate.handle(limit));
        }

        @Override
        public Duration idleTime() {
            return delegate.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            delegate.close(interrupt);
        }

        private void handle(Handling handling) throws InterruptedException {
            ConnectionGate.Admission admission = gate.admit(client);
            if (admission == ConnectionGate.Admission.ADMITTED) {
                try {
                    handling.run();
                } finally {
                    gate.release(client);
                }
                return;
            }

            // RejectedConnectionFilter responds to the first request and closes the connection.
            ConnectionGate.markRejected(admission);
            try {
                handling.run();
            } finally {
                ConnectionGate.clear();
            }
        }
    }

    @FunctionalInterface
    private interface Handling {
        void run() throws InterruptedException;
    }
}
