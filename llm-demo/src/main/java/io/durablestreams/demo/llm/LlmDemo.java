package io.durablestreams.demo.llm;

import java.lang.System.Logger.Level;

import io.durablestreams.demo.llm.provider.AnthropicProvider;
import io.durablestreams.demo.llm.provider.ChatApiSettings;
import io.durablestreams.demo.llm.provider.ChatProvider;
import io.durablestreams.demo.llm.provider.DemoProvider;
import io.durablestreams.demo.llm.provider.OpenAiProvider;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;

/**
 * Starts the LLM demo: the page, its JSON API and the Durable Streams protocol on one server.
 */
public final class LlmDemo {

    private static final System.Logger LOGGER = System.getLogger(LlmDemo.class.getName());

    private LlmDemo() {
    }

    /**
     * Starts the demo with configuration from {@code application.yaml}, system properties and
     * environment variables, prints the page's URL, and stops on JVM shutdown.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        DemoSettings settings;
        try {
            settings = DemoSettings.from(config.get(DemoSettings.CONFIG_KEY), System.getenv());
        } catch (IllegalArgumentException e) {
            LOGGER.log(Level.ERROR, "Invalid LLM demo settings: " + e.getMessage());
            System.exit(2);
            return;
        }
        ObjectMapper mapper = new ObjectMapper();
        TokenStreams streams = TokenStreams.create(config.get("durable-streams"), mapper);
        ChatProvider provider = createProvider(settings, mapper);
        LlmDemoApp app = LlmDemoApp.create(settings, streams, provider, mapper);

        WebServer server = WebServer.builder()
                .config(config.get("server"))
                .routing(app::routing)
                .build()
                .start();
        String host = config.get("server.host").asString().orElse("127.0.0.1");
        LOGGER.log(Level.INFO, "LLM demo ready at http://{0}:{1,number,#}/ (provider {2},"
                + " model {3})", host, server.port(), provider.name(), provider.model());

        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            app.close();
            server.stop();
            streams.close();
            LOGGER.log(Level.INFO, "LLM demo stopped");
        }));
    }

    /**
     * Creates the provider the settings choose.
     *
     * @param settings the demo settings
     * @param mapper the JSON mapper
     * @return the provider
     */
    static ChatProvider createProvider(DemoSettings settings, ObjectMapper mapper) {
        return switch (settings.provider()) {
            case DEMO -> new DemoProvider(settings.demoTokensPerSecond(),
                    settings.demoFirstTokenDelay());
            case ANTHROPIC -> new AnthropicProvider(chatApi(settings), mapper);
            case OPENAI -> new OpenAiProvider(chatApi(settings), mapper);
        };
    }

    private static ChatApiSettings chatApi(DemoSettings settings) {
        return settings.chatApi().orElseThrow();
    }
}
