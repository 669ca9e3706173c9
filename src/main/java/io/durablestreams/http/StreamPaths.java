package io.durablestreams.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.HexFormat;

import io.helidon.http.Status;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Turns the raw URL path below the mount path into a stream path, rejecting paths that could be
 * ambiguous or unsafe.
 *
 * <p>A stream path is a sequence of segments separated by {@code /}. Each segment is
 * percent-decoded and must be valid UTF-8 without control characters. Empty segments, {@code .}
 * and {@code ..} are rejected, and so is an encoded slash ({@code %2F}), so that every stream
 * has exactly one URL and no path can name anything outside the stream namespace.
 */
final class StreamPaths {

    /** First path segment the protocol reserves for its control APIs. */
    static final String RESERVED_PREFIX = "__ds";

    private StreamPaths() {
    }

    /**
     * Splits a request path into the path the service is mounted at and the stream path, using
     * the path Helidon routed relative to the service: its segment count is the number of trailing
     * segments of the raw path that name the stream.
     *
     * @param rawAbsolute the request's raw (still percent-encoded) absolute path
     * @param routedPath the path relative to the service's registration, decoded
     * @param maxPathBytes longest accepted stream path, in UTF-8 bytes
     * @return the mount path and the stream path
     * @throws HttpProblemException 404 without a stream path, 414 when too long, 400 when invalid
     */
    static Resolved resolve(String rawAbsolute, String routedPath, int maxPathBytes) {
        // Dot segments and empty segments are rejected first: Helidon normalizes them away in
        // the routed path, which would make the segment count below wrong.
        String[] raw = rawAbsolute.split("/", -1);
        for (int i = 1; i < raw.length; i++) {
            String segment = raw[i];
            boolean last = i == raw.length - 1;
            if ((segment.isEmpty() && !last) || isDotSegment(segment)) {
                throw HttpProblemException.badRequest("Invalid stream path: segments must not be"
                        + " empty, '.' or '..'");
            }
        }
        int streamSegments = 0;
        for (String segment : routedPath.split("/")) {
            if (!segment.isEmpty()) {
                streamSegments++;
            }
        }
        if (streamSegments > 0 && rawAbsolute.endsWith("/")) {
            throw HttpProblemException.badRequest("Invalid stream path: segments must not be"
                    + " empty, '.' or '..'");
        }
        int mountEnd = rawAbsolute.length();
        for (int i = 0; i < streamSegments; i++) {
            mountEnd = rawAbsolute.lastIndexOf('/', mountEnd - 1);
        }
        String mount = rawAbsolute.substring(0, Math.max(mountEnd, 0));
        while (mount.endsWith("/")) {
            mount = mount.substring(0, mount.length() - 1);
        }
        String prefix = mount.isEmpty() ? "/" : mount;
        return new Resolved(prefix, streamPath(rawAbsolute, prefix, maxPathBytes));
    }

    /**
     * Extracts and validates the stream path.
     *
     * @param rawPath the request's raw (still percent-encoded) path, starting with the mount path
     * @param mountPath the mount path, without trailing slash
     * @param maxPathBytes longest accepted stream path, in UTF-8 bytes
     * @return the decoded stream path, without leading slash
     * @throws HttpProblemException 404 outside the mount path, 414 when too long, 400 when invalid
     */
    static String streamPath(String rawPath, String mountPath, int maxPathBytes) {
        String prefix = mountPath.equals("/") ? "/" : mountPath + "/";
        if (!rawPath.startsWith(prefix) || rawPath.length() == prefix.length()) {
            throw new HttpProblemException(Status.NOT_FOUND_404,
                    "No stream here; stream URLs look like " + prefix + "{path}");
        }
        String encoded = rawPath.substring(prefix.length());
        if (encoded.length() > maxPathBytes * 3L) {
            throw tooLong(maxPathBytes);
        }

        StringBuilder path = new StringBuilder(encoded.length());
        for (String segment : encoded.split("/", -1)) {
            String decoded = decodeSegment(segment);
            if (decoded.isEmpty() || decoded.equals(".") || decoded.equals("..")) {
                throw HttpProblemException.badRequest("Invalid stream path: segments must not be"
                        + " empty, '.' or '..'");
            }
            if (!path.isEmpty()) {
                path.append('/');
            }
            path.append(decoded);
        }
        String result = path.toString();
        if (result.getBytes(UTF_8).length > maxPathBytes) {
            throw tooLong(maxPathBytes);
        }
        if (result.equals(RESERVED_PREFIX) || result.startsWith(RESERVED_PREFIX + "/")) {
            throw new HttpProblemException(Status.NOT_FOUND_404, "Paths starting with "
                    + RESERVED_PREFIX + " are reserved for control APIs");
        }
        return result;
    }

    /**
     * Chooses the mount path that a {@code Stream-Forked-From} path is resolved against. A
     * client that knows the server by a base URL with a path, such as
     * {@code http://host/api}, may send the source path relative to that base URL:
     * {@code /v1/stream/a} for a service mounted at {@code /api/v1/stream}. So when the path does
     * not start with the request's mount path, the longest trailing segments of the mount path
     * that it starts with are used instead.
     *
     * @param rawPath the raw source path from the header
     * @param mountPath the request's mount path, without trailing slash
     * @return the mount path, or the trailing part of it that {@code rawPath} starts with
     */
    static String forkSourceMount(String rawPath, String mountPath) {
        if (mountPath.equals("/") || rawPath.startsWith(mountPath + "/")) {
            return mountPath;
        }
        for (int i = mountPath.indexOf('/', 1); i > 0; i = mountPath.indexOf('/', i + 1)) {
            String trailing = mountPath.substring(i);
            if (rawPath.startsWith(trailing + "/")) {
                return trailing;
            }
        }
        return mountPath;
    }

    private static boolean isDotSegment(String rawSegment) {
        String lower = rawSegment.toLowerCase(java.util.Locale.ROOT);
        return lower.equals(".") || lower.equals("..") || lower.equals("%2e")
                || lower.equals("%2e%2e") || lower.equals(".%2e") || lower.equals("%2e.");
    }

    /**
     * A request path split at the mount point.
     *
     * @param mountPath the raw path the service is mounted at, without trailing slash
     * @param streamPath the decoded stream path, without leading slash
     */
    record Resolved(String mountPath, String streamPath) {
    }

    private static String decodeSegment(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()
                        || !HexFormat.isHexDigit(segment.charAt(i + 1))
                        || !HexFormat.isHexDigit(segment.charAt(i + 2))) {
                    throw HttpProblemException.badRequest("Invalid percent-encoding in stream path");
                }
                int b = HexFormat.fromHexDigits(segment, i + 1, i + 3);
                if (b == '/') {
                    throw HttpProblemException.badRequest("Stream paths must not contain an"
                            + " encoded slash (%2F); use / between segments");
                }
                bytes.write(b);
                i += 2;
            } else if (c > 0x7e || c < 0x20 || c == ';') {
                // Raw non-ASCII bytes would give one stream a second URL, and Helidon reads ';'
                // as the start of matrix parameters.
                throw HttpProblemException.badRequest("Stream paths must percent-encode"
                        + " non-ASCII characters, control characters and ';'");
            } else {
                bytes.write(c);
            }
        }
        String decoded = decodeUtf8(bytes.toByteArray());
        for (int i = 0; i < decoded.length(); i++) {
            if (Character.isISOControl(decoded.charAt(i))) {
                throw HttpProblemException.badRequest("Stream paths must not contain control"
                        + " characters");
            }
        }
        return decoded;
    }

    private static String decodeUtf8(byte[] bytes) {
        try {
            return UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw HttpProblemException.badRequest("Stream path is not valid UTF-8");
        }
    }

    private static HttpProblemException tooLong(int maxPathBytes) {
        return new HttpProblemException(Status.REQUEST_URI_TOO_LONG_414,
                "Stream path is longer than " + maxPathBytes + " bytes");
    }
}
