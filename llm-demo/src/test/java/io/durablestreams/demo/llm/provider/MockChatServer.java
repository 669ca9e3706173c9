package io.durablestreams.demo.llm.provider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A chat API stand-in on 127.0.0.1 that responds to every request with a scripted response: a
 * status, a content type and body chunks. Each chunk is flushed on its own, so the client sees
 * the chunks arrive separately. A stall after the last chunk can keep the response open.
 */
final class MockChatServer implements AutoCloseable {

    /** A request as received. */
    record RecordedRequest(String method, String path, Map<String, List<String>> headers,
                           String body) {

        String header(String name) {
            return headers.entrySet().stream()
                    .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().getFirst())
                    .findFirst()
                    .orElse(null);
        }
    }

    private record Script(int status, String contentType, List<String> chunks, boolean stall) {
    }

    private final HttpServer server;
    private final LinkedBlockingQueue<RecordedRequest> requests = new LinkedBlockingQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile Script script = new Script(500, "text/plain", List.of("no script"), false);

    private MockChatServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts a server on a free loopback port.
     *
     * @return the running server
     * @throws IOException when binding fails
     */
    static MockChatServer start() throws IOException {
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        MockChatServer mock = new MockChatServer(server);
        server.createContext("/", mock::handle);
        // One thread per exchange, so that a stalled response does not hold up the next one.
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return mock;
    }

    /** Responds to the next requests with these chunks as a Server-Sent Events body. */
    void respondWithEvents(String... chunks) {
        script = new Script(200, "text/event-stream", List.of(chunks), false);
    }

    /** Responds with these chunks, then keeps the response open until the server closes. */
    void respondWithEventsThenStall(String... chunks) {
        script = new Script(200, "text/event-stream", List.of(chunks), true);
    }

    /** Responds with an error status and a JSON body. */
    void respondWithError(int status, String jsonBody) {
        script = new Script(status, "application/json", List.of(jsonBody), false);
    }

    /** Returns the base URL, without a trailing slash. */
    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Returns the next recorded request, waiting up to five seconds. */
    RecordedRequest takeRequest() throws InterruptedException {
        RecordedRequest request = requests.poll(5, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("The mock server received no request within 5 s");
        }
        return request;
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), UTF_8);
            }
            requests.add(new RecordedRequest(exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(), Map.copyOf(exchange.getRequestHeaders()),
                    body));
            Script current = script;
            exchange.getResponseHeaders().set("Content-Type", current.contentType());
            // Length 0 selects a chunked body, so each chunk can be flushed on its own.
            exchange.sendResponseHeaders(current.status(), 0);
            OutputStream out = exchange.getResponseBody();
            for (String chunk : current.chunks()) {
                out.write(chunk.getBytes(UTF_8));
                out.flush();
            }
            if (current.stall()) {
                release.await(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The client went away, as the idle-timeout tests make it do.
        }
    }
}
