package io.durablestreams.subscriptions;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;

/**
 * Sends signed webhook requests and reads whether the receiver finished the wake at once.
 *
 * <p>Redirects are never followed: a redirect could lead to an address that
 * {@link WebhookUrlPolicy} rejects, so a 3xx response counts as a failed delivery.
 *
 * <p>Thread-safety: safe for concurrent use; {@link HttpClient} is.
 */
public final class WebhookClient implements AutoCloseable {

    /** Name of the signature header. */
    static final String SIGNATURE_HEADER = "Webhook-Signature";

    /** Maximum number of response bytes read to look for {@code {"done": true}}. */
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;

    /**
     * Webhook requests in flight at once. Each keeps a socket open, and receivers that never
     * respond would otherwise use up the file descriptors the server needs to accept connections.
     */
    static final int MAX_CONCURRENT_REQUESTS = 64;

    private final Semaphore permits = new Semaphore(MAX_CONCURRENT_REQUESTS);

    private final HttpClient client;
    private final Duration timeout;

    /**
     * Creates a client.
     *
     * @param timeout bound on connecting and on waiting for the response
     */
    public WebhookClient(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
    }

    /**
     * The result of one delivery attempt.
     *
     * @param delivered whether the receiver responded with 2xx
     * @param done whether its response body was {@code {"done": true}}, finishing the wake
     * @param failure why the attempt failed, for the log; empty when delivered
     */
    record Outcome(boolean delivered, boolean done, String failure) {

        static Outcome failed(String failure) {
            return new Outcome(false, false, failure);
        }
    }

    /**
     * POSTs a webhook body.
     *
     * @param url the receiver
     * @param body the JSON body, exactly the bytes that were signed
     * @param signature the {@code Webhook-Signature} header value
     * @return what happened
     * @throws InterruptedException when the calling thread is interrupted
     */
    Outcome post(URI url, byte[] body, String signature) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header(SIGNATURE_HEADER, signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        permits.acquire();
        try {
            return send(request);
        } finally {
            permits.release();
        }
    }

    private Outcome send(HttpRequest request) throws InterruptedException {
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            return Outcome.failed("timed out after " + timeout);
        } catch (IOException e) {
            return Outcome.failed(e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        try (InputStream in = response.body()) {
            int status = response.statusCode();
            if (status < 200 || status > 299) {
                return Outcome.failed("receiver responded with HTTP " + status);
            }
            byte[] content = in.readNBytes(MAX_RESPONSE_BYTES);
            return new Outcome(true, isDone(content), "");
        } catch (IOException e) {
            return Outcome.failed("reading the response failed: " + e.getMessage());
        }
    }

    /** Tells whether a response body is a JSON object whose {@code done} member is true. */
    private static boolean isDone(byte[] content) {
        if (content.length == 0) {
            return false;
        }
        try {
            return Json.parse(content) instanceof Map<?, ?> object
                    && Boolean.TRUE.equals(object.get("done"));
        } catch (IllegalArgumentException e) {
            // Receivers may respond with any body, and only {"done": true} has a meaning.
            return false;
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
