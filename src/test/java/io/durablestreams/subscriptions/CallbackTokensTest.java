package io.durablestreams.subscriptions;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import io.durablestreams.subscriptions.CallbackTokens.Claims;
import io.durablestreams.subscriptions.CallbackTokens.Scope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CallbackTokensTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Claims CLAIMS = new Claims("sub-1", "inc-1", 7, "w_1", Scope.CALLBACK,
            NOW.plus(Duration.ofHours(1)));

    @Test
    void tokenRoundTripsItsClaims() {
        CallbackTokens tokens = CallbackTokens.generate();
        Claims verified = tokens.verify(tokens.issue(CLAIMS), "sub-1", Scope.CALLBACK, NOW);

        assertEquals(CLAIMS, verified);
    }

    @Test
    void tamperedTokenIsInvalid() {
        CallbackTokens tokens = CallbackTokens.generate();
        String token = tokens.issue(CLAIMS);
        String forgedPayload = token.substring(0, token.indexOf('.') + 1)
                + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                        ("{\"sub\":\"sub-1\",\"inc\":\"inc-1\",\"gen\":8,\"wid\":\"w_1\","
                                + "\"scope\":\"callback\",\"exp\":9999999999}").getBytes())
                + token.substring(token.lastIndexOf('.'));

        assertCode("TOKEN_INVALID", () -> tokens.verify(forgedPayload, "sub-1", Scope.CALLBACK,
                NOW));
        assertCode("TOKEN_INVALID", () -> tokens.verify("not-a-token", "sub-1", Scope.CALLBACK,
                NOW));
        assertCode("TOKEN_INVALID", () -> CallbackTokens.generate().verify(token, "sub-1",
                Scope.CALLBACK, NOW));
    }

    @Test
    void tokenIsScopedToSubscriptionAndUse() {
        CallbackTokens tokens = CallbackTokens.generate();
        String token = tokens.issue(CLAIMS);

        assertCode("TOKEN_INVALID", () -> tokens.verify(token, "sub-2", Scope.CALLBACK, NOW));
        assertCode("TOKEN_INVALID", () -> tokens.verify(token, "sub-1", Scope.CLAIM, NOW));
    }

    @Test
    void expiredTokenIsRejected() {
        CallbackTokens tokens = CallbackTokens.generate();
        String token = tokens.issue(CLAIMS);

        assertCode("TOKEN_EXPIRED", () -> tokens.verify(token, "sub-1", Scope.CALLBACK,
                CLAIMS.expiresAt()));
    }

    @Test
    void persistedKeyVerifiesAfterRestart(@TempDir Path keys) {
        String token = CallbackTokens.loadOrCreate(keys).issue(CLAIMS);

        assertEquals(CLAIMS, CallbackTokens.loadOrCreate(keys).verify(token, "sub-1",
                Scope.CALLBACK, NOW));
    }

    private static void assertCode(String code, Runnable call) {
        SubscriptionException e = assertThrows(SubscriptionException.class, call::run);
        assertEquals(code, e.code());
    }
}
