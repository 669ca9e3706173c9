package io.durablestreams.security;

import java.util.List;

import io.durablestreams.security.AccessPolicy.Decision;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.Method;
import io.helidon.http.WritableHeaders;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decisions of the bearer-token policy: read tokens allow GET and HEAD, write tokens allow
 * every method, and each kind of operation is open while no token of its kind is configured.
 */
class TokenAccessPolicyTest {

    private static final String READ_TOKEN = "read-token-0123456789";
    private static final String WRITE_TOKEN = "write-token-0123456789";
    private static final String OTHER_READ_TOKEN = "read-token-abcdefghij";
    private static final String STREAM = "chat/room-1";

    private static final List<Method> READS = List.of(Method.GET, Method.HEAD);
    private static final List<Method> WRITES = List.of(Method.PUT, Method.POST, Method.DELETE);

    private final TokenAccessPolicy bothKinds = new TokenAccessPolicy(
            List.of(READ_TOKEN, OTHER_READ_TOKEN), List.of(WRITE_TOKEN));

    @Test
    void readTokenAllowsReads() {
        for (Method method : READS) {
            assertEquals(Decision.ALLOW, decide(bothKinds, method, bearer(READ_TOKEN)),
                    "a read token must allow " + method.text());
        }
    }

    @Test
    void everyConfiguredReadTokenAllowsReads() {
        assertEquals(Decision.ALLOW, decide(bothKinds, Method.GET, bearer(OTHER_READ_TOKEN)),
                "the second configured read token must allow GET");
    }

    @Test
    void readTokenOnWriteIsForbidden() {
        for (Method method : WRITES) {
            assertEquals(Decision.FORBIDDEN, decide(bothKinds, method, bearer(READ_TOKEN)),
                    "a valid read token on " + method.text() + " must be FORBIDDEN (403),"
                            + " not UNAUTHENTICATED");
        }
    }

    @Test
    void writeTokenAllowsReadsAndWrites() {
        for (Method method : List.of(Method.GET, Method.HEAD, Method.PUT, Method.POST,
                Method.DELETE)) {
            assertEquals(Decision.ALLOW, decide(bothKinds, method, bearer(WRITE_TOKEN)),
                    "a write token must allow " + method.text());
        }
    }

    @Test
    void missingTokenIsUnauthenticated() {
        for (Method method : List.of(Method.GET, Method.PUT, Method.POST, Method.DELETE)) {
            assertEquals(Decision.UNAUTHENTICATED,
                    decide(bothKinds, method, WritableHeaders.create()),
                    method.text() + " without Authorization must be UNAUTHENTICATED");
        }
    }

    @Test
    void unknownTokenIsUnauthenticated() {
        String unknown = "unknown-token-0123456789";
        assertEquals(Decision.UNAUTHENTICATED, decide(bothKinds, Method.GET, bearer(unknown)),
                "an unknown token on GET must be UNAUTHENTICATED");
        assertEquals(Decision.UNAUTHENTICATED, decide(bothKinds, Method.POST, bearer(unknown)),
                "an unknown token on POST must be UNAUTHENTICATED, not FORBIDDEN");
    }

    @Test
    void prefixOfValidTokenIsUnauthenticated() {
        String prefix = WRITE_TOKEN.substring(0, WRITE_TOKEN.length() - 1);
        String extended = WRITE_TOKEN + "x";

        assertEquals(Decision.UNAUTHENTICATED, decide(bothKinds, Method.POST, bearer(prefix)),
                "a token missing the last character of a write token must not match it");
        assertEquals(Decision.UNAUTHENTICATED, decide(bothKinds, Method.POST, bearer(extended)),
                "a token with a character appended to a write token must not match it");
    }

    @ParameterizedTest(name = "scheme spelled {0}")
    @ValueSource(strings = {"Bearer", "bearer", "BEARER", "bEaReR"})
    void bearerSchemeIsCaseInsensitive(String scheme) {
        Headers headers = authorization(scheme + " " + WRITE_TOKEN);

        assertEquals(Decision.ALLOW, decide(bothKinds, Method.POST, headers),
                "the auth scheme '" + scheme + "' must be accepted like 'Bearer'");
    }

    @ParameterizedTest(name = "Authorization: \"{0}\"")
    @ValueSource(strings = {"", "Bearer", "Bearer ", "Basic " + WRITE_TOKEN,
            "Token " + WRITE_TOKEN, WRITE_TOKEN, "Bearer" + WRITE_TOKEN})
    void malformedAuthorizationIsUnauthenticated(String value) {
        assertEquals(Decision.UNAUTHENTICATED,
                decide(bothKinds, Method.POST, authorization(value)),
                "Authorization '" + value + "' carries no bearer token, so it must be"
                        + " UNAUTHENTICATED");
    }

    @Test
    void whitespaceAroundTokenIsIgnored() {
        Headers headers = authorization("Bearer   " + WRITE_TOKEN + "  ");

        assertEquals(Decision.ALLOW, decide(bothKinds, Method.POST, headers),
                "spaces around the token must not make a valid token unknown");
    }

    @Test
    void readsOpenWithWriteTokensOnly() {
        TokenAccessPolicy writeOnly = new TokenAccessPolicy(List.of(), List.of(WRITE_TOKEN));

        for (Method method : READS) {
            assertEquals(Decision.ALLOW,
                    decide(writeOnly, method, WritableHeaders.create()),
                    method.text() + " without a token must be allowed when no read token is"
                            + " configured");
        }
        for (Method method : WRITES) {
            assertEquals(Decision.UNAUTHENTICATED,
                    decide(writeOnly, method, WritableHeaders.create()),
                    method.text() + " without a token must be UNAUTHENTICATED when write"
                            + " tokens are configured");
        }
        assertEquals(Decision.ALLOW, decide(writeOnly, Method.POST, bearer(WRITE_TOKEN)),
                "the write token must allow POST");
    }

    @Test
    void openReadsIgnoreUnknownToken() {
        TokenAccessPolicy writeOnly = new TokenAccessPolicy(List.of(), List.of(WRITE_TOKEN));

        assertEquals(Decision.ALLOW,
                decide(writeOnly, Method.GET, bearer("unknown-token-0123456789")),
                "an unknown token on an open read must not turn the read into a 401");
    }

    @Test
    void writesClosedWithReadTokensOnly() {
        TokenAccessPolicy readOnly = new TokenAccessPolicy(List.of(READ_TOKEN), List.of());

        assertEquals(Decision.UNAUTHENTICATED,
                decide(readOnly, Method.GET, WritableHeaders.create()),
                "GET without a token must be UNAUTHENTICATED when read tokens are configured");
        assertEquals(Decision.UNAUTHENTICATED,
                decide(readOnly, Method.POST, WritableHeaders.create()),
                "POST without a token must be rejected once any token is configured");
    }

    @Test
    void policyIsEnabledOnlyWithTokens() {
        assertFalse(new TokenAccessPolicy(List.of(), List.of()).isEnabled(),
                "a policy without tokens must report that it restricts nothing");
        assertTrue(new TokenAccessPolicy(List.of(READ_TOKEN), List.of()).isEnabled(),
                "a policy with a read token must report that it is enabled");
        assertTrue(new TokenAccessPolicy(List.of(), List.of(WRITE_TOKEN)).isEnabled(),
                "a policy with a write token must report that it is enabled");
    }

    @Test
    void policyWithoutTokensAllowsEverything() {
        TokenAccessPolicy open = new TokenAccessPolicy(List.of(), List.of());

        for (Method method : List.of(Method.GET, Method.HEAD, Method.PUT, Method.POST,
                Method.DELETE)) {
            assertEquals(Decision.ALLOW, decide(open, method, WritableHeaders.create()),
                    method.text() + " must be allowed when no token is configured");
        }
    }

    private static Decision decide(TokenAccessPolicy policy, Method method, Headers headers) {
        return policy.decide(method, STREAM, headers);
    }

    private static Headers bearer(String token) {
        return authorization("Bearer " + token);
    }

    private static Headers authorization(String value) {
        return WritableHeaders.create().add(HeaderNames.AUTHORIZATION, value);
    }
}
