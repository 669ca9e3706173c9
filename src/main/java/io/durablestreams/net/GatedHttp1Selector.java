package io.durablestreams.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.Bytes;
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
    private final Duration requestHeadTimeout;

    GatedHttp1Selector(Http1Config config, ConnectionGate gate, Duration requestHeadTimeout) {
        this.http1 = Http1ConnectionSelector.builder().config(config).build();
        this.gate = gate;
        this.maxRequestLineBytes = config.maxPrologueLength();
        this.maxHeaderBytes = config.maxHeadersSize();
        this.requestHeadTimeout = requestHeadTimeout;
    }

    @Override
    public int bytesToIdentifyConnection() {
        return http1.bytesToIdentifyConnection();
    }

    @Override
    public Support supports(BufferData request) {
        int lineEnd = request.indexOf(Bytes.LF_BYTE);
        if (lineEnd != -1 && GatedConnection.isHttp10(request.readString(lineEnd))) {
            return Support.SUPPORTED;
        }
        request.rewind();
        return http1.supports(request);
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    /**
     * Returns the connection. Helidon calls this without {@link #supports} as soon as a socket is
     * accepted when this is the listener's only selector, so the gate counts the connection
     * before any byte of it is read.
     */
    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new GatedConnection(ctx, http1, gate, clientAddress(ctx), maxRequestLineBytes,
                maxHeaderBytes, requestHeadTimeout);
    }

    private static InetAddress clientAddress(ConnectionContext ctx) {
        SocketAddress address = ctx.remotePeer().address();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress();
        }
        return InetAddress.getLoopbackAddress();
    }
}
