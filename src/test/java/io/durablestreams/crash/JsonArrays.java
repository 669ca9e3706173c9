package io.durablestreams.crash;

import java.util.ArrayList;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Splits the JSON array that a read of a JSON stream returns into the text of its elements.
 * It checks that brackets, braces and strings are balanced, so that a half-written message is
 * reported instead of being merged with its neighbour.
 */
final class JsonArrays {

    private JsonArrays() {
    }

    /**
     * Splits a JSON array into its elements' text, without surrounding whitespace.
     *
     * @param body a JSON array, as UTF-8
     * @return the elements, in order
     * @throws IllegalArgumentException when the body is not a well-formed JSON array
     */
    static List<String> elements(byte[] body) {
        String text = new String(body, UTF_8).strip();
        if (text.length() < 2 || text.charAt(0) != '[' || text.charAt(text.length() - 1) != ']') {
            throw new IllegalArgumentException("Response is not a JSON array: " + abbreviate(text));
        }
        List<String> elements = new ArrayList<>();
        String inner = text.substring(1, text.length() - 1);
        if (inner.isBlank()) {
            return elements;
        }

        int depth = 0;
        boolean inString = false;
        int elementStart = 0;
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> inString = true;
                case '{', '[' -> depth++;
                case '}', ']' -> {
                    depth--;
                    if (depth < 0) {
                        throw new IllegalArgumentException("Unbalanced '" + c + "' at character "
                                + (i + 1) + " of " + abbreviate(text));
                    }
                }
                case ',' -> {
                    if (depth == 0) {
                        elements.add(element(inner, elementStart, i, text));
                        elementStart = i + 1;
                    }
                }
                default -> {
                }
            }
        }

        if (inString || depth != 0) {
            throw new IllegalArgumentException("Unterminated string or value in "
                    + abbreviate(text));
        }
        elements.add(element(inner, elementStart, inner.length(), text));
        return elements;
    }

    private static String element(String inner, int start, int end, String text) {
        String element = inner.substring(start, end).strip();
        if (element.isEmpty()) {
            throw new IllegalArgumentException("Empty array element in " + abbreviate(text));
        }
        return element;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
