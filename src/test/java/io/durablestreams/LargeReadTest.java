package io.durablestreams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;

import io.durablestreams.api.DurableStreams;
import io.durablestreams.api.StreamOptions;
import io.durablestreams.config.ServerSettings;
import io.durablestreams.http.ProtocolHeaders;
import io.durablestreams.store.Offsets;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Catch-up reads larger than one storage piece, over a real socket: with the default
 * {@code max-read-bytes}, a 10 MiB stream comes back in one response with a
 * {@code Content-Length}, byte for byte, from both stores.
 */
class LargeReadTest {

    private static final int APPEND_BYTES = 64 * 1024;
    private static final int STREAM_BYTES = 10 * 1024 * 1024;

    @TempDir
    Path dataDir;

    private DurableStreams streams;
    private WebServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop();
        }
        if (streams != null) {
            streams.close();
        }
    }

    @ParameterizedTest(name = "{0} store")
    @ValueSource(strings = {"memory", "file"})
    void binaryStreamReadInOneResponse(String storage) throws IOException {
        start(storage);
        streams.create("large/binary", StreamOptions.of("application/octet-stream"));
        ByteArrayOutputStream appended = new ByteArrayOutputStream();
        for (int i = 0; appended.size() < STREAM_BYTES; i++) {
            byte[] data = new byte[APPEND_BYTES];
            for (int j = 0; j < data.length; j++) {
                data[j] = (byte) (i * 7 + j);
            }
            streams.append("large/binary", data);
            appended.writeBytes(data);
        }

        RawHttpConnection.Response response = read("large/binary");

        assertEquals(200, response.status(), "status");
        assertEquals(String.valueOf(STREAM_BYTES), response.header("Content-Length").orElse(""),
                "Content-Length of the whole stream");
        assertTrue(response.header("Transfer-Encoding").isEmpty(), "no chunked encoding");
        assertEquals("true", response.header(ProtocolHeaders.STREAM_UP_TO_DATE.defaultCase()).orElse(""),
                "one response reaches the tail");
        assertEquals(Offsets.format(STREAM_BYTES),
                response.header(ProtocolHeaders.STREAM_NEXT_OFFSET.defaultCase()).orElse(""),
                "Stream-Next-Offset is the tail");
        assertArrayEquals(appended.toByteArray(), response.body().readAllBytes(),
                "the body is every appended byte in order");
    }

    @ParameterizedTest(name = "{0} store")
    @ValueSource(strings = {"memory", "file"})
    void jsonStreamReadInOneResponse(String storage) throws IOException {
        start(storage);
        streams.create("large/json", StreamOptions.of("application/json"));
        StringJoiner expected = new StringJoiner(",", "[", "]");
        int stored = 0;
        for (int batch = 0; stored < STREAM_BYTES; batch++) {
            StringJoiner array = new StringJoiner(",", "[", "]");
            for (int i = 0; i < 500; i++) {
                String message = "{\"batch\":" + batch + ",\"i\":" + i + ",\"text\":\""
                        + "x".repeat(200) + "\"}";
                array.add(message);
                expected.add(message);
                stored += message.length() + 1;
            }
            streams.append("large/json", array.toString());
        }

        RawHttpConnection.Response response = read("large/json");
        byte[] body = response.body().readAllBytes();

        assertEquals(200, response.status(), "status");
        assertEquals("true", response.header(ProtocolHeaders.STREAM_UP_TO_DATE.defaultCase()).orElse(""),
                "one response reaches the tail");
        assertEquals(String.valueOf(body.length), response.header("Content-Length").orElse(""),
                "Content-Length matches the body");
        assertEquals(expected.toString(), new String(body, UTF_8),
                "the body is one JSON array of every message in order");
    }

    private void start(String storage) {
        Map<String, String> values = new HashMap<>();
        values.put("mount-path", LoopbackServer.MOUNT_PATH);
        values.put("storage.type", storage);
        values.put("storage.directory", dataDir.toString());
        values.put("storage.durability", "none");
        ServerSettings settings = ServerSettings.from(Config.just(ConfigSources.create(values)));
        streams = DurableStreams.create(settings);
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .shutdownHook(false)
                .routing(routing -> streams.mount(routing, LoopbackServer.MOUNT_PATH))
                .build()
                .start();
    }

    private RawHttpConnection.Response read(String path) throws IOException {
        return RawHttpConnection.exchange(server.port(), RawHttpConnection.head("GET",
                LoopbackServer.MOUNT_PATH + "/" + path + "?offset=-1"), new byte[0]);
    }
}
