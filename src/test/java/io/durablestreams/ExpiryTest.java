package io.durablestreams;

import java.time.Duration;
import java.time.Instant;

import io.durablestreams.http.ProtocolHeaders;
import io.durablestreams.store.ForkTestClock;
import io.durablestreams.store.StreamStore;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.durablestreams.TestStreams.newPath;
import static io.durablestreams.TestStreams.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Sliding TTLs and absolute expiry times, on a store clock that the tests advance by hand.
 */
@RoutingTest
class ExpiryTest {

    private static final String TEXT = "text/plain";
    private static final ForkTestClock CLOCK =
            new ForkTestClock(Instant.parse("2030-01-01T00:00:00Z"));
    // The reaper runs rarely, so expiry is observed by the lazy check on each request.
    private static final StreamStore STORE = new StreamStore(CLOCK, Duration.ofHours(1));

    private final Http1Client client;

    ExpiryTest(DirectClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Main.routing(routing, STORE,
                TestSettings.withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(5)));
    }

    @AfterAll
    static void closeStore() {
        STORE.close();
    }

    @Test
    void idleStreamExpiresAfterTtl() {
        String path = createWithTtl("ttl-idle", 60);

        CLOCK.advance(Duration.ofSeconds(59));
        assertThat("one second before the TTL ends", headStatus(path), is(Status.OK_200));

        CLOCK.advance(Duration.ofSeconds(1));
        assertThat("HEAD once the TTL has passed", headStatus(path), is(Status.NOT_FOUND_404));
        try (HttpClientResponse response = read(client, path, "-1").request()) {
            assertThat("GET of an expired stream", response.status(), is(Status.NOT_FOUND_404));
        }
        try (HttpClientResponse response = client.post(path)
                .header(HeaderNames.CONTENT_TYPE, TEXT)
                .submit("x")) {
            assertThat("POST to an expired stream", response.status(), is(Status.NOT_FOUND_404));
        }
    }

    @Test
    void readExtendsSlidingTtl() {
        String path = createWithTtl("ttl-read", 60);

        CLOCK.advance(Duration.ofSeconds(40));
        try (HttpClientResponse response = read(client, path, "-1").request()) {
            assertThat("read within the TTL", response.status(), is(Status.OK_200));
        }
        CLOCK.advance(Duration.ofSeconds(40));
        assertThat("80 s after creation but 40 s after the read", headStatus(path),
                is(Status.OK_200));

        CLOCK.advance(Duration.ofSeconds(20));
        assertThat("60 s after the read", headStatus(path), is(Status.NOT_FOUND_404));
    }

    @Test
    void appendExtendsSlidingTtl() {
        String path = createWithTtl("ttl-append", 60);

        CLOCK.advance(Duration.ofSeconds(40));
        TestStreams.append(client, path, TEXT, "x");
        CLOCK.advance(Duration.ofSeconds(40));
        assertThat("80 s after creation but 40 s after the append", headStatus(path),
                is(Status.OK_200));

        CLOCK.advance(Duration.ofSeconds(20));
        assertThat("60 s after the append", headStatus(path), is(Status.NOT_FOUND_404));
    }

    @Test
    void liveReadExtendsSlidingTtl() {
        String path = createWithTtl("ttl-live", 60);
        TestStreams.close(client, path);

        CLOCK.advance(Duration.ofSeconds(40));
        try (HttpClientResponse response = read(client, path, "now")
                .queryParam("live", "long-poll")
                .request()) {
            assertThat("a long-poll at the end of a closed stream returns at once",
                    response.status(), is(Status.NO_CONTENT_204));
        }
        CLOCK.advance(Duration.ofSeconds(40));
        assertThat("80 s after creation but 40 s after the long-poll", headStatus(path),
                is(Status.OK_200));
    }

    @Test
    void headDoesNotExtendSlidingTtl() {
        String path = createWithTtl("ttl-head", 60);

        CLOCK.advance(Duration.ofSeconds(40));
        assertThat("HEAD within the TTL", headStatus(path), is(Status.OK_200));

        CLOCK.advance(Duration.ofSeconds(20));
        assertThat("60 s after creation, HEAD must not have reset the TTL", headStatus(path),
                is(Status.NOT_FOUND_404));
    }

    @Test
    void expiresAtIsNotExtendedByAccess() {
        String path = newPath("expires-at");
        Instant expiresAt = CLOCK.instant().plusSeconds(60);
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, TEXT)
                .header(ProtocolHeaders.STREAM_EXPIRES_AT, expiresAt.toString())
                .request()) {
            assertThat("create with an expiry time", response.status(), is(Status.CREATED_201));
        }

        CLOCK.advance(Duration.ofSeconds(50));
        TestStreams.append(client, path, TEXT, "x");
        try (HttpClientResponse response = read(client, path, "-1").request()) {
            assertThat("read before the expiry time", response.status(), is(Status.OK_200));
        }

        CLOCK.advance(Duration.ofSeconds(10));
        assertThat("reads and writes do not move an absolute expiry time", headStatus(path),
                is(Status.NOT_FOUND_404));
    }

    @Test
    void streamWithoutExpiryStays() {
        String path = newPath("no-expiry");
        TestStreams.create(client, path, TEXT, "");

        CLOCK.advance(Duration.ofDays(3650));
        assertThat("a stream without TTL or expiry time never expires", headStatus(path),
                is(Status.OK_200));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+1", "01", "1.0", "1e3", "-1", "abc", "1 0"})
    void malformedTtlIsRejected(String ttl) {
        String path = newPath("ttl-format");
        try (HttpClientResponse response = client.put(path)
                .header(ProtocolHeaders.STREAM_TTL, ttl)
                .request()) {
            assertThat("Stream-TTL: " + ttl, response.status(), is(Status.BAD_REQUEST_400));
        }
        assertThat("a rejected create leaves no stream", headStatus(path),
                is(Status.NOT_FOUND_404));
    }

    @Test
    void ttlWithExpiresAtIsRejected() {
        String path = newPath("ttl-and-expiry");
        try (HttpClientResponse response = client.put(path)
                .header(ProtocolHeaders.STREAM_TTL, "60")
                .header(ProtocolHeaders.STREAM_EXPIRES_AT, "2031-01-01T00:00:00Z")
                .request()) {
            assertThat("a stream has either a TTL or an expiry time", response.status(),
                    is(Status.BAD_REQUEST_400));
        }
    }

    private String createWithTtl(String name, long ttlSeconds) {
        String path = newPath(name);
        try (HttpClientResponse response = client.put(path)
                .header(HeaderNames.CONTENT_TYPE, TEXT)
                .header(ProtocolHeaders.STREAM_TTL, Long.toString(ttlSeconds))
                .request()) {
            assertThat("create with a TTL", response.status(), is(Status.CREATED_201));
        }
        return path;
    }

    private Status headStatus(String path) {
        try (HttpClientResponse response = client.head(path).request()) {
            return response.status();
        }
    }
}
