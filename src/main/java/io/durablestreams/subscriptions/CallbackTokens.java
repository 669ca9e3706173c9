package io.durablestreams.subscriptions;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Issues and checks the bearer tokens of webhook callbacks and pull-wake claims.
 *
 * <p>A token is a compact JWT signed with HMAC-SHA256 ({@code HS256}) under a server key. Its
 * claims name the subscription, the subscription's incarnation (so that a deleted and re-created
 * subscription never accepts an old token), the generation and wake it was issued for, what it
 * may be used for, and when it expires. Whether the generation and wake are still current is
 * checked by the caller against subscription state.
 *
 * <p>Thread-safety: immutable; each operation uses its own {@link Mac}.
 */
public final class CallbackTokens {

    /** Name of the key file in the key directory. */
    static final String KEY_FILE = "callback-token-key";

    private static final int KEY_BYTES = 32;
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();
    private static final String HEADER = BASE64URL.encodeToString(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(UTF_8));

    private final SecretKeySpec key;

    private CallbackTokens(byte[] key) {
        if (key.length < KEY_BYTES) {
            throw new IllegalStateException("Callback token key is shorter than " + KEY_BYTES
                    + " bytes");
        }
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /**
     * Returns an issuer with a random key that lives as long as this object.
     *
     * @return the issuer
     */
    public static CallbackTokens generate() {
        return new CallbackTokens(randomKey());
    }

    /**
     * Loads the token key from a directory, generating and saving it there on first use, so that
     * tokens issued before a restart stay valid after it.
     *
     * @param keyDirectory directory of the key file, created when missing
     * @return the issuer
     * @throws java.io.UncheckedIOException when the key file cannot be read or written
     */
    public static CallbackTokens loadOrCreate(Path keyDirectory) {
        return new CallbackTokens(DurableFiles.readOrCreate(keyDirectory.resolve(KEY_FILE),
                CallbackTokens::randomKey));
    }

    /**
     * What a token may be used for.
     */
    enum Scope {
        /** The callback of a webhook wake. */
        CALLBACK("callback"),
        /** The ack and release of a claimed pull-wake. */
        CLAIM("claim");

        private final String claim;

        Scope(String claim) {
            this.claim = claim;
        }
    }

    /**
     * The claims of a token.
     *
     * @param subscriptionId the subscription
     * @param incarnation the subscription incarnation it was issued for
     * @param generation the wake generation
     * @param wakeId the wake
     * @param scope what the token may be used for
     * @param expiresAt when it stops being accepted, in whole seconds
     */
    record Claims(String subscriptionId, String incarnation, long generation, String wakeId,
                  Scope scope, Instant expiresAt) {

        Claims {
            Objects.requireNonNull(subscriptionId, "subscriptionId");
            Objects.requireNonNull(incarnation, "incarnation");
            Objects.requireNonNull(wakeId, "wakeId");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }

    /**
     * Issues a token.
     *
     * @param claims what the token grants
     * @return the compact JWT
     */
    String issue(Claims claims) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("sub", claims.subscriptionId());
        payload.put("inc", claims.incarnation());
        payload.put("gen", claims.generation());
        payload.put("wid", claims.wakeId());
        payload.put("scope", claims.scope().claim);
        payload.put("exp", claims.expiresAt().getEpochSecond());
        String signingInput = HEADER + "." + BASE64URL.encodeToString(Json.write(payload));
        return signingInput + "." + BASE64URL.encodeToString(mac(signingInput));
    }

    /**
     * Checks a token's signature, subscription, scope and expiry.
     *
     * @param token the bearer token
     * @param subscriptionId the subscription of the request
     * @param scope the use of the request
     * @param now the current time
     * @return the claims
     * @throws SubscriptionException {@code TOKEN_INVALID} when the token is malformed, forged or
     *         for another subscription or use; {@code TOKEN_EXPIRED} when it has expired
     */
    Claims verify(String token, String subscriptionId, Scope scope, Instant now) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || !parts[0].equals(HEADER)) {
            throw SubscriptionException.tokenInvalid("Token is not a token this server issued");
        }
        byte[] signature;
        byte[] payloadBytes;
        try {
            signature = BASE64URL_DECODER.decode(parts[2]);
            payloadBytes = BASE64URL_DECODER.decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw SubscriptionException.tokenInvalid("Token is not valid base64url");
        }
        if (!MessageDigest.isEqual(signature, mac(parts[0] + "." + parts[1]))) {
            throw SubscriptionException.tokenInvalid("Token signature is invalid");
        }
        Claims claims = parseClaims(payloadBytes);
        if (!claims.subscriptionId().equals(subscriptionId) || claims.scope() != scope) {
            throw SubscriptionException.tokenInvalid("Token was issued for another subscription"
                    + " or endpoint");
        }
        if (!now.isBefore(claims.expiresAt())) {
            throw SubscriptionException.tokenExpired();
        }
        return claims;
    }

    private static Claims parseClaims(byte[] payloadBytes) {
        try {
            if (!(Json.parse(payloadBytes) instanceof Map<?, ?> payload)) {
                throw new IllegalArgumentException("payload is not an object");
            }
            String scopeName = JsonFields.requiredString(payload, "scope");
            Scope scope = Arrays.stream(Scope.values())
                    .filter(s -> s.claim.equals(scopeName))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown scope"));
            return new Claims(JsonFields.requiredString(payload, "sub"),
                    JsonFields.requiredString(payload, "inc"),
                    JsonFields.optionalLong(payload, "gen").orElseThrow(),
                    JsonFields.requiredString(payload, "wid"),
                    scope,
                    Instant.ofEpochSecond(JsonFields.optionalLong(payload, "exp").orElseThrow()));
        } catch (RuntimeException e) {
            // Only reachable with a valid signature, so with a key that issued other claims.
            throw SubscriptionException.tokenInvalid("Token claims are invalid");
        }
    }

    private byte[] mac(String signingInput) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(signingInput.getBytes(UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Every Java runtime provides " + ALGORITHM, e);
        }
    }

    private static byte[] randomKey() {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return key;
    }
}
