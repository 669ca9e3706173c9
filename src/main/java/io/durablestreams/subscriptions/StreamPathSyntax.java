package io.durablestreams.subscriptions;

import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Checks the stream paths and subscription ids that clients send in subscription requests.
 *
 * <p>Stream paths here are stream-root-relative, such as {@code events/abc}: the same decoded form
 * the stream API uses, so the same rules apply. Segments must not be empty, {@code .} or
 * {@code ..}, nor contain control characters, and the first segment must not be the reserved
 * {@code __ds}.
 */
final class StreamPathSyntax {

    /** First path segment reserved for the control APIs. */
    static final String RESERVED_PREFIX = "__ds";

    /** Maximum length of a stream path in a subscription request, in UTF-8 bytes. */
    static final int MAX_PATH_BYTES = 1024;

    /** Maximum length of a subscription id, in characters. */
    static final int MAX_ID_LENGTH = 200;

    /** Characters allowed in a subscription id: they need no escaping in a URL path segment. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._~:@-]+");

    private StreamPathSyntax() {
    }

    /**
     * Checks a stream path from a request body.
     *
     * @param path the path
     * @param field the JSON field it came from, for the message
     * @return the path, unchanged
     * @throws SubscriptionException {@code INVALID_REQUEST} when the path is invalid or reserved
     */
    static String checkStreamPath(String path, String field) {
        if (path.isEmpty()) {
            throw SubscriptionException.invalidRequest(field + " must not be empty");
        }
        if (path.getBytes(UTF_8).length > MAX_PATH_BYTES) {
            throw SubscriptionException.invalidRequest(field + " is longer than " + MAX_PATH_BYTES
                    + " bytes");
        }
        for (String segment : path.split("/", -1)) {
            checkSegment(segment, field, path);
        }
        if (path.equals(RESERVED_PREFIX) || path.startsWith(RESERVED_PREFIX + "/")) {
            throw SubscriptionException.invalidRequest(field + " " + path + " is reserved: paths"
                    + " starting with " + RESERVED_PREFIX + " belong to the control APIs");
        }
        return path;
    }

    /**
     * Checks one segment of a stream path or pattern.
     *
     * @param segment the segment
     * @param field the JSON field, for the message
     * @param whole the whole path or pattern, for the message
     * @throws SubscriptionException {@code INVALID_REQUEST} when the segment is invalid
     */
    static void checkSegment(String segment, String field, String whole) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
            throw SubscriptionException.invalidRequest("Invalid " + field + " " + whole
                    + ": segments must not be empty, '.' or '..', and there is no leading or"
                    + " trailing slash");
        }
        for (int i = 0; i < segment.length(); i++) {
            if (Character.isISOControl(segment.charAt(i))) {
                throw SubscriptionException.invalidRequest("Invalid " + field
                        + ": control characters are not allowed");
            }
        }
    }

    /**
     * Checks a subscription id from the URL.
     *
     * @param id the decoded id
     * @return the id, unchanged
     * @throws SubscriptionException {@code INVALID_REQUEST} when the id is empty, too long or has
     *         other characters than letters, digits and {@code . _ ~ : @ -}
     */
    static String checkSubscriptionId(String id) {
        if (id.length() > MAX_ID_LENGTH || !ID.matcher(id).matches()
                || id.equals(".") || id.equals("..")) {
            throw SubscriptionException.invalidRequest("Invalid subscription id: use 1 to "
                    + MAX_ID_LENGTH + " letters, digits and . _ ~ : @ -, other than . and ..");
        }
        return id;
    }
}
