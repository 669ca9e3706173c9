package io.durablestreams.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/** Names of the headers the Durable Streams protocol defines. */
public final class ProtocolHeaders {

    /** Sliding time-to-live of a stream, in seconds. */
    public static final HeaderName STREAM_TTL = HeaderNames.create("Stream-TTL");
    /** Absolute expiry time of a stream, RFC 3339. */
    public static final HeaderName STREAM_EXPIRES_AT = HeaderNames.create("Stream-Expires-At");
    /** Writer sequence, compared byte-wise. */
    public static final HeaderName STREAM_SEQ = HeaderNames.create("Stream-Seq");
    /** Cursor for CDN request collapsing. */
    public static final HeaderName STREAM_CURSOR = HeaderNames.create("Stream-Cursor");
    /** Offset where the next read starts. */
    public static final HeaderName STREAM_NEXT_OFFSET = HeaderNames.create("Stream-Next-Offset");
    /** Present when a read holds all data stored so far. */
    public static final HeaderName STREAM_UP_TO_DATE = HeaderNames.create("Stream-Up-To-Date");
    /** Present, as {@code true}, when a stream is closed. */
    public static final HeaderName STREAM_CLOSED = HeaderNames.create("Stream-Closed");
    /** Idempotent producer identifier. */
    public static final HeaderName PRODUCER_ID = HeaderNames.create("Producer-Id");
    /** Idempotent producer epoch. */
    public static final HeaderName PRODUCER_EPOCH = HeaderNames.create("Producer-Epoch");
    /** Idempotent producer batch sequence number. */
    public static final HeaderName PRODUCER_SEQ = HeaderNames.create("Producer-Seq");
    /** Sequence number the stream expected, on a sequence gap. */
    public static final HeaderName PRODUCER_EXPECTED_SEQ =
            HeaderNames.create("Producer-Expected-Seq");
    /** Sequence number the request carried, on a sequence gap. */
    public static final HeaderName PRODUCER_RECEIVED_SEQ =
            HeaderNames.create("Producer-Received-Seq");
    /** Set on SSE responses whose data events carry base64 text. */
    public static final HeaderName SSE_DATA_ENCODING =
            HeaderNames.create("stream-sse-data-encoding");
    /** Source of a forked stream. */
    public static final HeaderName STREAM_FORKED_FROM = HeaderNames.create("Stream-Forked-From");
    /** Divergence offset of a forked stream. */
    public static final HeaderName STREAM_FORK_OFFSET = HeaderNames.create("Stream-Fork-Offset");
    /** Sub-position past the divergence offset of a forked stream. */
    public static final HeaderName STREAM_FORK_SUB_OFFSET =
            HeaderNames.create("Stream-Fork-Sub-Offset");

    /**
     * First offset a stream with a retention policy still keeps. An extension of the protocol:
     * sent on 410 answers to reads of dropped data and on HEAD.
     */
    public static final HeaderName STREAM_EARLIEST_OFFSET =
            HeaderNames.create("Stream-Earliest-Offset");
    /** Extension: drop appends older than this many seconds. */
    public static final HeaderName STREAM_RETENTION_MAX_AGE =
            HeaderNames.create("Stream-Retention-Max-Age");
    /** Extension: keep at most this many messages (records). */
    public static final HeaderName STREAM_RETENTION_MAX_MESSAGES =
            HeaderNames.create("Stream-Retention-Max-Messages");
    /** Extension: keep at most this many bytes, always keeping the newest record. */
    public static final HeaderName STREAM_RETENTION_MAX_BYTES =
            HeaderNames.create("Stream-Retention-Max-Bytes");

    private ProtocolHeaders() {
    }
}
