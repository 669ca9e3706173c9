package io.durablestreams.subscriptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.sun.net.httpserver.HttpServer;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A webhook receiver on a free port of 127.0.0.1 that records every request and responds with
 * a response the test chooses per request.
 */
final class WebhookReceiver implements AutoCloseable {

    /** Bound on waiting for a webhook request. */
    static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * A received webhook request.
     *
     * @param signature the {@code Webhook-Signature} header, or null
     * @param rawBody the body bytes
     * @param body the parsed body
     */
    record Request(String signature, byte[] rawBody, Map<?, ?> body) {

        String string(String name) {
            return (String) body.get(name);
        }

        long generation() {
            return (Long) body.get("generation");
        }

        /** Returns the entry of {@code streams} for a path. */
        Map<?, ?> stream(String path) {
            for (Object entry : (java.util.List<?>) body.get("streams")) {
                Map<?, ?> stream = (Map<?, ?>) entry;
                if (path.equals(stream.get("path"))) {
                    return stream;
                }
            }
            throw new AssertionError("No stream " + path + " in " + new String(rawBody, UTF_8));
        }
    }

    /**
     * A response to send.
     *
     * @param status the status code
     * @param body the JSON body
     */
    record Response(int status, String body) {

        static final Response OK = new Response(200, "{}");
        static final Response DONE = new Response(200, "{\"done\":true}");
        static final Response ERROR = new Response(500, "{}");
    }

    private final HttpServer server;
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile Function<Request, Response> responder = request -> Response.OK;

    private WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/hook", exchange -> {
            byte[] raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = in.readAllBytes();
            }
            Request request = new Request(exchange.getRequestHeaders().getFirst(
                    "Webhook-Signature"), raw, (Map<?, ?>) Json.parse(raw));
            count.incrementAndGet();
            Response response = responder.apply(request);
            requests.add(request);
            byte[] out = response.body().getBytes(UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(response.status(), out.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(out);
            }
        });
        server.start();
    }

    static WebhookReceiver start() throws IOException {
        return new WebhookReceiver();
    }

    /** Returns the receiver URL, on 127.0.0.1. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** Sets how the receiver responds to later requests. */
    void respond(Function<Request, Response> responder) {
        this.responder = responder;
    }

    /** Returns the next received request, failing after {@link #WAIT}. */
    Request next() throws InterruptedException {
        Request request = requests.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (request == null) {
            throw new AssertionError("No webhook request within " + WAIT);
        }
        return request;
    }

    /** Returns how many requests arrived so far. */
    int received() {
        return count.get();
    }

    /** Returns whether no request is waiting to be taken with {@link #next()}. */
    boolean idle() {
        return requests.isEmpty();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
