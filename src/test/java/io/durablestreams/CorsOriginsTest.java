package io.durablestreams;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.durablestreams.store.StreamStore;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static io.durablestreams.TestStreams.header;
import static io.durablestreams.TestStreams.newPath;
import static io.durablestreams.TestStreams.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * CORS on a server that lets browsers read responses from one origin only.
 */
@RoutingTest
class CorsOriginsTest {

    private static final String ALLOWED = "https://allowed.example";
    private static final HeaderName ALLOW_ORIGIN =
            HeaderNames.create("Access-Control-Allow-Origin");
    private static final StreamStore STORE = new StreamStore(Clock.systemUTC(),
            Duration.ofMinutes(1));

    private final Http1Client client;

    CorsOriginsTest(DirectClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        Main.routing(routing, STORE, TestSettings.withCorsOrigins(List.of(ALLOWED)));
    }

    @AfterAll
    static void closeStore() {
        STORE.close();
    }

    @Test
    void allowedOriginIsEchoed() {
        String path = newPath("cors-allowed");
        TestStreams.create(client, path, "text/plain", "abc");

        try (HttpClientResponse response = read(client, path, "-1")
                .header(HeaderNames.ORIGIN, ALLOWED)
                .request()) {
            assertThat("the allowed origin may read", header(response, ALLOW_ORIGIN),
                    is(ALLOWED));
            assertThat("caches must key the response on Origin",
                    header(response, HeaderNames.VARY), containsString("Origin"));
        }
    }

    @Test
    void otherOriginGetsNoCorsHeaders() {
        String path = newPath("cors-other");
        TestStreams.create(client, path, "text/plain", "abc");

        try (HttpClientResponse response = read(client, path, "-1")
                .header(HeaderNames.ORIGIN, "https://other.example")
                .request()) {
            assertThat("another origin must not be allowed to read",
                    response.headers().first(ALLOW_ORIGIN), is(Optional.empty()));
            assertThat("the security headers are still sent",
                    header(response, HeaderNames.X_CONTENT_TYPE_OPTIONS), is("nosniff"));
        }
    }
}
