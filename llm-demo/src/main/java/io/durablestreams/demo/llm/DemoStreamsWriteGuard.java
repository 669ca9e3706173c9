package io.durablestreams.demo.llm;

import java.util.Objects;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Keeps the demo's own streams read-only over HTTP: only the server writes conversations and
 * answers, so PUT, POST and DELETE below {@code {mount}/llm-demo/} get 405. Other stream paths
 * keep the full protocol.
 *
 * <p>The check uses the decoded path, so percent-encoding a character of the prefix does not
 * get around it.
 */
final class DemoStreamsWriteGuard implements Filter {

    private final String prefix;

    /**
     * Creates the filter.
     *
     * @param mountPath the protocol's mount path, for example {@code /v1/stream}
     */
    DemoStreamsWriteGuard(String mountPath) {
        this.prefix = Objects.requireNonNull(mountPath, "mountPath") + "/"
                + Conversations.ROOT + "/";
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Method method = req.prologue().method();
        boolean write = method.equals(Method.PUT) || method.equals(Method.POST)
                || method.equals(Method.DELETE);
        if (write && req.path().path().startsWith(prefix)) {
            res.status(Status.METHOD_NOT_ALLOWED_405);
            res.header(HeaderNames.ALLOW, "GET, HEAD, OPTIONS");
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.send("Streams below " + prefix + " are written by the LLM demo only; read them"
                    + " with GET");
            return;
        }
        chain.proceed();
    }
}
