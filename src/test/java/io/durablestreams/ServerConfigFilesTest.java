package io.durablestreams;

import java.nio.file.Path;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server settings of the bundled configuration and of the sample configuration file. */
class ServerConfigFilesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"application.yaml", "etc/durable-streams.yaml"})
    void serverTurnsOffNagle(String file) {
        Config config = Config.just(file.startsWith("etc/")
                ? ConfigSources.file(Path.of(file))
                : ConfigSources.classpath(file));

        WebServerConfig server = WebServer.builder().config(config.get("server"))
                .buildPrototype();

        assertTrue(server.connectionOptions().tcpNoDelay(), "TCP_NODELAY on accepted sockets");
    }
}
