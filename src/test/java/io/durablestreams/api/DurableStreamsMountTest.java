package io.durablestreams.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

import io.durablestreams.config.StorageSettings;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The protocol service mounted under an application's own prefix, beside its own routes. */
class DurableStreamsMountTest {

    private static final String MOUNT = "/api/v1/stream";

    private DurableStreams streams;
    private WebServer server;
    private HttpClient client;
    private String base;

    @BeforeEach
    void setUp() {
        streams = DurableStreams.create(DurableStreamsTest.settings(StorageSettings.memory(),
                1024 * 1024));
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(routing -> {
                    routing.get("/api/v1/hello", (req, res) -> res.send("hello"));
                    streams.mount(routing, MOUNT);
                })
                .build()
                .start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.stop();
        streams.close();
    }

    @Test
    void httpCreateIsVisibleToJavaApi() throws Exception {
        HttpResponse<String> created = send(HttpRequest.newBuilder(uri(MOUNT + "/chat/a"))
                .header("Content-Type", "text/plain")
                .PUT(BodyPublishers.ofString("from http")));

        assertEquals(201, created.statusCode());
        assertEquals(base + MOUNT + "/chat/a",
                created.headers().firstValue("Location").orElseThrow());
        assertEquals("from http", streams.read("chat/a", "-1").text());
    }

    @Test
    void javaApiAppendIsVisibleOverHttp() throws Exception {
        streams.create("chat/a", StreamOptions.of("text/plain"));
        AppendOutcome appended = streams.append("chat/a", "from java");

        HttpResponse<String> read = send(HttpRequest.newBuilder(uri(MOUNT + "/chat/a?offset=-1")));

        assertEquals(200, read.statusCode());
        assertEquals("from java", read.body());
        assertEquals(appended.nextOffset(),
                read.headers().firstValue("Stream-Next-Offset").orElseThrow());
    }

    @Test
    void forkSourceIsResolvedUnderMountPath() throws Exception {
        streams.create("docs/a", StreamOptions.builder().contentType("text/plain")
                .initialData("draft").build());

        HttpResponse<String> fork = send(HttpRequest.newBuilder(uri(MOUNT + "/docs/b"))
                .header("Stream-Forked-From", MOUNT + "/docs/a")
                .PUT(BodyPublishers.noBody()));

        assertEquals(201, fork.statusCode());
        assertEquals("draft", streams.read("docs/b", "-1").text());
    }

    @Test
    void forkSourceRelativeToBaseUrlIsResolved() throws Exception {
        streams.create("docs/a", StreamOptions.builder().contentType("text/plain")
                .initialData("draft").build());

        HttpResponse<String> fork = send(HttpRequest.newBuilder(uri(MOUNT + "/docs/b"))
                .header("Stream-Forked-From", "/v1/stream/docs/a")
                .PUT(BodyPublishers.noBody()));

        assertEquals(201, fork.statusCode());
        assertEquals("draft", streams.read("docs/b", "-1").text());
    }

    @Test
    void securityHeadersApplyOnlyBelowMountPath() throws Exception {
        streams.create("chat/a", StreamOptions.of("text/plain"));

        HttpResponse<String> stream = send(HttpRequest.newBuilder(uri(MOUNT + "/chat/a"))
                .header("Origin", "http://example.test")
                .method("HEAD", BodyPublishers.noBody()));
        HttpResponse<String> own = send(HttpRequest.newBuilder(uri("/api/v1/hello"))
                .header("Origin", "http://example.test"));

        assertEquals(200, stream.statusCode());
        assertEquals("nosniff",
                stream.headers().firstValue("X-Content-Type-Options").orElseThrow());
        assertEquals("*",
                stream.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertEquals("hello", own.body());
        assertTrue(own.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
        assertTrue(own.headers().firstValue("X-Content-Type-Options").isEmpty());
    }

    @Test
    void preflightBelowMountPathIsAnswered() throws Exception {
        HttpResponse<String> preflight = send(HttpRequest.newBuilder(uri(MOUNT + "/chat/a"))
                .header("Origin", "http://example.test")
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", BodyPublishers.noBody()));

        assertEquals(204, preflight.statusCode());
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow()
                .contains("POST"));
    }

    @Test
    void pathOutsideMountIsNotServed() throws Exception {
        streams.create("chat/a", StreamOptions.of("text/plain"));

        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/stream/chat/a")));

        assertEquals(404, response.statusCode());
    }

    @Test
    void invalidMountPathIsRejected() {
        HttpRouting.Builder routing = HttpRouting.builder();

        assertThrows(IllegalArgumentException.class, () -> streams.mount(routing, "api/stream"));
        assertThrows(IllegalArgumentException.class, () -> streams.mount(routing, "/api/"));
    }

    @Test
    void mountFilterCoversOnlyPathsBelowMount() {
        MountFilter filter = new MountFilter(MOUNT, (chain, req, res) -> chain.proceed());

        assertTrue(filter.covers(MOUNT));
        assertTrue(filter.covers(MOUNT + "/chat/a"));
        assertEquals(false, filter.covers("/api/v1/streams"));
        assertEquals(false, filter.covers("/api/v1/hello"));
        assertTrue(new MountFilter("/", (chain, req, res) -> chain.proceed()).covers("/x"));
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(),
                BodyHandlers.ofString());
    }
}
