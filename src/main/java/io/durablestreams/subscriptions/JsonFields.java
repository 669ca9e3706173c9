package io.durablestreams.subscriptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads typed members of parsed JSON objects, rejecting wrong types with a message that names
 * the member.
 */
final class JsonFields {

    private JsonFields() {
    }

    /**
     * Returns a member that must be a non-empty string.
     *
     * @throws SubscriptionException {@code INVALID_REQUEST} when it is missing, empty or no string
     */
    static String requiredString(Map<?, ?> object, String name) {
        return optionalString(object, name).orElseThrow(() ->
                SubscriptionException.invalidRequest(name + " is required"));
    }

    /**
     * Returns a member that may be absent or {@code null}, and otherwise must be a non-empty
     * string.
     */
    static Optional<String> optionalString(Map<?, ?> object, String name) {
        Object value = object.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String text) || text.isEmpty()) {
            throw SubscriptionException.invalidRequest(name + " must be a non-empty string");
        }
        return Optional.of(text);
    }

    /**
     * Returns a member that may be absent or {@code null}, and otherwise must be a whole number.
     */
    static Optional<Long> optionalLong(Map<?, ?> object, String name) {
        Object value = object.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Long number)) {
            throw SubscriptionException.invalidRequest(name + " must be a whole number");
        }
        return Optional.of(number);
    }

    /**
     * Returns a member that may be absent or {@code null}, and otherwise must be {@code true} or
     * {@code false}.
     */
    static boolean optionalBoolean(Map<?, ?> object, String name) {
        Object value = object.get(name);
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean flag)) {
            throw SubscriptionException.invalidRequest(name + " must be true or false");
        }
        return flag;
    }

    /**
     * Returns a member that may be absent or {@code null}, and otherwise must be an array of
     * non-empty strings.
     *
     * @param maxSize most elements accepted
     */
    static List<String> optionalStringList(Map<?, ?> object, String name, int maxSize) {
        Object value = object.get(name);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw SubscriptionException.invalidRequest(name + " must be an array of strings");
        }
        if (list.size() > maxSize) {
            throw SubscriptionException.invalidRequest(name + " has more than " + maxSize
                    + " entries");
        }
        List<String> strings = new ArrayList<>(list.size());
        for (Object element : list) {
            if (!(element instanceof String text) || text.isEmpty()) {
                throw SubscriptionException.invalidRequest(name + " must contain only non-empty"
                        + " strings");
            }
            strings.add(text);
        }
        return strings;
    }
}
