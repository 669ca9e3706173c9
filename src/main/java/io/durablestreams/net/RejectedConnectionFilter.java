package io.durablestreams.net;

import java.lang.System.Logger.Level;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * A filter that marks on each gated connection when a request head has arrived and when its
 * request has finished, for {@link HeadDeadlines}, and responds to the request of a connection that
 * {@link ConnectionGate} rejected: 429 when its client has too many connections and 503 when the
 * server has, after which the connection closes.
 */
final class RejectedConnectionFilter implements Filter {

    private static final System.Logger LOGGER =
            System.getLogger(RejectedConnectionFilter.class.getName());

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        GatedConnection connection = GatedConnection.current();
        if (connection == null) {
            // A listener without the gate, such as one an application set up itself.
            chain.proceed();
            return;
        }

        connection.requestStarted();
        ConnectionGate.Admission admission = connection.admission();
        if (admission == ConnectionGate.Admission.ADMITTED) {
            try {
                chain.proceed();
            } finally {
                connection.requestFinished();
            }
            return;
        }
        reject(req, res, admission == ConnectionGate.Admission.CLIENT_FULL);
    }

    private static void reject(RoutingRequest req, RoutingResponse res, boolean clientFull) {
        LOGGER.log(Level.DEBUG, () -> "Rejected a connection from " + req.remotePeer().host()
                + ": too many connections " + (clientFull ? "from it" : "in all"));
        res.status(clientFull ? Status.TOO_MANY_REQUESTS_429 : Status.SERVICE_UNAVAILABLE_503);
        res.header(HeaderValues.CONNECTION_CLOSE);
        res.header(HeaderNames.RETRY_AFTER, "1");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        if (req.prologue().method().equals(Method.HEAD)) {
            res.send();
        } else {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.send(clientFull
                    ? "Too many connections from this client; close some and retry\n"
                    : "The server has too many connections open; retry later\n");
        }

        // Helidon keeps a connection open after a response to a request without a body, even
        // with Connection: close. This connection is not counted, so it must not stay open.
        throw new CloseConnectionException("Connection rejected by the connection limits");
    }
}
