package io.durablestreams.demo.llm.provider;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to call a chat API.
 *
 * @param baseUrl the API's base URL, without the endpoint path
 * @param model the model name sent with every request
 * @param apiKey the API key
 * @param maxTokens the largest answer, in tokens, for APIs that take a limit
 * @param responseTimeout how long to wait for the response headers
 */
public record ChatApiSettings(URI baseUrl, String model, ApiKey apiKey, int maxTokens,
                              Duration responseTimeout) {

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException when the base URL is not an absolute http or https URL,
     *         the model is blank, or the token limit is not positive
     */
    public ChatApiSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        String scheme = baseUrl.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("Base URL must be an absolute http or https URL;"
                    + " got " + baseUrl);
        }
        if (model.isBlank()) {
            throw new IllegalArgumentException("Model name is blank");
        }
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("max-tokens must be positive; got " + maxTokens);
        }
    }

    /**
     * Returns the URL of an endpoint below the base URL.
     *
     * @param endpointPath the endpoint's path, starting with a slash
     * @return the base URL with the path appended
     */
    public URI endpoint(String endpointPath) {
        String base = baseUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + endpointPath);
    }
}
