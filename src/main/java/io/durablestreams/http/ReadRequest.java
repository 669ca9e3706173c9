package io.durablestreams.http;

import java.util.List;
import java.util.Optional;

import io.durablestreams.store.DurableStream;
import io.durablestreams.store.Offsets;

import io.helidon.common.uri.UriQuery;

/**
 * The query parameters of a read: where to start, in which mode, and the echoed cursor.
 *
 * @param mode catch-up, long-poll or SSE
 * @param offset the {@code offset} parameter: {@code -1}, {@code now} or an offset token
 * @param cursor the {@code cursor} parameter, if sent
 */
record ReadRequest(Mode mode, String offset, Optional<String> cursor) {

    /** Sentinel offset for the start of a stream. */
    static final String BEGINNING = "-1";

    /** Sentinel offset for the tail of a stream at the time of the request. */
    static final String NOW = "now";

    /** How a read delivers data. */
    enum Mode {
        /** Returns what is stored and ends. */
        CATCH_UP,
        /** Waits for data when none is stored past the offset. */
        LONG_POLL,
        /** Streams data as Server-Sent Events. */
        SSE
    }

    /**
     * Parses and validates the query; unknown parameters are ignored so that protocol
     * extensions stay compatible.
     *
     * @param query the request query
     * @return the read request
     * @throws HttpProblemException 400 when a parameter is invalid or repeated
     */
    static ReadRequest parse(UriQuery query) {
        Mode mode = mode(single(query, "live"));
        Optional<String> offset = single(query, "offset");
        if (offset.isEmpty() && mode != Mode.CATCH_UP) {
            throw HttpProblemException.badRequest("Live reads need an offset parameter;"
                    + " use offset=-1 to start at the beginning or offset=now for new data only");
        }
        String value = offset.orElse(BEGINNING);
        if (!value.equals(BEGINNING) && !value.equals(NOW) && !Offsets.isWellFormed(value)) {
            throw HttpProblemException.badRequest("Invalid offset: use -1, now, or an offset"
                    + " returned in Stream-Next-Offset");
        }
        return new ReadRequest(mode, value, single(query, "cursor"));
    }

    /**
     * Tells whether the read starts at the tail ({@code offset=now}).
     *
     * @return true for {@code now}
     */
    boolean fromTail() {
        return offset.equals(NOW);
    }

    /**
     * Resolves the offset to a position in a stream.
     *
     * @param stream the stream being read
     * @return the start position
     */
    long startPosition(DurableStream stream) {
        if (offset.equals(BEGINNING)) {
            return stream.earliest();
        }
        if (offset.equals(NOW)) {
            return stream.tail();
        }
        return Offsets.parse(offset);
    }

    private static Mode mode(Optional<String> live) {
        if (live.isEmpty()) {
            return Mode.CATCH_UP;
        }
        return switch (live.get()) {
            case "long-poll" -> Mode.LONG_POLL;
            case "sse" -> Mode.SSE;
            default -> throw HttpProblemException.badRequest("Invalid live parameter: use"
                    + " live=long-poll or live=sse");
        };
    }

    private static Optional<String> single(UriQuery query, String name) {
        List<String> values = query.all(name, List::of);
        if (values.size() > 1) {
            throw HttpProblemException.badRequest("Query parameter " + name
                    + " must appear at most once");
        }
        return values.stream().findFirst();
    }
}
