package io.durablestreams.subscriptions;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A rejected subscription request, sent to the client as
 * {@code {"error": {"code": ..., "message": ...}}} with the status it carries.
 *
 * <p>The codes are the ones the reference server of the protocol uses, so that clients can branch
 * on them: {@code INVALID_REQUEST}, {@code SUBSCRIPTION_NOT_FOUND},
 * {@code SUBSCRIPTION_ALREADY_EXISTS}, {@code WEBHOOK_URL_REJECTED}, {@code TOKEN_INVALID},
 * {@code TOKEN_EXPIRED}, {@code FENCED}, {@code ALREADY_CLAIMED}, {@code NO_PENDING_WORK} and
 * {@code INVALID_OFFSET}.
 */
public final class SubscriptionException extends RuntimeException {

    private final int status;
    private final String code;
    private final Map<String, Object> details;

    private SubscriptionException(int status, String code, String message,
                                  Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = Objects.requireNonNull(code, "code");
        this.details = Map.copyOf(details);
    }

    private static SubscriptionException of(int status, String code, String message) {
        return new SubscriptionException(status, code, message, Map.of());
    }

    static SubscriptionException invalidRequest(String message) {
        return of(400, "INVALID_REQUEST", message);
    }

    static SubscriptionException notFound(String id) {
        return of(404, "SUBSCRIPTION_NOT_FOUND", "Subscription " + id + " does not exist");
    }

    static SubscriptionException routeNotFound(String path) {
        return of(404, "SUBSCRIPTION_NOT_FOUND", "No Durable Streams control API at " + path);
    }

    static SubscriptionException alreadyExists(String id) {
        return of(409, "SUBSCRIPTION_ALREADY_EXISTS", "Subscription " + id + " already exists"
                + " with a different configuration; delete it first or use another id");
    }

    static SubscriptionException webhookUrlRejected(String message) {
        return of(400, "WEBHOOK_URL_REJECTED", message);
    }

    static SubscriptionException tokenInvalid(String message) {
        return of(401, "TOKEN_INVALID", message);
    }

    static SubscriptionException tokenExpired() {
        return of(401, "TOKEN_EXPIRED", "Token has expired; claim or wait for a new wake");
    }

    static SubscriptionException fenced(String message) {
        return of(409, "FENCED", message);
    }

    static SubscriptionException alreadyClaimed(String holder, long generation) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("current_holder", holder);
        details.put("generation", generation);
        return new SubscriptionException(409, "ALREADY_CLAIMED", "Worker " + holder
                + " holds the lease of generation " + generation, details);
    }

    static SubscriptionException noPendingWork(String id) {
        return of(409, "NO_PENDING_WORK", "Subscription " + id + " has no pending work");
    }

    static SubscriptionException invalidOffset(String message) {
        return of(409, "INVALID_OFFSET", message);
    }

    static SubscriptionException unauthenticated() {
        return of(401, "UNAUTHORIZED", "Authentication required: send Authorization: Bearer"
                + " <token>");
    }

    static SubscriptionException forbidden(boolean write) {
        return of(403, "FORBIDDEN", "The token does not allow " + (write ? "changing" : "reading")
                + " subscriptions; use a write token");
    }

    static SubscriptionException payloadTooLarge(long maxBytes) {
        return of(413, "INVALID_REQUEST", "Request body is larger than " + maxBytes + " bytes");
    }

    static SubscriptionException methodNotAllowed(String method, String path) {
        return of(405, "INVALID_REQUEST", "Method " + method + " is not supported on " + path);
    }

    /**
     * Returns the HTTP status to send.
     *
     * @return the status code
     */
    public int status() {
        return status;
    }

    /**
     * Returns the machine-readable error code.
     *
     * @return the code, for example {@code FENCED}
     */
    public String code() {
        return code;
    }

    /**
     * Returns the response body.
     *
     * @return {@code {"error": {"code", "message", ...details}}}
     */
    Map<String, Object> body() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", getMessage());
        error.putAll(details);
        return Map.of("error", error);
    }
}
