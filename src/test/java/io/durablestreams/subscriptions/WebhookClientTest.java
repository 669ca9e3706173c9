package io.durablestreams.subscriptions;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Limits of the webhook client. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebhookClientTest {

    /**
     * Time in which a client without the bound would have opened its remaining connections,
     * which takes it a few milliseconds. The absence of a connection can only be seen by waiting.
     */
    private static final Duration QUIET_WINDOW = Duration.ofMillis(500);

    @Test
    void requestsInFlightAreBounded() throws Exception {
        int requests = WebhookClient.MAX_CONCURRENT_REQUESTS + 36;
        AtomicInteger accepted = new AtomicInteger();
        List<Socket> unanswered = Collections.synchronizedList(new ArrayList<>());
        List<Thread> senders = new ArrayList<>();

        // A receiver that accepts every connection, reads its request and never responds.
        try (ServerSocket receiver = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
             WebhookClient client = new WebhookClient(Duration.ofSeconds(30))) {
            Thread.ofVirtual().start(() -> acceptForever(receiver, accepted, unanswered));
            URI url = URI.create("http://127.0.0.1:" + receiver.getLocalPort() + "/hook");
            for (int i = 0; i < requests; i++) {
                senders.add(Thread.ofVirtual().start(() -> post(client, url)));
            }

            awaitAccepted(accepted, WebhookClient.MAX_CONCURRENT_REQUESTS);
            Thread.sleep(QUIET_WINDOW.toMillis());
            assertEquals(WebhookClient.MAX_CONCURRENT_REQUESTS, accepted.get(),
                    "connections opened while every request waits for a response");

            // Closing the unanswered connections fails their requests and lets the rest through.
            closeAll(unanswered);
            awaitAccepted(accepted, requests);
            closeAll(unanswered);
            for (Thread sender : senders) {
                sender.join();
            }
        }
        assertTrue(senders.stream().noneMatch(Thread::isAlive), "every request ended");
    }

    private static void post(WebhookClient client, URI url) {
        try {
            client.post(url, "{}".getBytes(UTF_8), "t=1,sig=x");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitAccepted(AtomicInteger accepted, int count)
            throws InterruptedException {
        while (accepted.get() < count) {
            Thread.sleep(10);
        }
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        synchronized (sockets) {
            for (Socket socket : sockets) {
                socket.close();
            }
            sockets.clear();
        }
    }

    private static void acceptForever(ServerSocket receiver, AtomicInteger accepted,
                                      List<Socket> unanswered) {
        while (!receiver.isClosed()) {
            try {
                Socket socket = receiver.accept();
                unanswered.add(socket);
                accepted.incrementAndGet();
                Thread.ofVirtual().start(() -> readRequest(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void readRequest(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // The request is read and left without a response.
            }
        } catch (IOException e) {
            // The test closed the socket.
        }
    }
}
