package io.durablestreams.subscriptions;

import java.util.List;
import java.util.Objects;

/**
 * A subscription pattern over stream paths: segments separated by {@code /}, where {@code *}
 * matches exactly one segment, {@code **} matches zero or more segments, and any other segment
 * matches itself. {@code events/*} matches {@code events/a} but not {@code events/a/b};
 * {@code events/**} matches {@code events}, {@code events/a} and {@code events/a/b}.
 *
 * <p>Thread-safety: immutable.
 */
final class Glob {

    private static final String ONE = "*";
    private static final String ANY = "**";

    private final String pattern;
    private final List<String> segments;

    private Glob(String pattern, List<String> segments) {
        this.pattern = pattern;
        this.segments = segments;
    }

    /**
     * Compiles a pattern.
     *
     * @param pattern the pattern as sent by the client
     * @return the compiled pattern
     * @throws SubscriptionException {@code INVALID_REQUEST} when a segment is empty, {@code .},
     *         {@code ..}, or mixes {@code *} with other characters
     */
    static Glob compile(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        List<String> segments = List.of(pattern.split("/", -1));
        for (String segment : segments) {
            if (segment.equals(ONE) || segment.equals(ANY)) {
                continue;
            }
            if (segment.contains("*")) {
                throw SubscriptionException.invalidRequest("Invalid pattern " + pattern + ": * and"
                        + " ** must be whole path segments");
            }
            StreamPathSyntax.checkSegment(segment, "pattern", pattern);
        }
        return new Glob(pattern, segments);
    }

    /**
     * Tells whether a stream path matches.
     *
     * @param path a stream path without leading slash
     * @return true when it matches
     */
    boolean matches(String path) {
        String[] parts = path.split("/", -1);
        // matched[j] is true when the pattern segments seen so far match the first j parts.
        // Dynamic programming keeps patterns with several ** linear in the path length instead
        // of backtracking through every split.
        boolean[] matched = new boolean[parts.length + 1];
        matched[0] = true;
        for (String segment : segments) {
            boolean[] next = new boolean[parts.length + 1];
            for (int j = 0; j <= parts.length; j++) {
                if (segment.equals(ANY)) {
                    next[j] = matched[j] || (j > 0 && next[j - 1]);
                } else if (j > 0 && matched[j - 1]) {
                    next[j] = segment.equals(ONE) || segment.equals(parts[j - 1]);
                }
            }
            matched = next;
        }
        return matched[parts.length];
    }

    /**
     * Returns the pattern as the client sent it.
     *
     * @return the pattern
     */
    String pattern() {
        return pattern;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
