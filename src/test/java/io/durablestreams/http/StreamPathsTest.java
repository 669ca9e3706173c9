package io.durablestreams.http;

import io.helidon.http.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StreamPathsTest {

    private static final String MOUNT = "/v1/stream";
    private static final int MAX_PATH_BYTES = 1024;

    @ParameterizedTest
    @CsvSource({
        "/v1/stream/a, a",
        "/v1/stream/chat/room-1, chat/room-1",
        "/v1/stream/a/b/c, a/b/c",
        "/v1/stream/hello%20world, hello world",
        "/v1/stream/caf%C3%A9, café",
        "/v1/stream/a%2Eb, a.b",
        "/v1/stream/..a, ..a",
        "/v1/stream/%2E%2E%2E, ...",
        "/v1/stream/a%25b, a%b"
    })
    void validPathIsDecoded(String rawPath, String streamPath) {
        assertThat("stream path of " + rawPath, StreamPaths.streamPath(rawPath, MOUNT,
                MAX_PATH_BYTES), is(streamPath));
    }

    @Test
    void rootMountPathServesEveryPath() {
        assertThat("stream path below the root mount", StreamPaths.streamPath("/a/b", "/",
                MAX_PATH_BYTES), is("a/b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/stream", "/v1/stream/", "/v1/streams/a", "/other/a", "/"})
    void pathOutsideMountIsNotFound(String rawPath) {
        assertStatus(rawPath, Status.NOT_FOUND_404);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/v1/stream/a//b", "/v1/stream/a/", "/v1/stream//a",
        "/v1/stream/.", "/v1/stream/..", "/v1/stream/a/./b", "/v1/stream/a/../b",
        "/v1/stream/%2e", "/v1/stream/%2e%2e", "/v1/stream/a/%2E%2E/b",
        "/v1/stream/a%2Fb", "/v1/stream/a%2fb", "/v1/stream/%2F",
        "/v1/stream/%", "/v1/stream/a%4", "/v1/stream/%ZZ", "/v1/stream/%G1",
        "/v1/stream/%C3%28", "/v1/stream/%FF", "/v1/stream/%C0%AF", "/v1/stream/%ED%A0%80",
        "/v1/stream/%00", "/v1/stream/a%0Ab", "/v1/stream/a%0Db", "/v1/stream/%7F",
        "/v1/stream/%C2%85"
    })
    void unsafeOrAmbiguousPathIsRejected(String rawPath) {
        assertStatus(rawPath, Status.BAD_REQUEST_400);
    }

    @Test
    void pathAtByteLimitIsAccepted() {
        String tenBytes = "%C3%A9".repeat(5);
        assertThat("five two-byte characters fit ten bytes",
                StreamPaths.streamPath(MOUNT + "/" + tenBytes, MOUNT, 10), is("é".repeat(5)));
    }

    @Test
    void pathOverByteLimitIsTooLong() {
        assertThrowsStatus(MOUNT + "/" + "%C3%A9".repeat(6), 10, Status.REQUEST_URI_TOO_LONG_414);
        assertThrowsStatus(MOUNT + "/" + "a".repeat(11), 10, Status.REQUEST_URI_TOO_LONG_414);
    }

    private static void assertStatus(String rawPath, Status expected) {
        assertThrowsStatus(rawPath, MAX_PATH_BYTES, expected);
    }

    private static void assertThrowsStatus(String rawPath, int maxPathBytes, Status expected) {
        HttpProblemException e = assertThrows(HttpProblemException.class,
                () -> StreamPaths.streamPath(rawPath, MOUNT, maxPathBytes),
                rawPath + " should be rejected");
        assertThat("status for " + rawPath, e.status(), is(expected));
    }
}
