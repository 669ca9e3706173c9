package io.durablestreams.config;

import java.time.Duration;
import java.util.Map;

import io.durablestreams.store.Durability;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Reading settings from configuration, and the errors that stop start-up. */
class ServerSettingsTest {

    @Test
    void emptyConfigurationGivesDefaults() {
        ServerSettings settings = ServerSettings.from(Config.empty());

        assertEquals(ServerSettings.defaults(), settings, "every key at its default");
    }

    @Test
    void chunkSizeStaysWithinOneMebibyte() {
        ServerSettings defaults = ServerSettings.defaults();
        ServerSettings small = read(Map.of("max-read-bytes", "4096"));

        assertEquals(16 * 1024 * 1024, defaults.maxReadBytes(), "default max read bytes");
        assertEquals(1024 * 1024, defaults.maxChunkBytes(), "default chunk size");
        assertEquals(4096, small.maxChunkBytes(), "chunk size below max-read-bytes");
    }

    @Test
    void configuredValuesAreRead() {
        ServerSettings settings = read(Map.of(
                "long-poll-timeout", "PT0.5S",
                "max-read-bytes", "4096",
                "storage.type", "memory",
                "storage.durability", "interval",
                "limits.max-streams", "10",
                "limits.max-connections-per-client", "7",
                "limits.max-header-bytes", "4096"));

        assertEquals(Duration.ofMillis(500), settings.longPollTimeout(), "long-poll timeout");
        assertEquals(4096, settings.maxReadBytes(), "max read bytes");
        assertEquals(StorageSettings.MEMORY, settings.storage().type(), "storage type");
        assertEquals(Durability.INTERVAL, settings.storage().durability(), "durability");
        assertEquals(10, settings.security().maxStreams(), "max streams");
        assertEquals(7, settings.security().connections().maxConnectionsPerClient(),
                "max connections per client");
        assertEquals(4096, settings.security().connections().maxHeaderBytes(), "max header bytes");
        assertEquals(ConnectionLimits.defaults().maxConnections(),
                settings.security().connections().maxConnections(), "max connections default");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "long-pol-timeout|PT1S|durable-streams.long-pol-timeout",
            "storage.kind|file|durable-streams.storage.kind",
            "limits.max-stream|5|durable-streams.limits.max-stream",
            "auth.tokens|x|durable-streams.auth.tokens"})
    void unknownKeyStopsStartUp(String key, String value, String named) {
        var e = assertThrows(IllegalArgumentException.class, () -> read(Map.of(key, value)));

        assertThat("the message names the key", e.getMessage(), containsString(named));
        assertThat("the message lists accepted keys", e.getMessage(),
                containsString("accepted keys"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "long-poll-timeout|5s|long-poll-timeout",
            "long-poll-timeout|PT0S|long-poll-timeout",
            "max-append-bytes|lots|max-append-bytes",
            "max-read-bytes|0|max-read-bytes",
            "mount-path|v1/stream|mount-path",
            "storage.type|disk|storage.type",
            "storage.durability|sometimes|fsync, interval and none",
            "storage.segment-bytes|10|segment-bytes",
            "rate-limit.key|user|rate-limit.key",
            "auth.write-tokens.0|short|at least 16 characters",
            "limits.max-live-readers|0|max-live-readers",
            "limits.max-connections|0|max-connections",
            "limits.max-connections-per-client|-1|max-connections-per-client",
            "limits.max-request-line-bytes|100|max-request-line-bytes",
            "limits.max-header-bytes|3000000000|max-header-bytes"})
    void invalidValueStopsStartUp(String key, String value, String named) {
        var e = assertThrows(IllegalArgumentException.class, () -> read(Map.of(key, value)));

        assertThat("the message names the key or the accepted values", e.getMessage(),
                containsString(named));
    }

    @Test
    void tokenValueIsNotEchoedInErrors() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> read(Map.of("auth.read-tokens.0", "secret-ish")));

        assertThat("the secret stays out of the message", e.getMessage(),
                not(containsString("secret-ish")));
    }

    private static ServerSettings read(Map<String, String> values) {
        return ServerSettings.from(Config.just(ConfigSources.create(values)));
    }
}
