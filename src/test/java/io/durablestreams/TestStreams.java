package io.durablestreams;

import java.util.concurrent.atomic.AtomicLong;

import io.durablestreams.http.ProtocolHeaders;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Setup steps shared by the HTTP tests: unique stream URLs, and creating and appending to streams
 * with the status checked, so that each test asserts only on the request it is about.
 */
final class TestStreams {

    private static final AtomicLong COUNTER = new AtomicLong();

    private TestStreams() {
    }

    /**
     * Returns a URL path for a stream no other test uses.
     *
     * @param name a readable part, such as the test's subject
     * @return a path below the test mount path
     */
    static String newPath(String name) {
        return TestSettings.MOUNT_PATH + "/" + name + "-" + COUNTER.incrementAndGet();
    }

    /**
     * Creates a stream and checks for 201.
     *
     * @param client the client
     * @param path the stream's URL path
     * @param contentType the stream's content type
     * @param body the initial content, possibly empty
     * @return the {@code Stream-Next-Offset} of the response
     */
    static String create(Http1Client client, String path, String contentType, String body) {
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, contentType)
                .submit(body)) {
            assertThat("PUT " + path + " should create the stream", response.status(),
                    is(Status.CREATED_201));
            return header(response, ProtocolHeaders.STREAM_NEXT_OFFSET);
        }
    }

    /**
     * Appends to a stream and checks for 204.
     *
     * @param client the client
     * @param path the stream's URL path
     * @param contentType the stream's content type
     * @param body the data, not empty
     * @return the {@code Stream-Next-Offset} of the response
     */
    static String append(Http1Client client, String path, String contentType, String body) {
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, contentType)
                .submit(body)) {
            assertThat("POST " + path + " should append", response.status(),
                    is(Status.NO_CONTENT_204));
            return header(response, ProtocolHeaders.STREAM_NEXT_OFFSET);
        }
    }

    /**
     * Closes a stream without appending and checks for 204.
     *
     * @param client the client
     * @param path the stream's URL path
     * @return the {@code Stream-Next-Offset} of the response
     */
    static String close(Http1Client client, String path) {
        try (HttpClientResponse response = client.post(path)
                .header(ProtocolHeaders.STREAM_CLOSED, "true")
                .request()) {
            assertThat("POST " + path + " with Stream-Closed should close the stream",
                    response.status(), is(Status.NO_CONTENT_204));
            return header(response, ProtocolHeaders.STREAM_NEXT_OFFSET);
        }
    }

    /**
     * Starts a catch-up, long-poll or SSE read request.
     *
     * @param client the client
     * @param path the stream's URL path
     * @param offset the {@code offset} parameter
     * @return the request, ready for more parameters
     */
    static Http1ClientRequest read(Http1Client client, String path, String offset) {
        return client.get(path).queryParam("offset", offset);
    }

    /**
     * Reads a response body as UTF-8 text.
     *
     * @param response the response
     * @return the body, empty when the response has none
     */
    static String bodyText(HttpClientResponse response) {
        return response.entity().hasEntity() ? response.as(String.class) : "";
    }

    /**
     * Returns a response header, failing the test when it is missing.
     *
     * @param response the response
     * @param name the header name
     * @return the first value
     */
    static String header(HttpClientResponse response, HeaderName name) {
        return response.headers().first(name).orElseThrow(() -> new AssertionError(
                "Response " + response.status() + " has no " + name.defaultCase() + " header"));
    }
}
