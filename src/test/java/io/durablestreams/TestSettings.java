package io.durablestreams;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.durablestreams.config.ServerSettings;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * Server settings for tests: the default mount path, the memory store, and the timeouts, size
 * limits or CORS origins each test class needs.
 *
 * <p>Settings are read from configuration keys rather than built with the record constructor,
 * so that settings added to the server later keep their defaults here.
 */
final class TestSettings {

    /** Mount path of every test server. */
    static final String MOUNT_PATH = "/v1/stream";

    private TestSettings() {
    }

    /**
     * Returns settings with a long-poll timeout and an SSE reconnect interval, and the default
     * size limits.
     *
     * @param longPollTimeout how long a long-poll waits before 204
     * @param sseReconnectInterval how long an SSE response stays open
     * @return the settings
     */
    static ServerSettings withTimeouts(Duration longPollTimeout, Duration sseReconnectInterval) {
        return fromConfig(timeouts(longPollTimeout, sseReconnectInterval));
    }

    /**
     * Returns settings with the given timeouts and size limits.
     *
     * @param longPollTimeout how long a long-poll waits before 204
     * @param sseReconnectInterval how long an SSE response stays open
     * @param maxAppendBytes maximum accepted request body size
     * @param maxReadBytes maximum catch-up response chunk size
     * @return the settings
     */
    static ServerSettings with(Duration longPollTimeout, Duration sseReconnectInterval,
                               long maxAppendBytes, int maxReadBytes) {
        Map<String, String> values = timeouts(longPollTimeout, sseReconnectInterval);
        values.put("max-append-bytes", Long.toString(maxAppendBytes));
        values.put("max-read-bytes", Integer.toString(maxReadBytes));
        return fromConfig(values);
    }

    /**
     * Returns settings with the default timeouts and limits that let browsers read responses
     * only from the given origins.
     *
     * @param corsAllowedOrigins the allowed origins
     * @return the settings
     */
    static ServerSettings withCorsOrigins(List<String> corsAllowedOrigins) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < corsAllowedOrigins.size(); i++) {
            values.put("cors.allowed-origins." + i, corsAllowedOrigins.get(i));
        }
        return fromConfig(values);
    }

    private static Map<String, String> timeouts(Duration longPollTimeout,
                                                Duration sseReconnectInterval) {
        Map<String, String> values = new HashMap<>();
        values.put("long-poll-timeout", longPollTimeout.toString());
        values.put("sse-reconnect-interval", sseReconnectInterval.toString());
        return values;
    }

    private static ServerSettings fromConfig(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(values);
        all.put("mount-path", MOUNT_PATH);
        all.put("storage.type", "memory");
        return ServerSettings.from(Config.just(ConfigSources.create(all)));
    }
}
