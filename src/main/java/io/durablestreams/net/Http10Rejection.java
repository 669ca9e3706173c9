package io.durablestreams.net;

import java.nio.charset.StandardCharsets;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.webserver.ConnectionContext;

/**
 * The response to an HTTP/1.0 request: 426 Upgrade Required, after which the connection closes.
 * The server relies on HTTP/1.1 features (chunked responses, persistent connections), and a
 * reason in the response helps the client's developer more than a connection closed silently.
 */
final class Http10Rejection {

    private static final String REASON = "HTTP/1.0 is not supported; send the request as"
            + " HTTP/1.1\n";
    private static final byte[] RESPONSE = ("HTTP/1.1 426 Upgrade Required\r\n"
            + "Upgrade: HTTP/1.1\r\n"
            + "Connection: Upgrade, close\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Cache-Control: no-store\r\n"
            + "Content-Length: " + REASON.length() + "\r\n"
            + "\r\n"
            + REASON).getBytes(StandardCharsets.US_ASCII);

    private Http10Rejection() {
    }

    /**
     * Responds to the HTTP/1.0 request waiting on a connection, which closes afterwards.
     *
     * @param ctx the connection
     * @param maxRequestHeadBytes request-head bytes read at most before responding
     */
    static void respond(ConnectionContext ctx, int maxRequestHeadBytes) {
        skipRequestHead(ctx.dataReader(), maxRequestHeadBytes);
        ctx.dataWriter().writeNow(BufferData.create(RESPONSE));
    }

    /**
     * Reads the request line and headers before responding, because closing a socket with unread
     * data makes the operating system send a reset, which can discard the response at the client.
     */
    private static void skipRequestHead(DataReader reader, int maxRequestHeadBytes) {
        int read = 0;
        try {
            while (read < maxRequestHeadBytes) {
                int lineLength = reader.findNewLine(maxRequestHeadBytes - read);
                if (lineLength == maxRequestHeadBytes - read) {
                    return;
                }
                reader.skip(lineLength + 2);
                read += lineLength + 2;
                if (lineLength == 0) {
                    return;
                }
            }
        } catch (DataReader.IncorrectNewLineException
                 | DataReader.InsufficientDataAvailableException e) {
            // A malformed or truncated head still gets the response.
        }
    }
}
