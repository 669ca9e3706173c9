package io.durablestreams.demo.llm;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import io.durablestreams.demo.llm.provider.ChatApiSettings;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DemoSettingsTest {

    private static final String ANTHROPIC_KEY = "sk-ant-secret";
    private static final String OPENAI_KEY = "sk-openai-secret";

    private static Config config(Map<String, String> values) {
        return Config.just(ConfigSources.create(values));
    }

    private static DemoSettings settings(Map<String, String> config, Map<String, String> env) {
        return DemoSettings.from(config(config), env);
    }

    @Test
    void defaultsToDemo() {
        DemoSettings settings = settings(Map.of(), Map.of());

        assertThat(settings.provider(), is(DemoSettings.Provider.DEMO));
        assertThat(settings.chatApi().isPresent(), is(false));
        assertThat(settings.demoTokensPerSecond(), is(25.0));
        assertThat(settings.demoFirstTokenDelay(), is(Duration.ofMillis(400)));
        assertThat(settings.idleTimeout(), is(Duration.ofSeconds(60)));
    }

    @Test
    void anthropicKeyPicksAnthropic() {
        DemoSettings settings = settings(Map.of("anthropic.model", "claude-config"),
                Map.of("ANTHROPIC_API_KEY", ANTHROPIC_KEY,
                        "ANTHROPIC_BASE_URL", "http://127.0.0.1:9001"));

        assertThat(settings.provider(), is(DemoSettings.Provider.ANTHROPIC));
        ChatApiSettings api = settings.chatApi().orElseThrow();
        assertThat(api.baseUrl(), is(URI.create("http://127.0.0.1:9001")));
        assertThat(api.model(), is("claude-config"));
        assertThat(api.apiKey().reveal(), is(ANTHROPIC_KEY));
        assertThat(api.maxTokens(), is(1024));
    }

    @Test
    void anthropicWinsOverOpenAi() {
        DemoSettings settings = settings(Map.of("anthropic.model", "claude-config"),
                Map.of("ANTHROPIC_API_KEY", ANTHROPIC_KEY, "OPENAI_API_KEY", OPENAI_KEY,
                        "ANTHROPIC_BASE_URL", "http://127.0.0.1:9001"));

        assertThat(settings.provider(), is(DemoSettings.Provider.ANTHROPIC));
    }

    @Test
    void openAiKeyPicksOpenAi() {
        DemoSettings settings = settings(
                Map.of("openai.model", "gpt-config", "openai.base-url", "http://127.0.0.1:9002/v1",
                        "max-tokens", "77"),
                Map.of("OPENAI_API_KEY", OPENAI_KEY, "OPENAI_MODEL", "gpt-env"));

        assertThat(settings.provider(), is(DemoSettings.Provider.OPENAI));
        ChatApiSettings api = settings.chatApi().orElseThrow();
        assertThat(api.baseUrl(), is(URI.create("http://127.0.0.1:9002/v1")));
        assertThat(api.model(), is("gpt-env"));
        assertThat(api.maxTokens(), is(77));
    }

    @Test
    void explicitProviderWins() {
        DemoSettings settings = settings(Map.of("provider", "openai"),
                Map.of("LLM_DEMO_PROVIDER", "demo", "OPENAI_API_KEY", OPENAI_KEY));

        assertThat(settings.provider(), is(DemoSettings.Provider.DEMO));
    }

    @Test
    void missingBaseUrlRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("anthropic.model", "claude-config"),
                        Map.of("ANTHROPIC_API_KEY", ANTHROPIC_KEY)));

        assertThat(e.getMessage(), containsString("ANTHROPIC_BASE_URL is not set"));
        assertThat(e.getMessage(), not(containsString(ANTHROPIC_KEY)));
    }

    @Test
    void missingKeyRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("provider", "openai"), Map.of()));

        assertThat(e.getMessage(), containsString("OPENAI_API_KEY is not set"));
    }

    @Test
    void invalidProviderRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("provider", "gemini"), Map.of()));

        assertThat(e.getMessage(), containsString("\"gemini\""));
    }

    @Test
    void invalidDurationRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("idle-timeout", "60s"), Map.of()));

        assertThat(e.getMessage(), containsString("llm-demo.idle-timeout"));
    }

    @Test
    void paceBelowOneRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("demo.tokens-per-second", "0"), Map.of()));
    }

    @Test
    void apiKeyHiddenFromToString() {
        DemoSettings settings = settings(Map.of("openai.model", "gpt-config"),
                Map.of("OPENAI_API_KEY", OPENAI_KEY, "OPENAI_BASE_URL", "http://127.0.0.1:1/v1"));

        assertThat(settings.toString(), not(containsString(OPENAI_KEY)));
    }
}
