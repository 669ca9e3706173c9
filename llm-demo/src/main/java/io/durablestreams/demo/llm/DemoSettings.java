package io.durablestreams.demo.llm;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.durablestreams.demo.llm.provider.ApiKey;
import io.durablestreams.demo.llm.provider.ChatApiSettings;

import io.helidon.config.Config;

/**
 * The demo's settings: which provider generates answers and how, from the {@code llm-demo}
 * configuration node and the environment.
 *
 * @param provider the provider that generates answers
 * @param demoTokensPerSecond average pace of the demo provider
 * @param demoFirstTokenDelay the demo provider's wait before its first token
 * @param chatApi base URL, model and key of a chat API; empty for the demo provider
 * @param idleTimeout how long an answer may go without any data from the provider before it is
 *        stopped with an error
 */
public record DemoSettings(Provider provider,
                           double demoTokensPerSecond,
                           Duration demoFirstTokenDelay,
                           Optional<ChatApiSettings> chatApi,
                           Duration idleTimeout) {

    /** Name of the configuration node these settings are read from. */
    public static final String CONFIG_KEY = "llm-demo";

    /** The providers the demo can use. */
    public enum Provider {
        /** Built-in answers; no key, no network. */
        DEMO,
        /** The Anthropic Messages API. */
        ANTHROPIC,
        /** The OpenAI Chat Completions API, or a server that copies it. */
        OPENAI;

        /**
         * Returns the name used in configuration and on the page.
         *
         * @return {@code demo}, {@code anthropic} or {@code openai}
         */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException when a chat API provider has no API settings, or a value
     *         is out of range
     */
    public DemoSettings {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(demoFirstTokenDelay, "demoFirstTokenDelay");
        Objects.requireNonNull(chatApi, "chatApi");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (provider != Provider.DEMO && chatApi.isEmpty()) {
            throw new IllegalArgumentException("Provider " + provider.configName()
                    + " needs a base URL, model and API key");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException(CONFIG_KEY + ".idle-timeout must be positive; got "
                    + idleTimeout);
        }
    }

    /**
     * Returns settings for the demo provider at a given pace, for tests.
     *
     * @param tokensPerSecond the demo provider's pace
     * @return the settings
     */
    public static DemoSettings demo(double tokensPerSecond) {
        return new DemoSettings(Provider.DEMO, tokensPerSecond, Duration.ZERO, Optional.empty(),
                Duration.ofSeconds(60));
    }

    /**
     * Reads the settings.
     *
     * <p>The provider is {@code llm-demo.provider}, or the {@code LLM_DEMO_PROVIDER} variable:
     * {@code demo}, {@code anthropic}, {@code openai}, or {@code auto}, which picks Anthropic
     * when {@code ANTHROPIC_API_KEY} is set, else OpenAI when {@code OPENAI_API_KEY} is set,
     * else the demo. A chat API also needs its base URL ({@code ANTHROPIC_BASE_URL} or
     * {@code OPENAI_BASE_URL}, or {@code llm-demo.anthropic.base-url} and
     * {@code llm-demo.openai.base-url}): there is no default, so nothing leaves the machine
     * unless a URL is set. {@code ANTHROPIC_MODEL} and {@code OPENAI_MODEL} override the
     * configured models.
     *
     * @param config the {@code llm-demo} node
     * @param env the environment variables
     * @return the settings
     * @throws IllegalArgumentException naming the setting that is missing or invalid
     */
    public static DemoSettings from(Config config, Map<String, String> env) {
        String providerName = nonBlank(env.get("LLM_DEMO_PROVIDER"))
                .orElse(config.get("provider").asString().orElse("auto"))
                .strip().toLowerCase(Locale.ROOT);
        Provider provider = switch (providerName) {
            case "auto" -> {
                if (nonBlank(env.get("ANTHROPIC_API_KEY")).isPresent()) {
                    yield Provider.ANTHROPIC;
                }
                if (nonBlank(env.get("OPENAI_API_KEY")).isPresent()) {
                    yield Provider.OPENAI;
                }
                yield Provider.DEMO;
            }
            case "demo" -> Provider.DEMO;
            case "anthropic" -> Provider.ANTHROPIC;
            case "openai" -> Provider.OPENAI;
            default -> throw new IllegalArgumentException("Invalid provider \"" + providerName
                    + "\"; use auto, demo, anthropic or openai");
        };

        Duration idleTimeout = duration(config, "idle-timeout", Duration.ofSeconds(60));
        Optional<ChatApiSettings> chatApi = switch (provider) {
            case DEMO -> Optional.empty();
            case ANTHROPIC -> Optional.of(chatApi(config.get("anthropic"), env, "ANTHROPIC",
                    config.get("max-tokens").asInt().orElse(1024), idleTimeout));
            case OPENAI -> Optional.of(chatApi(config.get("openai"), env, "OPENAI",
                    config.get("max-tokens").asInt().orElse(1024), idleTimeout));
        };
        double tokensPerSecond = config.get("demo.tokens-per-second").asDouble().orElse(25.0);
        if (!(tokensPerSecond >= 1)) {
            throw new IllegalArgumentException(CONFIG_KEY + ".demo.tokens-per-second must be at"
                    + " least 1; got " + tokensPerSecond);
        }
        return new DemoSettings(provider, tokensPerSecond,
                duration(config, "demo.first-token-delay", Duration.ofMillis(400)), chatApi,
                idleTimeout);
    }

    /**
     * Returns the name of the model that generates answers.
     *
     * @param demoModel the demo provider's model name
     * @return the chat API's model, or {@code demoModel}
     */
    public String model(String demoModel) {
        return chatApi.map(ChatApiSettings::model).orElse(demoModel);
    }

    private static ChatApiSettings chatApi(Config config, Map<String, String> env, String prefix,
                                           int maxTokens, Duration responseTimeout) {
        String keyVariable = prefix + "_API_KEY";
        String urlVariable = prefix + "_BASE_URL";
        ApiKey key = nonBlank(env.get(keyVariable)).map(ApiKey::new)
                .orElseThrow(() -> new IllegalArgumentException(keyVariable + " is not set;"
                        + " set it, or choose another provider with LLM_DEMO_PROVIDER"));
        String baseUrl = nonBlank(env.get(urlVariable))
                .or(() -> nonBlank(config.get("base-url").asString().orElse(null)))
                .orElseThrow(() -> new IllegalArgumentException(urlVariable + " is not set; set"
                        + " it to the API's base URL, because the demo has no default"));
        String model = nonBlank(env.get(prefix + "_MODEL"))
                .or(() -> nonBlank(config.get("model").asString().orElse(null)))
                .orElseThrow(() -> new IllegalArgumentException(prefix + "_MODEL is not set"));
        URI uri;
        try {
            uri = new URI(baseUrl.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(urlVariable + " is not a valid URL: " + baseUrl);
        }
        return new ChatApiSettings(uri, model.strip(), key, maxTokens, responseTimeout);
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    private static Duration duration(Config config, String key, Duration fallback) {
        Optional<String> value = config.get(key).asString().asOptional();
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Duration.parse(value.get().strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(CONFIG_KEY + "." + key + " must be an ISO-8601"
                    + " duration such as PT30S; got " + value.get());
        }
    }
}
