package io.durablestreams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.durablestreams.LoopbackServer.Reply;
import io.durablestreams.store.StreamStore;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * The listener settings that the standalone server reads from {@code application.yaml}: they
 * select blocking sockets, long-polls on such a listener wake on appends and time out, and a
 * UNIX domain socket listener still serves requests.
 */
class DefaultListenerTest {

    @Test
    void defaultConfigurationSelectsBlockingSockets() {
        WebServerConfig config = Main.serverBuilder(Config.create()).buildPrototype();

        assertThat("server.use-nio of application.yaml", config.useNio(), is(false));
    }

    @Test
    void longPollWakesOnDefaultListener() throws Exception {
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.settings(
                Map.of("long-poll-timeout", "PT30S")))) {
            assertThat("the test server runs the default listener",
                    server.server().prototype().useNio(), is(false));
            String tail = server.put("wake", "Content-Type", "text/plain")
                    .header("Stream-Next-Offset");
            CompletableFuture<Reply> poll = server.getAsync("wake",
                    "offset=" + tail + "&live=long-poll", Duration.ofSeconds(30));
            LoopbackServer.await(() -> server.liveReaders("wake") == 1, Duration.ofSeconds(10),
                    "the long-poll waiting on the stream");

            String newTail = server.post("wake", "new", "Content-Type", "text/plain")
                    .header("Stream-Next-Offset");
            Reply reply = poll.get(10, TimeUnit.SECONDS);

            assertThat("the woken long-poll has data", reply.status(), is(200));
            assertThat("it returns the appended data", reply.text(), is("new"));
            assertThat("Stream-Next-Offset is the new tail",
                    reply.header("Stream-Next-Offset"), is(newTail));
        }
    }

    @Test
    void longPollTimesOutOnDefaultListener() {
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.settings(
                Map.of("long-poll-timeout", "PT0.5S")))) {
            String tail = server.put("idle", "Content-Type", "text/plain")
                    .header("Stream-Next-Offset");

            Reply reply = server.get("idle", "offset=" + tail + "&live=long-poll");

            assertThat("a long-poll without new data", reply.status(), is(204));
            assertThat("Stream-Next-Offset stays at the tail",
                    reply.header("Stream-Next-Offset"), is(tail));
        }
    }

    @Test
    void unixSocketListenerKeepsNio(@TempDir Path directory) throws Exception {
        Path socket = directory.resolve("streams.sock");
        Config config = Config.just(ConfigSources.create(Map.of(
                "server.bind-address", "unix:" + socket,
                "server.use-nio", "false")));
        WebServerConfig.Builder builder = Main.serverBuilder(config);

        assertThat("a UNIX domain socket listener uses NIO", builder.useNio(), is(true));

        StreamStore store = new StreamStore(Clock.systemUTC(), Duration.ofHours(1));
        WebServer server = builder.shutdownHook(false)
                .routing(routing -> Main.routing(routing, store,
                        LoopbackServer.settings(Map.of())))
                .build()
                .start();
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap(("PUT /v1/stream/over-unix HTTP/1.1\r\nHost: local"
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(US_ASCII)));
            assertThat("the server responds over the UNIX domain socket",
                    readResponseHead(channel), startsWith("HTTP/1.1 201"));
        } finally {
            server.stop();
            store.close();
        }
    }

    /**
     * Reads a response up to the blank line after its headers, which is all of a 201 to a PUT
     * without a body. Helidon may keep the connection open, so end of stream is not awaited.
     */
    private static String readResponseHead(SocketChannel channel) throws Exception {
        CompletableFuture<String> head = CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            try {
                while (!received.toString(US_ASCII).contains("\r\n\r\n")
                        && channel.read(buffer) >= 0) {
                    received.write(buffer.array(), 0, buffer.position());
                    buffer.clear();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return received.toString(US_ASCII);
        });
        try {
            return head.get(10, TimeUnit.SECONDS);
        } finally {
            // Unblocks the read when the response did not arrive in time.
            channel.close();
        }
    }
}
