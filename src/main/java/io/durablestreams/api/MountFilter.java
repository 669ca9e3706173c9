package io.durablestreams.api;

import java.util.Objects;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Applies a filter only to requests at or below a mount path, so that the protocol's CORS and
 * security headers stay off an application's other routes.
 */
final class MountFilter implements Filter {

    private final String mountPath;
    private final Filter delegate;

    /**
     * Creates the filter.
     *
     * @param mountPath the raw path the streams are mounted at, without trailing slash, or
     *        {@code /}
     * @param delegate the filter to apply there
     */
    MountFilter(String mountPath, Filter delegate) {
        this.mountPath = Objects.requireNonNull(mountPath, "mountPath");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (covers(req.path().absolute().rawPath())) {
            delegate.filter(chain, req, res);
        } else {
            chain.proceed();
        }
    }

    /**
     * Tells whether a raw request path lies at or below the mount path.
     *
     * @param rawPath the request's raw absolute path
     * @return true for the mount path itself and every path below it
     */
    boolean covers(String rawPath) {
        return mountPath.equals("/")
                || rawPath.equals(mountPath)
                || rawPath.startsWith(mountPath + "/");
    }
}
