package io.durablestreams;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** An SSE client that stops reading is disconnected after the write timeout. */
class StalledReaderTest {

    private static final int CHUNK_BYTES = 256 * 1024;

    private final LoopbackServer server = LoopbackServer.start(LoopbackServer.settings(Map.of(
            "limits.write-timeout", "PT1S",
            "max-append-bytes", Integer.toString(CHUNK_BYTES))));

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void stalledSseReaderIsDisconnected() throws IOException {
        server.put("flood", "Content-Type", "text/plain");

        try (Socket socket = new Socket()) {
            // A small receive window fills quickly, and the client never reads from it.
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.server().port()));
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/stream/flood?offset=-1&live=sse HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(US_ASCII));
            out.flush();
            LoopbackServer.await(() -> server.liveReaders("flood") == 1, Duration.ofSeconds(10),
                    "the SSE reader to connect");

            // Appends until the server's write to the stalled client blocks; bounded in count.
            String chunk = "x".repeat(CHUNK_BYTES);
            for (int i = 0; i < 200 && server.liveReaders("flood") == 1; i++) {
                assertEquals(204, server.post("flood", chunk, "Content-Type", "text/plain")
                        .status(), "append " + i);
            }

            LoopbackServer.await(() -> server.liveReaders("flood") == 0, Duration.ofSeconds(15),
                    "the stalled reader to be disconnected");
        }
        assertEquals(200, server.get("flood", "offset=now").status(),
                "the stream keeps serving other requests");
    }

    @Test
    void stalledCatchUpReaderIsDisconnected() throws IOException {
        server.put("large", "Content-Type", "text/plain");
        String chunk = "y".repeat(CHUNK_BYTES);
        for (int i = 0; i < 32; i++) {
            assertEquals(204, server.post("large", chunk, "Content-Type", "text/plain").status(),
                    "append " + i);
        }

        try (Socket socket = new Socket()) {
            // 8 MiB to send into a small window that the client never reads from. The client
            // address is its own, so that the gate's count for it is this connection alone.
            socket.setReceiveBufferSize(4096);
            socket.bind(new java.net.InetSocketAddress("127.0.0.3", 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.server().port()));
            socket.getOutputStream().write(("GET /v1/stream/large?offset=-1 HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\n\r\n").getBytes(US_ASCII));
            socket.getOutputStream().flush();
            LoopbackServer.await(() -> server.gate().openConnections(
                    socket.getLocalAddress()) == 1, Duration.ofSeconds(10),
                    "the reader's connection to be counted");

            LoopbackServer.await(() -> server.gate().openConnections(
                    socket.getLocalAddress()) == 0, Duration.ofSeconds(15),
                    "the stalled reader's connection to be closed");
        }
    }
}
