package io.durablestreams;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import io.durablestreams.http.ProtocolHeaders;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.StreamStore;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static io.durablestreams.TestStreams.bodyText;
import static io.durablestreams.TestStreams.header;
import static io.durablestreams.TestStreams.newPath;
import static io.durablestreams.TestStreams.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * Entity tags and conditional reads, {@code Cache-Control}, the browser security headers on every
 * response, and CORS.
 */
@RoutingTest
class CachingAndSecurityHeadersTest {

    private static final String TEXT = "text/plain";
    private static final HeaderName CORP = HeaderNames.create("Cross-Origin-Resource-Policy");
    private static final HeaderName ALLOW_ORIGIN =
            HeaderNames.create("Access-Control-Allow-Origin");
    private static final HeaderName ALLOW_HEADERS =
            HeaderNames.create("Access-Control-Allow-Headers");
    private static final HeaderName ALLOW_METHODS =
            HeaderNames.create("Access-Control-Allow-Methods");
    private static final HeaderName EXPOSE_HEADERS =
            HeaderNames.create("Access-Control-Expose-Headers");
    private static final HeaderName REQUEST_METHOD =
            HeaderNames.create("Access-Control-Request-Method");
    private static final HeaderName REQUEST_HEADERS =
            HeaderNames.create("Access-Control-Request-Headers");

    private static final StreamStore STORE = new StreamStore(Clock.systemUTC(),
            Duration.ofMinutes(1));

    private final Http1Client client;

    CachingAndSecurityHeadersTest(DirectClient client) {
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
    void readHasQuotedEntityTag() {
        String path = newPath("etag");
        TestStreams.create(client, path, TEXT, "abc");

        try (HttpClientResponse response = read(client, path, "-1").request()) {
            String etag = header(response, HeaderNames.ETAG);
            assertThat("an entity tag is a quoted string", etag.startsWith("\"")
                    && etag.endsWith("\"") && etag.length() > 2, is(true));
        }
    }

    @Test
    void matchingIfNoneMatchReturns304() {
        String path = newPath("etag-304");
        TestStreams.create(client, path, TEXT, "abc");
        String etag = etagOf(path, "-1");

        try (HttpClientResponse response = read(client, path, "-1")
                .header(HeaderNames.IF_NONE_MATCH, etag)
                .request()) {
            assertThat("a repeated read with the current tag", response.status(),
                    is(Status.NOT_MODIFIED_304));
            assertThat("a 304 has no body", bodyText(response), is(""));
            assertThat("a 304 repeats the tag", header(response, HeaderNames.ETAG), is(etag));
        }
    }

    @Test
    void ifNoneMatchListsAndWeakTagsMatch() {
        String path = newPath("etag-list");
        TestStreams.create(client, path, TEXT, "abc");
        String etag = etagOf(path, "-1");

        for (String condition : new String[] {"\"other\", " + etag, "W/" + etag, "*"}) {
            try (HttpClientResponse response = read(client, path, "-1")
                    .header(HeaderNames.IF_NONE_MATCH, condition)
                    .request()) {
                assertThat("If-None-Match: " + condition, response.status(),
                        is(Status.NOT_MODIFIED_304));
            }
        }
    }

    @Test
    void otherIfNoneMatchReturnsData() {
        String path = newPath("etag-other");
        TestStreams.create(client, path, TEXT, "abc");

        try (HttpClientResponse response = read(client, path, "-1")
                .header(HeaderNames.IF_NONE_MATCH, "\"not-the-tag\"")
                .request()) {
            assertThat("a tag that does not match", response.status(), is(Status.OK_200));
            assertThat("the data is sent", bodyText(response), is("abc"));
        }
    }

    @Test
    void entityTagChangesWhenDataIsAppended() {
        String path = newPath("etag-append");
        TestStreams.create(client, path, TEXT, "abc");
        String before = etagOf(path, "-1");
        TestStreams.append(client, path, TEXT, "def");

        try (HttpClientResponse response = read(client, path, "-1")
                .header(HeaderNames.IF_NONE_MATCH, before)
                .request()) {
            assertThat("a read covering new data must not be 304", response.status(),
                    is(Status.OK_200));
            assertThat("the new data is sent", bodyText(response), is("abcdef"));
        }
    }

    @Test
    void entityTagChangesWhenStreamClosesAtTail() {
        String path = newPath("etag-close");
        String tail = TestStreams.create(client, path, TEXT, "abc");
        String atTail = etagOf(path, tail);
        String whole = etagOf(path, "-1");
        TestStreams.close(client, path);

        try (HttpClientResponse response = read(client, path, tail)
                .header(HeaderNames.IF_NONE_MATCH, atTail)
                .request()) {
            assertThat("a 304 would hide the closure", response.status(), is(Status.OK_200));
            assertThat("the response signals EOF",
                    header(response, ProtocolHeaders.STREAM_CLOSED), is("true"));
            assertThat("the tag differs from the open stream's",
                    header(response, HeaderNames.ETAG), not(atTail));
        }
        try (HttpClientResponse response = read(client, path, "-1")
                .header(HeaderNames.IF_NONE_MATCH, whole)
                .request()) {
            assertThat("a full read that now ends in EOF must not be 304", response.status(),
                    is(Status.OK_200));
        }
    }

    @Test
    void recreatedStreamHasNewEntityTags() {
        String path = newPath("etag-recreate");
        TestStreams.create(client, path, TEXT, "abc");
        String first = etagOf(path, "-1");
        try (HttpClientResponse response = client.delete(path).request()) {
            assertThat("delete", response.status(), is(Status.NO_CONTENT_204));
        }
        TestStreams.create(client, path, TEXT, "abc");

        try (HttpClientResponse response = read(client, path, "-1")
                .header(HeaderNames.IF_NONE_MATCH, first)
                .request()) {
            assertThat("a tag of a deleted stream must not match its successor",
                    response.status(), is(Status.OK_200));
        }
    }

    @Test
    void catchUpReadIsCacheable() {
        String path = newPath("cache-catch-up");
        TestStreams.create(client, path, TEXT, "abc");

        try (HttpClientResponse response = read(client, path, "-1").request()) {
            assertThat("data at fixed offsets never changes, so shared caches may keep it",
                    header(response, HeaderNames.CACHE_CONTROL), containsString("max-age="));
        }
    }

    @Test
    void headAndNowAreNotStored() {
        String path = newPath("cache-no-store");
        TestStreams.create(client, path, TEXT, "abc");

        try (HttpClientResponse response = client.head(path).request()) {
            assertThat("HEAD reports the moving tail",
                    header(response, HeaderNames.CACHE_CONTROL), is("no-store"));
        }
        try (HttpClientResponse response = read(client, path, "now").request()) {
            assertThat("offset=now reports the moving tail",
                    header(response, HeaderNames.CACHE_CONTROL), is("no-store"));
        }
    }

    @Test
    void everyResponseHasSecurityHeaders() {
        String path = newPath("security");
        TestStreams.create(client, path, TEXT, "abc");

        Map<String, Supplier<HttpClientResponse>> requests = new LinkedHashMap<>();
        requests.put("201 PUT", () -> client.put(newPath("security-new")).request());
        requests.put("200 PUT", () -> client.put(path)
                .header(HeaderNames.CONTENT_TYPE, TEXT).request());
        requests.put("204 POST", () -> client.post(path)
                .header(HeaderNames.CONTENT_TYPE, TEXT).submit("d"));
        requests.put("200 GET", () -> read(client, path, "-1").request());
        requests.put("304 GET", () -> read(client, path, Offsets.START)
                .header(HeaderNames.IF_NONE_MATCH, "*").request());
        requests.put("200 HEAD", () -> client.head(path).request());
        requests.put("400 GET", () -> read(client, path, "garbage").request());
        requests.put("404 GET", () -> read(client, newPath("missing"), "-1").request());
        requests.put("404 HEAD", () -> client.head(newPath("missing")).request());
        requests.put("404 outside the mount path", () -> client.get("/elsewhere").request());
        requests.put("405 PATCH", () -> client.method(Method.PATCH).path(path).request());
        requests.put("409 PUT", () -> client.put(path)
                .header(HeaderNames.CONTENT_TYPE, "application/json").request());
        requests.put("204 DELETE", () -> client.delete(newPathCreated()).request());

        for (Map.Entry<String, Supplier<HttpClientResponse>> request : requests.entrySet()) {
            try (HttpClientResponse response = request.getValue().get()) {
                assertThat(request.getKey() + " must not be a server error",
                        response.status().code() < 500, is(true));
                assertThat(request.getKey() + " must forbid MIME sniffing",
                        response.headers().first(HeaderNames.X_CONTENT_TYPE_OPTIONS).orElse(""),
                        is("nosniff"));
                assertThat(request.getKey() + " must set Cross-Origin-Resource-Policy",
                        response.headers().first(CORP).orElse(""), is("cross-origin"));
            }
        }
    }

    @Test
    void preflightAllowsProtocolRequestHeaders() {
        String path = newPath("cors-preflight");
        try (HttpClientResponse response = client.method(Method.OPTIONS).path(path)
                .header(HeaderNames.ORIGIN, "https://app.example")
                .header(REQUEST_METHOD, "GET")
                .header(REQUEST_HEADERS, "if-none-match, stream-seq")
                .request()) {
            assertThat("a preflight succeeds without a stream", response.status().code() / 100,
                    is(2));
            assertThat("any origin may read", header(response, ALLOW_ORIGIN), is("*"));
            String allowedHeaders = header(response, ALLOW_HEADERS).toLowerCase(Locale.ROOT);
            for (String name : new String[] {"if-none-match", "content-type", "stream-seq",
                "stream-closed", "stream-ttl", "stream-expires-at", "producer-id",
                "producer-epoch", "producer-seq"}) {
                assertThat("the preflight allows " + name, allowedHeaders, containsString(name));
            }
            String allowedMethods = header(response, ALLOW_METHODS);
            for (String method : new String[] {"GET", "HEAD", "POST", "PUT", "DELETE"}) {
                assertThat("the preflight allows " + method, allowedMethods,
                        containsString(method));
            }
            assertThat("the preflight is security-hardened too",
                    header(response, HeaderNames.X_CONTENT_TYPE_OPTIONS), is("nosniff"));
        }
    }

    @Test
    void crossOriginReadExposesProtocolHeaders() {
        String path = newPath("cors-read");
        TestStreams.create(client, path, TEXT, "abc");

        try (HttpClientResponse response = read(client, path, "-1")
                .header(HeaderNames.ORIGIN, "https://app.example")
                .request()) {
            assertThat("any origin may read", header(response, ALLOW_ORIGIN), is("*"));
            String exposed = header(response, EXPOSE_HEADERS).toLowerCase(Locale.ROOT);
            for (String name : new String[] {"stream-next-offset", "stream-cursor",
                "stream-up-to-date", "stream-closed", "etag", "producer-epoch", "producer-seq",
                "producer-expected-seq", "producer-received-seq", "stream-sse-data-encoding"}) {
                assertThat("browser clients must be able to read " + name, exposed,
                        containsString(name));
            }
        }
    }

    @Test
    void errorResponsesAreNotCached() {
        try (HttpClientResponse response = read(client, newPath("missing"), "-1").request()) {
            assertThat("a 404 must not be cached", header(response, HeaderNames.CACHE_CONTROL),
                    is("no-store"));
            assertThat("the error is plain text", header(response, HeaderNames.CONTENT_TYPE),
                    startsWith("text/plain"));
        }
    }

    private String newPathCreated() {
        String path = newPath("security-delete");
        TestStreams.create(client, path, TEXT, "");
        return path;
    }

    private String etagOf(String path, String offset) {
        try (HttpClientResponse response = read(client, path, offset).request()) {
            assertThat("read of " + path + " at " + offset, response.status(), is(Status.OK_200));
            return header(response, HeaderNames.ETAG);
        }
    }
}
