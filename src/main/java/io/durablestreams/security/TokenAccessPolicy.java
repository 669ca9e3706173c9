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
 * and writes. Reads are open while no read token is configured, and writes while no write token
 * is.
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
        List<byte[]> required = write ? writeTokens : readTokens;
        if (required.isEmpty()) {
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
