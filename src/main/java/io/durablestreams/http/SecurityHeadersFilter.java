package io.durablestreams.http;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Adds browser security and CORS headers to every response, and answers CORS preflight requests.
 *
 * <p>Every response gets {@code X-Content-Type-Options: nosniff} and
 * {@code Cross-Origin-Resource-Policy: cross-origin}. Responses to an allowed origin also expose
 * the protocol's headers, so that browser clients can read offsets, cursors and closure.
 */
public final class SecurityHeadersFilter implements Filter {

    private static final HeaderName CORP = HeaderNames.create("Cross-Origin-Resource-Policy");
    private static final HeaderName ALLOW_ORIGIN =
            HeaderNames.create("Access-Control-Allow-Origin");
    private static final HeaderName ALLOW_METHODS =
            HeaderNames.create("Access-Control-Allow-Methods");
    private static final HeaderName ALLOW_HEADERS =
            HeaderNames.create("Access-Control-Allow-Headers");
    private static final HeaderName EXPOSE_HEADERS =
            HeaderNames.create("Access-Control-Expose-Headers");
    private static final HeaderName MAX_AGE = HeaderNames.create("Access-Control-Max-Age");
    private static final HeaderName REQUEST_METHOD =
            HeaderNames.create("Access-Control-Request-Method");

    private static final String METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
    private static final String REQUEST_HEADERS = String.join(", ", "Content-Type",
            "Authorization", "If-None-Match", "Stream-TTL", "Stream-Expires-At", "Stream-Seq",
            "Stream-Closed", "Producer-Id", "Producer-Epoch", "Producer-Seq",
            "Stream-Forked-From", "Stream-Fork-Offset", "Stream-Fork-Sub-Offset",
            "Stream-Retention-Max-Age", "Stream-Retention-Max-Messages",
            "Stream-Retention-Max-Bytes");
    private static final String RESPONSE_HEADERS = String.join(", ", "Stream-Next-Offset",
            "Stream-Cursor", "Stream-Up-To-Date", "Stream-Closed", "Stream-TTL",
            "Stream-Expires-At", "Producer-Epoch", "Producer-Seq", "Producer-Expected-Seq",
            "Producer-Received-Seq", "stream-sse-data-encoding", "Stream-Earliest-Offset",
            "Stream-Retention-Max-Age", "Stream-Retention-Max-Messages",
            "Stream-Retention-Max-Bytes", "ETag", "Location", "Content-Type");

    private final List<String> allowedOrigins;

    /**
     * Creates the filter.
     *
     * @param allowedOrigins origins allowed to read responses; {@code *} allows any
     */
    public SecurityHeadersFilter(List<String> allowedOrigins) {
        this.allowedOrigins = List.copyOf(Objects.requireNonNull(allowedOrigins));
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(CORP, "cross-origin");

        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        Optional<String> allowed = origin.flatMap(this::allowedOrigin);
        allowed.ifPresent(value -> {
            res.header(ALLOW_ORIGIN, value);
            res.header(EXPOSE_HEADERS, RESPONSE_HEADERS);
            if (!value.equals("*")) {
                res.header(HeaderNames.VARY, "Origin");
            }
        });

        boolean preflight = req.prologue().method().equals(Method.OPTIONS)
                && req.headers().contains(REQUEST_METHOD);
        if (preflight) {
            res.header(ALLOW_METHODS, METHODS);
            res.header(ALLOW_HEADERS, REQUEST_HEADERS);
            res.header(MAX_AGE, "86400");
            res.status(Status.NO_CONTENT_204);
            res.send();
            return;
        }
        chain.proceed();
    }

    private Optional<String> allowedOrigin(String origin) {
        if (allowedOrigins.contains("*")) {
            return Optional.of("*");
        }
        return allowedOrigins.contains(origin) ? Optional.of(origin) : Optional.empty();
    }
}
