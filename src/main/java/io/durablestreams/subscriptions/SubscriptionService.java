package io.durablestreams.subscriptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URLDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.durablestreams.security.AccessPolicy;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Serves the reserved {@code __ds} control APIs below the stream root, and passes every other
 * request on to the next service, the stream API. Register it before the stream service at the
 * same path, so that control paths are never read as stream paths.
 *
 * <pre>
 * GET    __ds/jwks.json                         webhook signing keys (JWK Set)
 * PUT    __ds/subscriptions/:id                 create or re-confirm
 * GET    __ds/subscriptions/:id                 read
 * DELETE __ds/subscriptions/:id                 delete (tombstone)
 * POST   __ds/subscriptions/:id/streams         add explicit streams
 * DELETE __ds/subscriptions/:id/streams/:path   remove an explicit stream (path URL-encoded)
 * POST   __ds/subscriptions/:id/callback        webhook callback
 * POST   __ds/subscriptions/:id/claim           pull-wake claim
 * POST   __ds/subscriptions/:id/ack             pull-wake ack or heartbeat
 * POST   __ds/subscriptions/:id/release         pull-wake release
 * </pre>
 *
 * <p>Errors are JSON: {@code {"error": {"code": ..., "message": ...}}}.
 *
 * <p>The access policy of the stream API applies here too: reading a subscription needs read
 * access, and creating, changing, deleting and claiming one need write access, because wakes
 * write to streams and links reveal stream paths. Callbacks, acks and releases are exempt: their
 * {@code Authorization} header carries the subscription's own signed token instead. The JWK Set
 * is public, because webhook receivers fetch it.
 *
 * <p>NOTE: the stream API's rate limiter does not count these requests.
 */
public final class SubscriptionService implements HttpService {

    private static final System.Logger LOGGER =
            System.getLogger(SubscriptionService.class.getName());

    /** Maximum size of a control request body, in bytes. */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    private static final String JWKS_CACHE_CONTROL = "public, max-age=300";

    private final SubscriptionManager manager;
    private final AccessPolicy accessPolicy;

    /**
     * Creates the service, open to every client.
     *
     * @param manager the subscriptions to serve
     */
    public SubscriptionService(SubscriptionManager manager) {
        this(manager, AccessPolicy.ALLOW_ALL);
    }

    /**
     * Creates the service with the stream API's access policy.
     *
     * @param manager the subscriptions to serve
     * @param accessPolicy decides which management requests may proceed
     */
    public SubscriptionService(SubscriptionManager manager, AccessPolicy accessPolicy) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.accessPolicy = Objects.requireNonNull(accessPolicy, "accessPolicy");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        String routed = req.path().path();
        if (!routed.equals("/" + StreamPathSyntax.RESERVED_PREFIX)
                && !routed.startsWith("/" + StreamPathSyntax.RESERVED_PREFIX + "/")) {
            res.next();
            return;
        }
        Method method = req.prologue().method();
        try {
            Route route = Route.of(req);
            LOGGER.log(Level.DEBUG, () -> method.text() + " " + route.describe());
            dispatch(route, method, req, res);
        } catch (SubscriptionException e) {
            LOGGER.log(Level.DEBUG, () -> "Rejected " + method.text() + " " + routed + ": "
                    + e.code() + " " + e.getMessage());
            sendJson(res, Status.create(e.status()), e.body(), "no-store");
        } catch (UncheckedIOException e) {
            LOGGER.log(Level.ERROR, "Saving subscription state failed", e);
            res.header(HeaderNames.RETRY_AFTER, "1");
            sendJson(res, Status.SERVICE_UNAVAILABLE_503, Map.of("error", Map.of(
                    "code", "STORAGE_UNAVAILABLE",
                    "message", "Subscription storage is unavailable; retry later")), "no-store");
        }
    }

    private void dispatch(Route route, Method method, ServerRequest req, ServerResponse res) {
        List<String> segments = route.segments();
        if (segments.size() == 2 && segments.get(1).equals("jwks.json")) {
            requireMethod(method, route, Method.GET);
            sendJson(res, Status.OK_200, manager.jwks(), JWKS_CACHE_CONTROL,
                    "application/jwk-set+json");
            return;
        }
        if (segments.size() < 3 || !segments.get(1).equals("subscriptions")) {
            throw SubscriptionException.routeNotFound(route.describe());
        }
        String id = StreamPathSyntax.checkSubscriptionId(segments.get(2));
        boolean tokenAuthenticated = segments.size() == 4
                && List.of("callback", "ack", "release").contains(segments.get(3));
        if (!tokenAuthenticated) {
            checkAccess(method, route, req, res);
        }
        if (segments.size() == 3) {
            subscription(id, route, method, req, res);
            return;
        }
        String action = segments.get(3);
        if (action.equals("streams")) {
            streams(id, route, method, req, res);
            return;
        }
        if (segments.size() != 4) {
            throw SubscriptionException.routeNotFound(route.describe());
        }
        switch (action) {
            case "callback" -> {
                requireMethod(method, route, Method.POST);
                sendJson(res, Status.OK_200,
                        manager.callback(id, bearerToken(req), readJson(req)), "no-store");
            }
            case "ack" -> {
                requireMethod(method, route, Method.POST);
                sendJson(res, Status.OK_200, manager.ack(id, bearerToken(req), readJson(req)),
                        "no-store");
            }
            case "release" -> {
                requireMethod(method, route, Method.POST);
                manager.release(id, bearerToken(req), readJson(req));
                sendNoContent(res);
            }
            case "claim" -> {
                requireMethod(method, route, Method.POST);
                Object body = readJson(req);
                if (!(body instanceof Map<?, ?> object)) {
                    throw SubscriptionException.invalidRequest("Request body must be a JSON"
                            + " object with a worker");
                }
                String worker = JsonFields.requiredString(object, "worker");
                sendJson(res, Status.OK_200, manager.claim(id, worker), "no-store");
            }
            default -> throw SubscriptionException.routeNotFound(route.describe());
        }
    }

    private void subscription(String id, Route route, Method method, ServerRequest req,
                              ServerResponse res) {
        String baseUrl = baseUrl(req, route);
        if (method.equals(Method.PUT)) {
            SubscriptionConfig config = SubscriptionConfig.fromJson(readJson(req));
            SubscriptionManager.Created result = manager.createOrConfirm(id, config, baseUrl);
            sendJson(res, result.created() ? Status.CREATED_201 : Status.OK_200, result.view(),
                    "no-store");
        } else if (method.equals(Method.GET)) {
            sendJson(res, Status.OK_200, manager.get(id, baseUrl), "no-store");
        } else if (method.equals(Method.DELETE)) {
            manager.delete(id);
            sendNoContent(res);
        } else {
            throw methodNotAllowed(res, method, route, "GET, PUT, DELETE");
        }
    }

    private void streams(String id, Route route, Method method, ServerRequest req,
                         ServerResponse res) {
        List<String> segments = route.segments();
        if (segments.size() == 4) {
            requireMethod(method, route, Method.POST);
            Object body = readJson(req);
            if (!(body instanceof Map<?, ?> object)) {
                throw SubscriptionException.invalidRequest("Request body must be a JSON object"
                        + " with streams");
            }
            manager.addStreams(id, JsonFields.optionalStringList(object, "streams",
                    SubscriptionConfig.MAX_STREAMS));
            sendNoContent(res);
            return;
        }
        requireMethod(method, route, Method.DELETE);
        // The path may arrive URL-encoded in one segment or with its slashes as they are.
        String path = String.join("/", segments.subList(4, segments.size()));
        manager.removeStream(id, StreamPathSyntax.checkStreamPath(path, "stream path"));
        sendNoContent(res);
    }

    private void checkAccess(Method method, Route route, ServerRequest req, ServerResponse res) {
        switch (accessPolicy.decide(method, route.describe(), req.headers())) {
            case ALLOW -> {
            }
            case UNAUTHENTICATED -> {
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
                throw SubscriptionException.unauthenticated();
            }
            case FORBIDDEN -> throw SubscriptionException.forbidden(AccessPolicy.isWrite(method));
        }
    }

    private static void requireMethod(Method method, Route route, Method expected) {
        if (!method.equals(expected)) {
            throw SubscriptionException.methodNotAllowed(method.text(), route.describe());
        }
    }

    private static SubscriptionException methodNotAllowed(ServerResponse res, Method method,
                                                          Route route, String allowed) {
        res.header(HeaderNames.ALLOW, allowed);
        return SubscriptionException.methodNotAllowed(method.text(), route.describe());
    }

    /**
     * Returns the absolute URL of the stream root, from which JWKS and callback URLs are built:
     * the request's scheme and authority and the raw path before {@code __ds}.
     *
     * <p>NOTE: the authority comes from the request's Host header, so behind a proxy that
     * rewrites it, webhook receivers get URLs with the internal host name.
     */
    private static String baseUrl(ServerRequest req, Route route) {
        var uri = req.requestedUri();
        return uri.scheme() + "://" + uri.authority() + route.mountPath();
    }

    /** Returns the bearer token of the {@code Authorization} header. */
    private static String bearerToken(ServerRequest req) {
        String value = req.headers().first(HeaderNames.AUTHORIZATION).orElseThrow(() ->
                SubscriptionException.tokenInvalid("Authorization: Bearer <token> is required"));
        String prefix = "bearer ";
        if (value.length() <= prefix.length()
                || !value.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw SubscriptionException.tokenInvalid("Authorization must use the Bearer scheme");
        }
        return value.substring(prefix.length()).strip();
    }

    private static Object readJson(ServerRequest req) {
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                if (out.size() > MAX_BODY_BYTES) {
                    throw SubscriptionException.payloadTooLarge(MAX_BODY_BYTES);
                }
            }
            body = out.toByteArray();
        } catch (IOException e) {
            throw SubscriptionException.invalidRequest("Reading the request body failed: "
                    + e.getMessage());
        }
        try {
            return Json.parse(body);
        } catch (IllegalArgumentException e) {
            throw SubscriptionException.invalidRequest(e.getMessage());
        }
    }

    private static void sendJson(ServerResponse res, Status status, Map<String, Object> body,
                                 String cacheControl) {
        sendJson(res, status, body, cacheControl, "application/json");
    }

    private static void sendJson(ServerResponse res, Status status, Map<String, Object> body,
                                 String cacheControl, String contentType) {
        res.status(status);
        res.header(HeaderNames.CACHE_CONTROL, cacheControl);
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        res.send(Json.write(body));
    }

    private static void sendNoContent(ServerResponse res) {
        res.status(Status.NO_CONTENT_204);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send();
    }

    /**
     * A control request path split at the {@code __ds} segment.
     *
     * @param mountPath the raw path of the stream root, without trailing slash ({@code ""} at
     *        the server root)
     * @param segments the decoded segments from {@code __ds} on
     */
    record Route(String mountPath, List<String> segments) {

        /**
         * Splits a request path. Helidon's routed path is decoded, so an encoded slash in a
         * segment would be miscounted. The raw path is split instead, after the segments of the
         * registration path.
         */
        static Route of(ServerRequest req) {
            String decodedAbsolute = req.path().absolute().path();
            String routed = req.path().path();
            String mountDecoded = decodedAbsolute.substring(0,
                    Math.max(0, decodedAbsolute.length() - routed.length()));
            int mountSegments = (int) Arrays.stream(mountDecoded.split("/"))
                    .filter(segment -> !segment.isEmpty())
                    .count();
            String raw = req.path().absolute().rawPath();
            String[] rawSegments = raw.split("/", -1);
            // rawSegments[0] is the empty string before the leading slash.
            StringBuilder mount = new StringBuilder();
            for (int i = 1; i <= mountSegments && i < rawSegments.length; i++) {
                mount.append('/').append(rawSegments[i]);
            }
            List<String> segments = new ArrayList<>();
            for (int i = mountSegments + 1; i < rawSegments.length; i++) {
                if (rawSegments[i].isEmpty() && i == rawSegments.length - 1) {
                    continue;
                }
                segments.add(decode(rawSegments[i]));
            }
            return new Route(mount.toString(), segments);
        }

        /** Returns the path from {@code __ds} on, for messages. */
        String describe() {
            return String.join("/", segments);
        }

        private static String decode(String segment) {
            try {
                // URLDecoder also turns '+' into a space, which paths do not do.
                return URLDecoder.decode(segment.replace("+", "%2B"), UTF_8);
            } catch (IllegalArgumentException e) {
                throw SubscriptionException.invalidRequest("Invalid percent-encoding in "
                        + segment);
            }
        }
    }
}
