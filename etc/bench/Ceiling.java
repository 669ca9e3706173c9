import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import io.helidon.http.Status;
import io.helidon.webserver.WebServer;

/**
 * Serves the benchmark's "ceiling": a bare Helidon SE handler on 127.0.0.1 that reads each POST
 * body and responds with 204, with no protocol work. Its request rate under the small-append
 * load estimates the most this machine can give a Helidon handler, which bounds what the real
 * server can reach.
 *
 * <p>Run with the source launcher: {@code java -cp 'target/libs/*' Ceiling.java PORT}.
 */
public final class Ceiling {

    private Ceiling() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java -cp 'target/libs/*' Ceiling.java PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .routing(routing -> routing.post("/v1/stream/*", (req, res) -> {
                    // Read exactly Content-Length bytes, the cheapest complete read of the body.
                    long length = req.headers().contentLength().orElse(-1);
                    try (InputStream in = req.content().inputStream()) {
                        if (length >= 0 && length <= Integer.MAX_VALUE) {
                            in.readNBytes((int) length);
                        } else {
                            in.readAllBytes();
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    res.status(Status.NO_CONTENT_204).send();
                }))
                .build()
                .start();
        System.out.println("bare Helidon handler listening on http://127.0.0.1:" + server.port());
    }
}
