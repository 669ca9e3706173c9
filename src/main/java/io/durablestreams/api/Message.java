package io.durablestreams.api;

import java.util.Objects;

/**
 * One message of a JSON stream.
 *
 * @param offset the offset token at which the message starts: a read from it returns this
 *        message first
 * @param nextOffset the offset token just past the message: where to resume once it is handled
 * @param json the message exactly as it was appended, without surrounding whitespace
 */
public record Message(String offset, String nextOffset, String json) {

    /**
     * Checks the arguments.
     */
    public Message {
        Objects.requireNonNull(offset, "offset");
        Objects.requireNonNull(nextOffset, "nextOffset");
        Objects.requireNonNull(json, "json");
    }
}
