package io.durablestreams.http;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

import io.durablestreams.store.CreateRequest;
import io.durablestreams.store.ForkRequest;
import io.durablestreams.store.Offsets;
import io.durablestreams.store.ProducerId;
import io.durablestreams.store.Retention;
import io.durablestreams.store.StreamConfig;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * Parses and validates the protocol's request headers; every failure is a 400 with a reason.
 */
final class RequestHeaderParser {

    /**
     * A non-negative decimal integer without sign, leading zeros, fraction or exponent. At most
     * 18 digits, so that every match fits in a {@code long}.
     */
    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,17}");

    /** Largest accepted TTL, about 31,700 years, so that expiry arithmetic cannot overflow. */
    static final long MAX_TTL_SECONDS = 1_000_000_000_000L;

    /** An RFC 3339 timestamp: date, T, time with optional fraction, and Z or an offset. */
    private static final Pattern RFC_3339 = Pattern.compile(
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?"
                    + "([Zz]|[+-][0-9]{2}:[0-9]{2})");

    private RequestHeaderParser() {
    }

    /**
     * Reads a header that must appear at most once.
     *
     * @param headers the request headers
     * @param name the header
     * @return its value, or empty when absent
     * @throws HttpProblemException 400 when the header is repeated
     */
    static Optional<String> single(Headers headers, HeaderName name) {
        if (!headers.contains(name)) {
            return Optional.empty();
        }
        List<String> values = headers.all(name, List::of);
        if (values.size() > 1) {
            throw HttpProblemException.badRequest("Header " + name.defaultCase()
                    + " must appear at most once");
        }
        return values.stream().findFirst();
    }

    /**
     * Reads a header whose value is an identifier compared byte by byte, which therefore must be
     * printable ASCII: other bytes do not survive header decoding unchanged.
     */
    private static Optional<String> asciiToken(Headers headers, HeaderName name) {
        Optional<String> value = single(headers, name);
        if (value.isPresent()) {
            for (int i = 0; i < value.get().length(); i++) {
                char c = value.get().charAt(i);
                if (c < 0x20 || c > 0x7e) {
                    throw HttpProblemException.badRequest(name.defaultCase()
                            + " must contain printable ASCII characters only");
                }
            }
        }
        return value;
    }

    /**
     * Reads a create request.
     *
     * @param headers the request headers
     * @param body the request body
     * @param fork the fork part, parsed by the caller because it resolves the source path
     * @return the request
     */
    static CreateRequest createRequest(Headers headers, byte[] body, Optional<ForkRequest> fork) {
        OptionalLong ttl = ttlSeconds(headers);
        Optional<Instant> expiresAt = expiresAt(headers);
        if (ttl.isPresent() && expiresAt.isPresent()) {
            throw HttpProblemException.badRequest(
                    "Send either Stream-TTL or Stream-Expires-At, not both");
        }
        return new CreateRequest(contentType(headers), ttl, expiresAt, body,
                closeRequested(headers), fork, retention(headers));
    }

    /**
     * Reads the retention headers, an extension of the protocol.
     *
     * @param headers the request headers
     * @return the retention policy, {@link Retention#NONE} when no header is present
     */
    static Retention retention(Headers headers) {
        try {
            return new Retention(positive(headers, ProtocolHeaders.STREAM_RETENTION_MAX_AGE),
                    positive(headers, ProtocolHeaders.STREAM_RETENTION_MAX_MESSAGES),
                    positive(headers, ProtocolHeaders.STREAM_RETENTION_MAX_BYTES));
        } catch (IllegalArgumentException e) {
            throw HttpProblemException.badRequest(e.getMessage());
        }
    }

    private static OptionalLong positive(Headers headers, HeaderName name) {
        Optional<String> value = single(headers, name);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        String text = value.get().strip();
        if (!DECIMAL.matcher(text).matches() || text.equals("0")) {
            throw HttpProblemException.badRequest("Invalid " + name.defaultCase() + ": " + text
                    + "; expected a positive integer");
        }
        return OptionalLong.of(Long.parseLong(text));
    }

    /**
     * Reads the fork headers of a create request, except the source path.
     *
     * @param headers the request headers
     * @param sourcePath the resolved source path, when {@code Stream-Forked-From} is present
     * @return the fork request, or empty when the request creates no fork
     */
    static Optional<ForkRequest> forkRequest(Headers headers, Optional<String> sourcePath) {
        Optional<String> offset = single(headers, ProtocolHeaders.STREAM_FORK_OFFSET);
        Optional<String> subOffset = single(headers, ProtocolHeaders.STREAM_FORK_SUB_OFFSET);
        if (sourcePath.isEmpty()) {
            if (offset.isPresent() || subOffset.isPresent()) {
                throw HttpProblemException.badRequest("Stream-Fork-Offset and"
                        + " Stream-Fork-Sub-Offset need Stream-Forked-From");
            }
            return Optional.empty();
        }
        if (offset.isPresent() && !Offsets.isWellFormed(offset.get())) {
            throw HttpProblemException.badRequest("Invalid Stream-Fork-Offset: use an offset"
                    + " returned in Stream-Next-Offset");
        }
        long sub = 0;
        if (subOffset.isPresent()) {
            if (!DECIMAL.matcher(subOffset.get()).matches()) {
                throw HttpProblemException.badRequest("Invalid Stream-Fork-Sub-Offset: "
                        + subOffset.get() + "; expected a non-negative integer");
            }
            sub = Long.parseLong(subOffset.get());
        }
        return Optional.of(new ForkRequest(sourcePath.get(), offset.map(Offsets::parse), sub));
    }

    /**
     * Reads the {@code Content-Type} header.
     *
     * @param headers the request headers
     * @return the value, or empty when absent or blank
     */
    static Optional<String> contentType(Headers headers) {
        Optional<String> value = single(headers, HeaderNames.CONTENT_TYPE).map(String::strip);
        if (value.isPresent() && !value.get().isEmpty()) {
            String mediaType = StreamConfig.mediaTypeOf(value.get());
            if (mediaType.indexOf('/') <= 0 || mediaType.endsWith("/")) {
                throw HttpProblemException.badRequest("Invalid Content-Type: " + value.get());
            }
        }
        return value.filter(v -> !v.isEmpty());
    }

    /**
     * Tells whether the request carries {@code Stream-Closed: true}; any other value counts as
     * absent, as the protocol requires.
     *
     * @param headers the request headers
     * @return true to close
     */
    static boolean closeRequested(Headers headers) {
        return single(headers, ProtocolHeaders.STREAM_CLOSED)
                .map(v -> v.strip().equalsIgnoreCase("true"))
                .orElse(false);
    }

    /**
     * Reads {@code Stream-Seq}.
     *
     * @param headers the request headers
     * @return the value, or empty when absent
     */
    static Optional<String> streamSeq(Headers headers) {
        Optional<String> seq = asciiToken(headers, ProtocolHeaders.STREAM_SEQ);
        if (seq.isPresent() && seq.get().isEmpty()) {
            throw HttpProblemException.badRequest("Stream-Seq must not be empty");
        }
        return seq;
    }

    /**
     * Reads the idempotent-producer headers, which come as a set of three or not at all.
     *
     * @param headers the request headers
     * @return the producer identity, or empty when none of the three headers is present
     */
    static Optional<ProducerId> producer(Headers headers) {
        Optional<String> id = asciiToken(headers, ProtocolHeaders.PRODUCER_ID);
        Optional<String> epoch = single(headers, ProtocolHeaders.PRODUCER_EPOCH);
        Optional<String> seq = single(headers, ProtocolHeaders.PRODUCER_SEQ);
        if (id.isEmpty() && epoch.isEmpty() && seq.isEmpty()) {
            return Optional.empty();
        }
        if (id.isEmpty() || epoch.isEmpty() || seq.isEmpty()) {
            throw HttpProblemException.badRequest("Producer-Id, Producer-Epoch and Producer-Seq"
                    + " must be sent together");
        }
        if (id.get().isBlank()) {
            throw HttpProblemException.badRequest("Producer-Id must not be empty");
        }
        long epochValue = producerNumber(ProtocolHeaders.PRODUCER_EPOCH, epoch.get());
        long seqValue = producerNumber(ProtocolHeaders.PRODUCER_SEQ, seq.get());
        return Optional.of(new ProducerId(id.get(), epochValue, seqValue));
    }

    private static OptionalLong ttlSeconds(Headers headers) {
        Optional<String> value = single(headers, ProtocolHeaders.STREAM_TTL);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        String text = value.get().strip();
        if (!DECIMAL.matcher(text).matches() || Long.parseLong(text) > MAX_TTL_SECONDS
                || text.equals("0")) {
            // A TTL of 0 would expire the stream before anyone could read what was written.
            throw HttpProblemException.badRequest("Invalid Stream-TTL: " + text
                    + "; expected whole seconds from 1 to " + MAX_TTL_SECONDS
                    + " as a plain decimal number");
        }
        return OptionalLong.of(Long.parseLong(text));
    }

    private static Optional<Instant> expiresAt(Headers headers) {
        Optional<String> value = single(headers, ProtocolHeaders.STREAM_EXPIRES_AT);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String text = value.get().strip();
        if (!RFC_3339.matcher(text).matches()) {
            throw HttpProblemException.badRequest("Invalid Stream-Expires-At: " + text
                    + "; expected an RFC 3339 timestamp such as 2030-01-01T00:00:00Z");
        }
        text = text.toUpperCase(java.util.Locale.ROOT);
        try {
            return Optional.of(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant());
        } catch (DateTimeParseException e) {
            throw HttpProblemException.badRequest("Invalid Stream-Expires-At: " + text
                    + "; expected an RFC 3339 timestamp such as 2030-01-01T00:00:00Z");
        }
    }

    private static long producerNumber(HeaderName name, String value) {
        String text = value.strip();
        if (!DECIMAL.matcher(text).matches() || Long.parseLong(text) > ProducerId.MAX_VALUE) {
            throw HttpProblemException.badRequest("Invalid " + name.defaultCase() + ": " + text
                    + "; expected an integer from 0 to 2^53-1");
        }
        return Long.parseLong(text);
    }
}
