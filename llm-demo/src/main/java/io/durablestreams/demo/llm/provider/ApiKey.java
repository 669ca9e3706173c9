package io.durablestreams.demo.llm.provider;

import java.util.Objects;

/**
 * An API key that never shows up in logs or messages: {@link #toString()} hides it, and only
 * {@link #reveal()} returns it, for the request header.
 */
public final class ApiKey {

    private final String value;

    /**
     * Wraps a key.
     *
     * @param value the key, not blank
     * @throws IllegalArgumentException when the key is blank
     */
    public ApiKey(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("API key is blank");
        }
        this.value = value.strip();
    }

    /**
     * Returns the key, for the request header only.
     *
     * @return the key
     */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "ApiKey[hidden]";
    }
}
