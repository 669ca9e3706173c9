package io.durablestreams.crash;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Protocol requests to one server instance, with the JDK HTTP client over HTTP/1.1.
 *
 * <p>Thread-safety: safe for concurrent use, as the HTTP client is.
 */
final class StreamHttp implements AutoCloseable {

    /** Maximum wait for one response, so that no client thread hangs on a dead server. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Bound on the responses one full read may take, far above what the test writes. */
    private static final int MAX_PAGES = 10_000;
    private static final Pattern OFFSET_TOKEN = Pattern.compile("[0-9]{16}_[0-9]{16}");

    private final HttpClient client;
    private final URI streams;

    /**
     * Creates a client for the streams under a base URI.
     *
     * @param streams the base URI, ending with a slash
     */
    StreamHttp(URI streams) {
        this.streams = streams;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /**
     * Starts a request to a stream.
     *
     * @param path the stream's path below the base URI
     * @return a builder with the URI and timeout set
     */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(streams.resolve(path)).timeout(REQUEST_TIMEOUT);
    }

    /**
     * Starts a read of a stream from an offset.
     *
     * @param path the stream's path
     * @param offset an offset token, or {@code -1} for the start
     * @return a GET request builder
     */
    HttpRequest.Builder read(String path, String offset) {
        return HttpRequest.newBuilder(streams.resolve(path + "?offset=" + offset))
                .timeout(REQUEST_TIMEOUT)
                .GET();
    }

    /**
     * Sends a request and reads the whole response body.
     *
     * @throws IOException when the connection fails, as it does when the server is killed
     */
    HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends a HEAD request for a stream's metadata. */
    HttpResponse<byte[]> head(String path) throws IOException, InterruptedException {
        return send(request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    }

    /**
     * Reads a stream from its start to its tail, following Stream-Next-Offset from response to
     * response until one carries Stream-Up-To-Date: true.
     *
     * @param path the stream's path
     * @return the bodies of the responses, in order, and the final position
     * @throws IllegalStateException when a response is not a 200 with the expected headers
     */
    FullRead readAll(String path) throws IOException, InterruptedException {
        List<byte[]> pages = new ArrayList<>();
        String offset = "-1";
        for (int page = 0; page < MAX_PAGES; page++) {
            HttpResponse<byte[]> response = send(read(path, offset).build());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + "?offset=" + offset + " returned "
                        + response.statusCode() + " instead of 200: " + bodyText(response));
            }
            pages.add(response.body());
            String next = response.headers().firstValue("Stream-Next-Offset")
                    .orElseThrow(() -> new IllegalStateException("GET " + path
                            + " returned no Stream-Next-Offset"));
            boolean upToDate = response.headers().firstValue("Stream-Up-To-Date")
                    .map("true"::equals).orElse(false);
            if (upToDate) {
                return new FullRead(pages, position(next));
            }
            if (next.equals(offset)) {
                throw new IllegalStateException("GET " + path + "?offset=" + offset
                        + " made no progress and is not up to date");
            }
            offset = next;
        }
        throw new IllegalStateException("Reading " + path + " took more than " + MAX_PAGES
                + " responses");
    }

    /**
     * The result of a full read.
     *
     * @param pages the response bodies, in order
     * @param tail the Stream-Next-Offset position of the last response
     */
    record FullRead(List<byte[]> pages, long tail) {

        /** Returns the bodies joined, which for a text stream is its content. */
        byte[] content() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            pages.forEach(out::writeBytes);
            return out.toByteArray();
        }

        /** Returns the messages of all responses, for a JSON stream. */
        List<String> messages() {
            List<String> messages = new ArrayList<>();
            for (byte[] page : pages) {
                messages.addAll(JsonArrays.elements(page));
            }
            return messages;
        }
    }

    /**
     * Returns the Stream-Next-Offset position of a response.
     *
     * @return the position, or empty when the header is missing
     * @throws IllegalArgumentException when the header is not an offset token
     */
    static Optional<Long> nextOffset(HttpResponse<?> response) {
        return response.headers().firstValue("Stream-Next-Offset").map(StreamHttp::position);
    }

    /**
     * Returns whether a response carries Stream-Closed: true.
     */
    static boolean isClosed(HttpResponse<?> response) {
        return response.headers().firstValue("Stream-Closed").map("true"::equals).orElse(false);
    }

    /**
     * Converts this server's offset token to the byte position it encodes: 32 digits with an
     * underscore after the 16th, so {@code 0000000000000000_0000000000000042} is 42.
     */
    static long position(String token) {
        if (!OFFSET_TOKEN.matcher(token).matches()) {
            throw new IllegalArgumentException("Invalid offset token " + token);
        }
        return Long.parseLong(token.replace("_", ""));
    }

    /** Converts a byte position to this server's offset token. */
    static String token(long position) {
        String digits = String.format(Locale.ROOT, "%032d", position);
        return digits.substring(0, 16) + "_" + digits.substring(16);
    }

    /** Returns the start of a response body as text, for failure messages. */
    static String bodyText(HttpResponse<byte[]> response) {
        String text = new String(response.body(), UTF_8).strip();
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
