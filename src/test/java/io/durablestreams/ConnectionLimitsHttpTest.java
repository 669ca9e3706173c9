package io.durablestreams;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.durablestreams.RawHttpConnection.Response;
import io.durablestreams.net.ConnectionGate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connection limits per client address and in total: a connection over a limit gets one response,
 * 429 or 503 with {@code Retry-After}, and is closed, while connections within the limits keep
 * being served.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectionLimitsHttpTest {

    private static final InetAddress FIRST_CLIENT = address("127.0.0.1");
    private static final InetAddress SECOND_CLIENT = address("127.0.0.2");

    /** The status of a served request for a stream that does not exist. */
    private static final int SERVED = 404;

    private LoopbackServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void perClientLimitGives429() throws IOException {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "limits.max-connections-per-client", "2")));

        try (RawHttpConnection first = openServed(FIRST_CLIENT);
             RawHttpConnection second = openServed(FIRST_CLIENT);
             RawHttpConnection third = RawHttpConnection.openFrom(FIRST_CLIENT, port())) {
            Response rejected = get(third);

            assertEquals(429, rejected.status(), "the third connection of a client");
            assertEquals("1", rejected.header("Retry-After").orElse(""), "Retry-After");
            assertTrue(text(rejected).contains("Too many connections"), "plain-text reason");
            assertEquals("nosniff", rejected.header("X-Content-Type-Options").orElse(""),
                    "the security headers of every response");
            assertTrue(third.closedByServer(), "the rejected connection is closed");
            assertEquals(SERVED, get(first).status(), "connections within the limit stay served");
            assertEquals(SERVED, get(second).status(), "connections within the limit stay served");
        }
    }

    @Test
    void otherClientsStayServed() throws IOException {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "limits.max-connections-per-client", "1")));

        try (RawHttpConnection first = openServed(FIRST_CLIENT);
             RawHttpConnection other = RawHttpConnection.openFrom(SECOND_CLIENT, port())) {
            assertEquals(SERVED, get(other).status(), "a client from another address");
            assertEquals(SERVED, get(first).status(), "the first client's own connection");
        }
    }

    @Test
    void closedConnectionIsReleased() throws IOException {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "limits.max-connections-per-client", "1")));

        try (RawHttpConnection first = openServed(FIRST_CLIENT)) {
            assertEquals(1, server.gate().openConnections(FIRST_CLIENT), "counted connections");
        }
        LoopbackServer.await(() -> server.gate().openConnections(FIRST_CLIENT) == 0,
                Duration.ofSeconds(10), "the closed connection to be released");

        try (RawHttpConnection next = RawHttpConnection.openFrom(FIRST_CLIENT, port())) {
            assertEquals(SERVED, get(next).status(), "a new connection after the first closed");
        }
    }

    @Test
    void totalLimitGives503() throws IOException {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "limits.max-connections", "2",
                "limits.max-connections-per-client", "10")));

        try (RawHttpConnection first = openServed(FIRST_CLIENT);
             RawHttpConnection second = openServed(SECOND_CLIENT);
             RawHttpConnection third = RawHttpConnection.openFrom(SECOND_CLIENT, port())) {
            Response rejected = get(third);

            assertEquals(503, rejected.status(), "a connection over max-connections");
            assertEquals("1", rejected.header("Retry-After").orElse(""), "Retry-After");
            assertTrue(third.closedByServer(), "the rejected connection is closed");
            assertEquals(2, server.gate().openConnections(),
                    "rejected connections are not counted");
        }
    }

    @Test
    void rejectedHeadRequestHasNoBody() throws IOException {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "limits.max-connections-per-client", "1")));

        try (RawHttpConnection first = openServed(FIRST_CLIENT);
             RawHttpConnection second = RawHttpConnection.openFrom(FIRST_CLIENT, port())) {
            second.send(keepAliveHead("HEAD"));
            Response rejected = second.readResponse();

            assertEquals(429, rejected.status(), "HEAD over the limit");
            assertTrue(second.closedByServer(), "no body follows, and the connection closes");
        }
    }

    @Test
    void connectionsWithinLimitStayOpen() throws IOException {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "limits.max-connections-per-client", "3")));

        try (RawHttpConnection first = openServed(FIRST_CLIENT);
             RawHttpConnection second = openServed(FIRST_CLIENT);
             RawHttpConnection third = openServed(FIRST_CLIENT)) {
            assertEquals(3, server.gate().openConnections(FIRST_CLIENT), "counted connections");
            assertFalse(third.closedByServer(), "the third connection stays open");
        }
    }

    @Test
    void silentConnectionIsCounted() throws IOException {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "limits.max-connections-per-client", "1")));

        try (RawHttpConnection silent = RawHttpConnection.openFrom(FIRST_CLIENT, port())) {
            // The second connection opens only once the first is counted, so that the server
            // cannot accept them in the other order.
            LoopbackServer.await(() -> server.gate().openConnections(FIRST_CLIENT) == 1,
                    Duration.ofSeconds(10), "the silent connection to be counted");

            try (RawHttpConnection second = RawHttpConnection.openFrom(FIRST_CLIENT, port())) {
                assertEquals(429, get(second).status(), "a connection next to a silent one");
            }
        }
    }

    @Test
    void rejectedConnectionsWaitingPerClientAreBounded() throws IOException {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "limits.max-connections-per-client", "1")));
        List<RawHttpConnection> pending = new ArrayList<>();

        try (RawHttpConnection admitted = openServed(FIRST_CLIENT)) {
            for (int i = 0; i < ConnectionGate.MAX_PENDING_REJECTIONS; i++) {
                pending.add(RawHttpConnection.openFrom(FIRST_CLIENT, port()));
            }
            LoopbackServer.await(() -> server.gate().pendingRejections(FIRST_CLIENT)
                    == ConnectionGate.MAX_PENDING_REJECTIONS, Duration.ofSeconds(10),
                    "the silent rejected connections to be counted");

            try (RawHttpConnection dropped = RawHttpConnection.openFrom(FIRST_CLIENT, port())) {
                assertTrue(dropped.closedByServer(), "one more is closed at once");
            }
            assertEquals(SERVED, get(admitted).status(), "the admitted connection");
        } finally {
            for (RawHttpConnection connection : pending) {
                connection.close();
            }
        }
    }

    @Test
    void slowRequestHeadIsClosed() throws IOException {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "limits.request-head-timeout", "PT1S")));

        try (RawHttpConnection slow = RawHttpConnection.openFrom(FIRST_CLIENT, port())) {
            slow.send("GET " + LoopbackServer.MOUNT_PATH + "/missing HTTP/1.1\r\nHost: lo");

            assertTrue(slow.closedByServer(), "a head unfinished after the timeout is closed");
        }
        LoopbackServer.await(() -> server.gate().openConnections(FIRST_CLIENT) == 0,
                Duration.ofSeconds(10), "the closed connection to be released");
    }

    @Test
    void idleConnectionIsClosedAfterTheHeadTimeout() throws IOException {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "limits.request-head-timeout", "PT1S")));

        try (RawHttpConnection idle = openServed(FIRST_CLIENT)) {
            assertTrue(idle.closedByServer(), "a kept-alive connection idle past the timeout");
        }
    }

    @Test
    void longRequestOutlastsTheHeadTimeout() throws IOException {
        server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "limits.request-head-timeout", "PT1S",
                "long-poll-timeout", "PT3S")));
        server.put("waiting", "Content-Type", "text/plain");

        try (RawHttpConnection connection = RawHttpConnection.openFrom(FIRST_CLIENT, port())) {
            connection.send("GET " + LoopbackServer.MOUNT_PATH + "/waiting?offset=-1&live=long-poll"
                    + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

            assertEquals(204, connection.readResponse().status(),
                    "a long-poll of 3 s on a connection with a 1 s head timeout");
        }
    }

    /** Opens a connection and checks that a request on it is served. */
    private RawHttpConnection openServed(InetAddress client) throws IOException {
        RawHttpConnection connection = RawHttpConnection.openFrom(client, port());
        Response response = get(connection);
        assertEquals(SERVED, response.status(), "a connection within the limits");
        return connection;
    }

    /**
     * Asks for a stream that does not exist, keeping the connection open, and reads the whole
     * response: 404 when the connection is served.
     */
    private static Response get(RawHttpConnection connection) throws IOException {
        connection.send(keepAliveHead("GET"));
        Response response = connection.readResponse();
        return new Response(response.status(), response.headers(),
                new ByteArrayInputStream(response.body().readAllBytes()));
    }

    private static String keepAliveHead(String method) {
        return method + " " + LoopbackServer.MOUNT_PATH + "/missing HTTP/1.1\r\n"
                + "Host: localhost\r\n\r\n";
    }

    private static String text(Response response) throws IOException {
        return new String(response.body().readAllBytes(), UTF_8);
    }

    private int port() {
        return server.server().port();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
