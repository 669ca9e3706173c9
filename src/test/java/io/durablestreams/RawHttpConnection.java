package io.durablestreams;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * An HTTP/1.1 connection over a plain socket to a test server on the loopback interface.
 *
 * <p>Tests use it where a regular client would get in the way: request targets that a client
 * would normalise or reject (such as {@code ..}, {@code %2F} or invalid percent escapes), bodies
 * sent with {@code Transfer-Encoding: chunked} by hand, and SSE responses read event by event.
 * Every socket read times out after {@link #READ_TIMEOUT}, so a server that never responds
 * fails the test instead of hanging it.
 *
 * <p>Thread-safety: not thread-safe; one test thread per connection.
 */
final class RawHttpConnection implements AutoCloseable {

    /** Maximum wait for any single read from the server. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttpConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Connects to a server on the loopback interface.
     *
     * @param port the server's port
     * @return the open connection
     * @throws IOException when the connection fails
     */
    static RawHttpConnection open(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(Math.toIntExact(READ_TIMEOUT.toMillis()));
        return new RawHttpConnection(socket);
    }

    /**
     * Connects to a server on the loopback interface from a given local address.
     *
     * @param local the client's address, such as 127.0.0.2
     * @param port the server's port
     * @return the open connection
     * @throws IOException when the connection fails
     */
    static RawHttpConnection openFrom(InetAddress local, int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port, local, 0);
        socket.setSoTimeout(Math.toIntExact(READ_TIMEOUT.toMillis()));
        return new RawHttpConnection(socket);
    }

    /**
     * Sends one request on a new connection and reads the whole response.
     *
     * @param port the server's port
     * @param head the request line and headers, as built by {@link #head}
     * @param body the request body, possibly empty
     * @return the response, with its body read
     * @throws IOException when the exchange fails
     */
    static Response exchange(int port, String head, byte[] body) throws IOException {
        try (RawHttpConnection connection = open(port)) {
            connection.send(head);
            connection.send(body);
            Response response = connection.readResponse();
            byte[] bytes = response.body().readAllBytes();
            return new Response(response.status(), response.headers(),
                    new ByteArrayInputStream(bytes));
        }
    }

    /**
     * Builds a request line and headers with {@code Host} and {@code Connection: close}.
     *
     * @param method the request method
     * @param target the request target, sent exactly as given
     * @param headerLines further header lines, such as {@code Content-Type: text/plain}
     * @return the request head, ending with the blank line
     */
    static String head(String method, String target, String... headerLines) {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: localhost\r\n");
        head.append("Connection: close\r\n");
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        return head.append("\r\n").toString();
    }

    /**
     * Sends text as ISO-8859-1 bytes.
     *
     * @param text request bytes, one char per byte
     * @throws IOException when the write fails
     */
    void send(String text) throws IOException {
        send(text.getBytes(ISO_8859_1));
    }

    /**
     * Sends bytes.
     *
     * @param bytes request bytes
     * @throws IOException when the write fails
     */
    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads a status line and headers. The body stays on the connection, for the test to read
     * as it needs.
     *
     * @return the response, whose body stream is already de-chunked when it was chunked
     * @throws IOException when the read fails or times out
     */
    Response readResponse() throws IOException {
        String statusLine = readLine(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("Invalid HTTP status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        List<String[]> headers = new ArrayList<>();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("Invalid HTTP header line: " + line);
            }
            headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).strip()});
        }
        Response response = new Response(status, headers, InputStream.nullInputStream());
        return new Response(status, headers, bodyStream(response));
    }

    /**
     * Closes the sending side, as a client that stops in the middle of a request body does.
     *
     * @throws IOException when the shutdown fails
     */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /**
     * Reads the status of the next response, or detects that the server closed the connection
     * first.
     *
     * @return the status code, or -1 when the connection ended without a response
     * @throws IOException when the read fails or times out
     */
    int readStatusOrClose() throws IOException {
        in.mark(1);
        if (in.read() < 0) {
            return -1;
        }
        in.reset();
        return readResponse().status();
    }

    /**
     * Tells whether the server has closed the connection: the next read ends the stream
     * instead of timing out. Call it only once the responses expected have been read.
     *
     * @return true when the server closed its side within {@link #READ_TIMEOUT}
     * @throws IOException when the read fails otherwise, as on a reset, which is no clean close
     */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private InputStream bodyStream(Response response) {
        if (response.status() == 204 || response.status() == 304) {
            return InputStream.nullInputStream();
        }
        Optional<String> encoding = response.header("Transfer-Encoding");
        if (encoding.isPresent() && encoding.get().toLowerCase(Locale.ROOT).contains("chunked")) {
            return new ChunkedInputStream(in);
        }
        Optional<String> length = response.header("Content-Length");
        if (length.isPresent()) {
            return new BoundedInputStream(in, Long.parseLong(length.get()));
        }
        return in;
    }

    /** Reads one CRLF-terminated line as ISO-8859-1 text, without the line break. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("Connection closed in the middle of a line: "
                        + line.toString(ISO_8859_1));
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r'
                        ? bytes.length - 1
                        : bytes.length;
                return new String(bytes, 0, length, ISO_8859_1);
            }
            line.write(b);
        }
    }

    /**
     * A response as it arrived.
     *
     * @param status the status code
     * @param headers header name and value pairs, in order
     * @param body the body, already de-chunked
     */
    record Response(int status, List<String[]> headers, InputStream body) {

        /**
         * Returns the first value of a header, matching the name case-insensitively.
         *
         * @param name the header name
         * @return the value, or empty when absent
         */
        Optional<String> header(String name) {
            return headers.stream()
                    .filter(header -> header[0].equalsIgnoreCase(name))
                    .map(header -> header[1])
                    .findFirst();
        }

        /**
         * Reads the rest of the body as UTF-8 text.
         *
         * @return the text
         * @throws IOException when the read fails or times out
         */
        String bodyText() throws IOException {
            return new String(body.readAllBytes(), UTF_8);
        }
    }

    /** The body of a {@code Transfer-Encoding: chunked} response, decoded. */
    private static final class ChunkedInputStream extends InputStream {

        private final InputStream in;
        private long remainingInChunk;
        private boolean finished;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (finished || !startChunkIfNeeded()) {
                return -1;
            }
            int n = in.read(buffer, offset, (int) Math.min(length, remainingInChunk));
            if (n < 0) {
                throw new EOFException("Connection closed inside a chunk");
            }
            remainingInChunk -= n;
            if (remainingInChunk == 0) {
                String end = readLine(in);
                if (!end.isEmpty()) {
                    throw new IOException("Chunk not followed by CRLF: " + end);
                }
            }
            return n;
        }

        /** Starts the next chunk once the current one is used up, and returns false at the end. */
        private boolean startChunkIfNeeded() throws IOException {
            if (remainingInChunk > 0) {
                return true;
            }
            String sizeLine = readLine(in);
            int extension = sizeLine.indexOf(';');
            String size = extension < 0 ? sizeLine : sizeLine.substring(0, extension);
            remainingInChunk = Long.parseLong(size.strip(), 16);
            if (remainingInChunk == 0) {
                // Skip trailer fields up to the blank line that ends the message.
                while (!readLine(in).isEmpty()) {
                    continue;
                }
                finished = true;
                return false;
            }
            return true;
        }
    }

    /** The first {@code length} bytes of a stream. */
    private static final class BoundedInputStream extends InputStream {

        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = in.read(buffer, offset, (int) Math.min(length, remaining));
            if (n < 0) {
                throw new EOFException("Connection closed with " + remaining
                        + " body bytes still expected");
            }
            remaining -= n;
            return n;
        }
    }
}
