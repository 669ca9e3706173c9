package io.durablestreams.demo.llm.provider;

import java.util.Objects;

/**
 * One turn of a conversation as sent to a model.
 *
 * @param role who wrote it
 * @param content the text
 */
public record ChatMessage(Role role, String content) {

    /** The author of a turn, named as both chat APIs name it. */
    public enum Role {
        /** The person asking. */
        USER("user"),
        /** The model. */
        ASSISTANT("assistant");

        private final String apiName;

        Role(String apiName) {
            this.apiName = apiName;
        }

        /**
         * Returns the role's name in the chat APIs' JSON.
         *
         * @return {@code user} or {@code assistant}
         */
        public String apiName() {
            return apiName;
        }
    }

    /**
     * Checks the arguments.
     */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    /**
     * Creates a user turn.
     *
     * @param content the text
     * @return the message
     */
    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    /**
     * Creates an assistant turn.
     *
     * @param content the text
     * @return the message
     */
    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
