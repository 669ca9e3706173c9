package io.durablestreams;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.util.HashMap;
import java.util.Map;

import io.durablestreams.LoopbackServer.Reply;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rate limits through the server's real routing: after a burst, requests get 429 with
 * {@code Retry-After}, counted per client address or per bearer token.
 *
 * <p>The rate is 0.01 requests per second, so no bucket refills while a test runs and every
 * count below is exact.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RateLimitHttpTest {

    private static final int BURST = 3;
    /** Seconds until one token is back at 0.01 requests per second. */
    private static final int REFILL_SECONDS = 100;

    private static final String TOKEN_A = "writer-a-secret-0123456789";
    private static final String TOKEN_B = "writer-b-secret-0123456789";
    private static final String AUTHORIZATION = "Authorization";
    private static final String CONTENT_TYPE = "Content-Type";
    private static final String TEXT = "text/plain";

    private LoopbackServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void requestAfterBurstGets429WithRetryAfter() {
        server = start("address", Map.of());
        HttpClient first = server.clientFrom(address("127.0.0.1"));

        for (int i = 1; i <= BURST; i++) {
            Reply reply = server.send(first, "HEAD", "s", "", new byte[0]);
            assertNotEquals(429, reply.status(), "request " + i + " of the burst must pass");
        }
        Reply limited = server.send(first, "HEAD", "s", "", new byte[0]);

        assertEquals(429, limited.status(), "the request after a burst of " + BURST
                + " must get 429");
        assertRetryAfter(limited);
    }

    @Test
    void otherAddressHasItsOwnBucket() {
        server = start("address", Map.of());
        HttpClient first = server.clientFrom(address("127.0.0.1"));
        HttpClient second = server.clientFrom(address("127.0.0.2"));
        exhaust(first, "");

        Reply other = server.send(second, "HEAD", "s", "", new byte[0]);

        assertNotEquals(429, other.status(), "a client from 127.0.0.2 must not share the"
                + " bucket that 127.0.0.1 used up");
    }

    @Test
    void limitedAppendStoresNothing() {
        server = start("address", Map.of());
        HttpClient first = server.clientFrom(address("127.0.0.1"));
        HttpClient second = server.clientFrom(address("127.0.0.2"));
        assertEquals(201, server.send(second, "PUT", "s", "", new byte[0],
                CONTENT_TYPE, TEXT).status(), "setup: PUT must create the stream");
        exhaust(first, "");

        Reply limited = server.send(first, "POST", "s", "", "lost".getBytes(),
                CONTENT_TYPE, TEXT);
        Reply read = server.send(second, "GET", "s", "offset=-1", new byte[0]);

        assertEquals(429, limited.status(), "the append after the burst must get 429");
        assertEquals("", read.text(), "an append rejected with 429 must not be stored");
    }

    @Test
    void rateLimitComesBeforeAuthentication() {
        server = start("address", Map.of("auth.write-tokens.0", TOKEN_A));
        for (int i = 0; i < BURST; i++) {
            server.put("s", CONTENT_TYPE, TEXT);
        }

        Reply limited = server.put("s", CONTENT_TYPE, TEXT);

        assertEquals(429, limited.status(), "requests without credentials must use up the"
                + " bucket too, so the request after the burst gets 429, not 401");
        assertRetryAfter(limited);
    }

    @Test
    void tokenKeyGivesEachTokenItsOwnBucket() {
        server = start("token", Map.of(
                "auth.write-tokens.0", TOKEN_A,
                "auth.write-tokens.1", TOKEN_B));
        exhaust(server.clientFrom(address("127.0.0.1")), TOKEN_A);

        Reply limitedA = server.send("HEAD", "s", "", new byte[0],
                AUTHORIZATION, "Bearer " + TOKEN_A);
        Reply otherToken = server.send("HEAD", "s", "", new byte[0],
                AUTHORIZATION, "Bearer " + TOKEN_B);
        Reply noToken = server.send("HEAD", "s", "", new byte[0]);

        assertEquals(429, limitedA.status(), "token A must be limited after its burst");
        assertRetryAfter(limitedA);
        assertNotEquals(429, otherToken.status(), "token B from the same address must have"
                + " its own bucket");
        assertNotEquals(429, noToken.status(), "a request without a token falls back to the"
                + " address, whose bucket token A's requests did not use");
    }

    @Test
    void tokenKeyFallsBackToAddressWithoutToken() {
        server = start("token", Map.of("auth.write-tokens.0", TOKEN_A));
        HttpClient first = server.clientFrom(address("127.0.0.1"));
        HttpClient second = server.clientFrom(address("127.0.0.2"));
        exhaust(first, "");

        Reply limited = server.send(first, "HEAD", "s", "", new byte[0]);
        Reply otherAddress = server.send(second, "HEAD", "s", "", new byte[0]);

        assertEquals(429, limited.status(), "requests without a token must be limited per"
                + " address");
        assertNotEquals(429, otherAddress.status(), "another address without a token must"
                + " have its own bucket");
    }

    @Test
    void inventedTokensDoNotEscapeTheLimit() {
        // Reads are open, so a bearer token on a GET is never checked by the access policy.
        server = start("token", Map.of("auth.write-tokens.0", TOKEN_A));
        assertEquals(201, server.put("s", CONTENT_TYPE, TEXT,
                AUTHORIZATION, "Bearer " + TOKEN_A).status(), "setup: PUT must succeed");

        int passed = 0;
        for (int i = 0; i < 4 * BURST; i++) {
            Reply reply = server.get("s", "", AUTHORIZATION, "Bearer invented-" + i);
            if (reply.status() != 429) {
                passed++;
            }
        }

        assertTrue(passed <= BURST, "a client that sends a new made-up bearer token with every"
                + " request must not get a fresh bucket each time; " + passed + " of "
                + 4 * BURST + " requests passed, but at most the burst of " + BURST + " of its"
                + " address may");
    }

    @Test
    void tokenSpellingVariantsShareOneBucket() {
        server = start("token", Map.of("auth.write-tokens.0", TOKEN_A));
        String[] spellings = {"Bearer " + TOKEN_A, "bearer " + TOKEN_A, "BEARER " + TOKEN_A,
                "Bearer  " + TOKEN_A, "Bearer " + TOKEN_A + " "};

        int passed = 0;
        for (String spelling : spellings) {
            for (int i = 0; i < BURST; i++) {
                Reply reply = server.send("HEAD", "s", "", new byte[0], AUTHORIZATION, spelling);
                if (reply.status() != 429) {
                    passed++;
                }
            }
        }

        assertEquals(BURST, passed, "the access policy accepts all " + spellings.length
                + " spellings as the same token, so together they must get one burst of "
                + BURST + ", not one per spelling");
    }

    private LoopbackServer start(String key, Map<String, String> more) {
        Map<String, String> values = new HashMap<>(more);
        values.put("rate-limit.requests-per-second", "0.01");
        values.put("rate-limit.burst", Integer.toString(BURST));
        values.put("rate-limit.key", key);
        return LoopbackServer.start(LoopbackServer.settings(values));
    }

    /** Sends a burst of HEAD requests, each of which must pass. */
    private void exhaust(HttpClient client, String token) {
        for (int i = 1; i <= BURST; i++) {
            Reply reply = token.isEmpty()
                    ? server.send(client, "HEAD", "s", "", new byte[0])
                    : server.send(client, "HEAD", "s", "", new byte[0],
                            AUTHORIZATION, "Bearer " + token);
            assertNotEquals(429, reply.status(), "setup: request " + i + " of the burst must"
                    + " pass");
        }
    }

    private static void assertRetryAfter(Reply limited) {
        String retryAfter = limited.header("Retry-After");
        assertNotNull(retryAfter, "a 429 must carry Retry-After");
        assertTrue(retryAfter.matches("[1-9][0-9]*"), "Retry-After must be a positive number"
                + " of seconds; got " + retryAfter);
        assertTrue(Integer.parseInt(retryAfter) <= REFILL_SECONDS, "Retry-After must be at"
                + " most the " + REFILL_SECONDS + " s that one token takes to refill; got "
                + retryAfter);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Invalid address literal " + literal, e);
        }
    }
}
