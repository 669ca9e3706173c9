package io.durablestreams.api;

import io.durablestreams.store.InvalidRequestException;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Checks stream paths given to the Java API with the rules the HTTP layer applies to decoded
 * paths, so that every stream created here also has a URL.
 */
final class StreamPathRules {

    private StreamPathRules() {
    }

    /**
     * Checks a stream path.
     *
     * @param path a path such as {@code chat/room-1}
     * @param maxPathBytes longest accepted path, in UTF-8 bytes
     * @param maxSegments most segments a path may have
     * @return the path
     * @throws InvalidRequestException when the path is empty, starts or ends with {@code /}, has
     *         an empty, {@code .} or {@code ..} segment, a control character, or is too long
     */
    static String check(String path, int maxPathBytes, int maxSegments) {
        if (path == null || path.isEmpty()) {
            throw new InvalidRequestException("Stream path is missing; use a path such as"
                    + " chat/room-1");
        }
        String[] segments = path.split("/", -1);
        if (segments.length > maxSegments) {
            throw new InvalidRequestException("Stream path has " + segments.length + " segments;"
                    + " the limit is " + maxSegments
                    + " (durable-streams.security.max-path-segments)");
        }
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new InvalidRequestException("Invalid stream path \"" + path + "\": segments"
                        + " must not be empty, '.' or '..', and the path must not start or end"
                        + " with /");
            }
        }
        for (int i = 0; i < path.length(); i++) {
            if (Character.isISOControl(path.charAt(i))) {
                throw new InvalidRequestException("Invalid stream path: it contains a control"
                        + " character at index " + i);
            }
        }
        if (path.getBytes(UTF_8).length > maxPathBytes) {
            throw new InvalidRequestException("Stream path is longer than " + maxPathBytes
                    + " bytes (durable-streams.max-path-bytes)");
        }
        return path;
    }
}
