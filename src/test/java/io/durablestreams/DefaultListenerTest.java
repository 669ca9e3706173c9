package io.durablestreams;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.durablestreams.LoopbackServer.Reply;

import io.helidon.config.Config;
import io.helidon.webserver.WebServerConfig;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The listener settings that the standalone server reads from {@code application.yaml}: they
 * select blocking sockets, and long-polls on such a listener wake on appends and time out.
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
}
