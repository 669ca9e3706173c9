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
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Limits of the webhook client. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebhookClientTest {

    @Test
    void requestsInFlightAreBounded() throws Exception {
        int requests = WebhookClient.MAX_CONCURRENT_REQUESTS + 36;
        AtomicInteger open = new AtomicInteger();
        AtomicInteger maxOpen = new AtomicInteger();

        // A receiver that accepts every connection and never responds.
        try (ServerSocket receiver = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
             WebhookClient client = new WebhookClient(Duration.ofSeconds(1))) {
            Thread.ofVirtual().start(() -> acceptForever(receiver, open, maxOpen));
            URI url = URI.create("http://127.0.0.1:" + receiver.getLocalPort() + "/hook");

            List<Thread> senders = new ArrayList<>();
            List<WebhookClient.Outcome> outcomes = Collections.synchronizedList(
                    new ArrayList<>());
            for (int i = 0; i < requests; i++) {
                senders.add(Thread.ofVirtual().start(() -> {
                    try {
                        outcomes.add(client.post(url, "{}".getBytes(UTF_8), "t=1,sig=x"));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            for (Thread sender : senders) {
                sender.join();
            }

            assertEquals(requests, outcomes.size(), "every request ended");
            assertFalse(outcomes.stream().anyMatch(WebhookClient.Outcome::delivered),
                    "none was delivered");
            assertEquals(WebhookClient.MAX_CONCURRENT_REQUESTS, maxOpen.get(),
                    "connections open at the receiver at once");
        }
    }

    private static void acceptForever(ServerSocket receiver, AtomicInteger open,
                                      AtomicInteger maxOpen) {
        while (!receiver.isClosed()) {
            try {
                Socket socket = receiver.accept();
                maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                Thread.ofVirtual().start(() -> drainUntilClosed(socket, open));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void drainUntilClosed(Socket socket, AtomicInteger open) {
        try (socket; InputStream in = socket.getInputStream()) {
            while (in.read() >= 0) {
                // The request is read and left without a response.
            }
        } catch (IOException e) {
            // The client reset the connection, which also closes it.
        } finally {
            open.decrementAndGet();
        }
    }
}
