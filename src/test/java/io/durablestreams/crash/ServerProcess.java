package io.durablestreams.crash;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The server under test, run from its packaged jar as a child JVM on 127.0.0.1 with the file
 * store in a given data directory. Its standard output and error go to one log file per start.
 */
final class ServerProcess implements AutoCloseable {

    /** Loopback only: the test sends traffic to no other address. */
    static final String HOST = "127.0.0.1";
    /** Maximum time from process start until the server accepts connections. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** Pause between two readiness probes while the server starts. */
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(25);

    private final Process process;
    private final int port;
    private final Path logFile;

    private ServerProcess(Process process, int port, Path logFile) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
    }

    /**
     * Starts the server on a free loopback port and waits until it accepts requests.
     *
     * @param jar the server jar, with its dependencies in {@code libs/} beside it
     * @param dataDirectory the file store's data directory, reused across restarts
     * @param segmentBytes the segment size, small so that appends roll over to new segments
     * @param logFile where the server's standard output and error go
     * @return the running server
     * @throws IOException when the process cannot be started
     * @throws AssertionError when the server exits or does not accept requests in time
     */
    static ServerProcess start(Path jar, Path dataDirectory, long segmentBytes, Path logFile)
            throws IOException, InterruptedException {
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java,
                "-Xmx256m",
                "-Dserver.host=" + HOST,
                "-Dserver.port=" + port,
                "-Ddurable-streams.storage.type=file",
                "-Ddurable-streams.storage.directory=" + dataDirectory,
                "-Ddurable-streams.storage.durability=fsync",
                "-Ddurable-streams.storage.segment-bytes=" + segmentBytes,
                "-Ddurable-streams.long-poll-timeout=PT1S",
                "-jar", jar.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .start();
        ServerProcess server = new ServerProcess(process, port, logFile);
        try {
            server.awaitReady();
        } catch (RuntimeException | Error | InterruptedException e) {
            server.kill();
            throw e;
        }
        return server;
    }

    /**
     * Returns the base URI of streams, such as {@code http://127.0.0.1:4437/v1/stream/}.
     *
     * @return the URI, ending with a slash
     */
    URI streamsUri() {
        return URI.create("http://" + HOST + ":" + port + "/v1/stream/");
    }

    /**
     * Kills the server with SIGKILL (on Linux), so it gets no chance to sync or clean up, and
     * waits for it to exit.
     */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("Server process " + process.pid()
                    + " did not exit within 10 s of SIGKILL");
        }
    }

    /**
     * Reads the server's log so far.
     *
     * @return its lines
     */
    List<String> logLines() throws IOException {
        return Files.readAllLines(logFile, UTF_8);
    }

    Path logFile() {
        return logFile;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /** Polls until an HTTP request gets any response, the process exits, or time runs out. */
    private void awaitReady() throws IOException, InterruptedException {
        URI probe = streamsUri().resolve("readiness-probe");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build()) {
            while (true) {
                if (!process.isAlive()) {
                    throw new AssertionError("Server exited with status " + process.exitValue()
                            + " while starting; its log " + logFile + ":\n"
                            + String.join("\n", logLines()));
                }
                try {
                    HttpRequest request = HttpRequest.newBuilder(probe)
                            .timeout(Duration.ofSeconds(2))
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                            .build();
                    client.send(request, HttpResponse.BodyHandlers.discarding());
                    return;
                } catch (ConnectException e) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("Server did not accept connections on port "
                                + port + " within " + START_TIMEOUT + "; its log " + logFile
                                + ":\n" + String.join("\n", logLines()), e);
                    }
                    Thread.sleep(PROBE_INTERVAL);
                }
            }
        }
    }

    /** Returns a port that was free a moment ago; the server binds it right after. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }
}
