package io.durablestreams.security;

import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.Method;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Requires bearer tokens from configuration: read tokens allow reads, write tokens allow reads
 * and writes. Reads are open while no read token is configured; writes are open only while no
 * token at all is configured.
 *
 * <p>Thread-safety: immutable. Tokens are compared in constant time and never logged.
 */
public final class TokenAccessPolicy implements AccessPolicy {

    private static final String BEARER = "bearer ";

    private final List<byte[]> readTokens;
    private final List<byte[]> writeTokens;

    /**
     * Creates the policy.
     *
     * @param readTokens tokens that allow reading
     * @param writeTokens tokens that allow reading and writing
     */
    public TokenAccessPolicy(List<String> readTokens, List<String> writeTokens) {
        this.readTokens = readTokens.stream().map(t -> t.getBytes(UTF_8)).toList();
        this.writeTokens = writeTokens.stream().map(t -> t.getBytes(UTF_8)).toList();
    }

    /**
     * Tells whether a header carries one of the configured tokens, for rate limits keyed by
     * token: unknown tokens must not each get a fresh quota.
     *
     * @param headers the request headers
     * @return true for a configured read or write token
     */
    public boolean hasKnownToken(Headers headers) {
        Optional<byte[]> token = bearerToken(headers);
        return token.isPresent()
                && (matches(token.get(), readTokens) || matches(token.get(), writeTokens));
    }

    /**
     * Returns a hash of the request's bearer token, so that callers can key data by token
     * without holding the token itself.
     *
     * @param headers the request headers
     * @return a hex SHA-256 prefix of the token, or an empty string without a token
     */
    public String tokenHash(Headers headers) {
        Optional<byte[]> token = bearerToken(headers);
        if (token.isEmpty()) {
            return "";
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.get());
            return java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    /**
     * Tells whether any token is configured, so the policy restricts anything.
     *
     * @return true when reads or writes need a token
     */
    public boolean isEnabled() {
        return !readTokens.isEmpty() || !writeTokens.isEmpty();
    }

    @Override
    public Decision decide(Method method, String streamPath, Headers headers) {
        boolean write = AccessPolicy.isWrite(method);
        // Writes are open only while no token at all is configured: a server that protects
        // its reads must not leave writes open by accident.
        boolean open = write ? !isEnabled() : readTokens.isEmpty();
        if (open) {
            return Decision.ALLOW;
        }
        Optional<byte[]> token = bearerToken(headers);
        if (token.isEmpty()) {
            return Decision.UNAUTHENTICATED;
        }
        boolean writer = matches(token.get(), writeTokens);
        boolean reader = matches(token.get(), readTokens);
        if (writer || (!write && reader)) {
            return Decision.ALLOW;
        }
        // A valid read token on a write is a lack of rights; an unknown token is no identity.
        return reader ? Decision.FORBIDDEN : Decision.UNAUTHENTICATED;
    }

    private static Optional<byte[]> bearerToken(Headers headers) {
        Optional<String> authorization = headers.first(HeaderNames.AUTHORIZATION);
        if (authorization.isEmpty() || authorization.get().length() <= BEARER.length()
                || !authorization.get().regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        return Optional.of(authorization.get().substring(BEARER.length()).strip()
                .getBytes(UTF_8));
    }

    private static boolean matches(byte[] token, List<byte[]> allowed) {
        boolean found = false;
        for (byte[] candidate : allowed) {
            // Check every candidate, so timing does not reveal which one matched.
            found |= MessageDigest.isEqual(token, candidate);
        }
        return found;
    }
}
