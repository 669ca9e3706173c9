package io.durablestreams.security;

import io.helidon.http.Headers;
import io.helidon.http.Method;

/**
 * Decides whether a request may operate on a stream. Applications that mount the protocol plug
 * in their own policy; the standalone server uses {@link TokenAccessPolicy}.
 *
 * <p>Implementations must be thread-safe and fast: the decision runs on every request.
 */
@FunctionalInterface
public interface AccessPolicy {

    /** Allows every request. */
    AccessPolicy ALLOW_ALL = (method, path, headers) -> Decision.ALLOW;

    /**
     * Decides on one request.
     *
     * @param method the HTTP method
     * @param streamPath the stream path below the mount point
     * @param headers the request headers, for credentials
     * @return the decision
     */
    Decision decide(Method method, String streamPath, Headers headers);

    /**
     * Tells whether a method changes streams (create, append, close, delete, fork) rather than
     * reading them.
     *
     * @param method the HTTP method
     * @return true for PUT, POST and DELETE
     */
    static boolean isWrite(Method method) {
        return method.equals(Method.PUT) || method.equals(Method.POST)
                || method.equals(Method.DELETE);
    }

    /** The outcome of a decision. */
    enum Decision {
        /** The request may proceed. */
        ALLOW,
        /** The request carries no valid credentials (HTTP 401). */
        UNAUTHENTICATED,
        /** The credentials do not grant this operation (HTTP 403). */
        FORBIDDEN
    }
}
