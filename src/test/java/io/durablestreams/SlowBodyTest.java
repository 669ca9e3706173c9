package io.durablestreams;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A request body that trickles in is cut off after the configured body read time. */
class SlowBodyTest {

    private static final int BODY_BYTES = 200;

    private final LoopbackServer server = LoopbackServer.start(LoopbackServer.settings(Map.of(
            "limits.max-body-read-time", "PT1S")));

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void tricklingBodyGets408() throws IOException, InterruptedException {
        server.put("slow", "Content-Type", "text/plain");

        try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/stream/slow HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n")
                    .getBytes(US_ASCII));
            out.flush();
            String status = null;
            InputStream in = socket.getInputStream();
            // One byte every 100 ms would take 20 s; the server must answer long before that.
            for (int i = 0; i < BODY_BYTES && status == null; i++) {
                out.write('x');
                out.flush();
                Thread.sleep(100);
                if (in.available() > 0) {
                    status = new String(in.readNBytes(in.available()), US_ASCII);
                }
            }
            if (status == null) {
                status = new String(in.readNBytes(12), US_ASCII);
            }

            assertTrue(status.startsWith("HTTP/1.1 408"), "expected 408, got: " + status);
        }
        assertEquals(200, server.get("slow", "offset=-1").status(), "the stream still reads");
        assertEquals("", server.get("slow", "offset=-1").text(), "nothing was appended");
    }

    @Test
    void stalledBodyIsCutOff() throws IOException {
        server.put("stalled", "Content-Type", "text/plain");

        try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/stream/stalled HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n"
                    + "xyz").getBytes(US_ASCII));
            out.flush();

            // The client sends nothing more. Within the 15 s socket timeout the server must
            // end the request: a 408, or a closed connection once the body read is cut off.
            byte[] response = socket.getInputStream().readNBytes(12);
            String status = new String(response, US_ASCII);
            assertTrue(response.length == 0 || status.startsWith("HTTP/1.1 408"),
                    "expected 408 or a closed connection, got: " + status);
        }
        assertEquals("", server.get("stalled", "offset=-1").text(), "nothing was appended");
    }
}
