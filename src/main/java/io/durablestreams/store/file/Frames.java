package io.durablestreams.store.file;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

import io.durablestreams.store.ProducerId;
import io.durablestreams.store.WriterState;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Encodes and decodes the frames of a segment file. One frame holds one append: its records
 * and the writer state that admitted it, so that a crash keeps or loses both together.
 *
 * <pre>
 * frame  = length:int32  crc:int32  body           (big-endian)
 * length = size of body in bytes
 * crc    = CRC32C of body
 * body   = flags:int8  timestamp:int64
 *          [idLength:int32 id:UTF-8 epoch:int64 seq:int64]     when flags has PRODUCER
 *          [seqLength:int32 streamSeq:bytes]                    when flags has STREAM_SEQ
 *          recordCount:int32  recordLength:int32 * recordCount
 *          payload: the records' bytes, back to back
 * </pre>
 *
 * <p>Thread-safety: stateless.
 */
final class Frames {

    /** Bytes before the body: length and checksum. */
    static final int PREFIX_BYTES = 8;

    /** Largest body accepted when reading, so a corrupt length cannot cause a huge allocation. */
    static final int MAX_BODY_BYTES = Integer.MAX_VALUE - 64;

    private static final int CLOSE = 1;
    private static final int PRODUCER = 2;
    private static final int STREAM_SEQ = 4;

    private Frames() {
    }

    /**
     * Encodes a frame.
     *
     * @param records the records, written back to back as the payload
     * @param state the writer state
     * @return the frame's header (prefix and body up to the payload) and the payload buffers
     */
    static Encoded encode(List<byte[]> records, WriterState state) {
        byte[] producerId = state.producer().map(p -> p.id().getBytes(UTF_8)).orElse(null);
        byte[] streamSeq = state.streamSeq().map(s -> s.getBytes(ISO_8859_1)).orElse(null);
        int headerBody = 1 + 8
                + (producerId == null ? 0 : 4 + producerId.length + 16)
                + (streamSeq == null ? 0 : 4 + streamSeq.length)
                + 4 + 4 * records.size();
        long payloadBytes = 0;
        for (byte[] record : records) {
            payloadBytes += record.length;
        }
        long bodyBytes = headerBody + payloadBytes;
        if (bodyBytes > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("Append of " + payloadBytes + " bytes is too large"
                    + " for one frame");
        }

        ByteBuffer header = ByteBuffer.allocate(PREFIX_BYTES + headerBody);
        header.putInt((int) bodyBytes);
        header.putInt(0);
        int flags = (state.close() ? CLOSE : 0)
                | (producerId == null ? 0 : PRODUCER)
                | (streamSeq == null ? 0 : STREAM_SEQ);
        header.put((byte) flags);
        header.putLong(state.timestampMillis());
        if (producerId != null) {
            ProducerId producer = state.producer().orElseThrow();
            header.putInt(producerId.length).put(producerId);
            header.putLong(producer.epoch()).putLong(producer.seq());
        }
        if (streamSeq != null) {
            header.putInt(streamSeq.length).put(streamSeq);
        }
        header.putInt(records.size());
        for (byte[] record : records) {
            header.putInt(record.length);
        }

        CRC32C crc = new CRC32C();
        crc.update(header.array(), PREFIX_BYTES, headerBody);
        ByteBuffer[] buffers = new ByteBuffer[1 + records.size()];
        for (int i = 0; i < records.size(); i++) {
            crc.update(records.get(i));
            buffers[i + 1] = ByteBuffer.wrap(records.get(i));
        }
        header.putInt(4, (int) crc.getValue());
        header.flip();
        buffers[0] = header;
        return new Encoded(buffers, PREFIX_BYTES + headerBody, PREFIX_BYTES + bodyBytes);
    }

    /**
     * Decodes a frame body whose checksum has been verified.
     *
     * @param body the body, positioned at its start
     * @return the decoded writer state and record lengths; the payload follows the header
     * @throws IllegalArgumentException when the body is inconsistent
     */
    static Decoded decode(ByteBuffer body) {
        try {
            int flags = body.get();
            long timestamp = body.getLong();
            Optional<ProducerId> producer = Optional.empty();
            if ((flags & PRODUCER) != 0) {
                byte[] id = new byte[body.getInt()];
                body.get(id);
                producer = Optional.of(new ProducerId(new String(id, UTF_8), body.getLong(),
                        body.getLong()));
            }
            Optional<String> streamSeq = Optional.empty();
            if ((flags & STREAM_SEQ) != 0) {
                byte[] seq = new byte[body.getInt()];
                body.get(seq);
                streamSeq = Optional.of(new String(seq, ISO_8859_1));
            }
            int count = body.getInt();
            if (count < 0 || count > body.remaining() / 4) {
                throw new IllegalArgumentException("Invalid record count " + count);
            }
            List<Integer> lengths = new ArrayList<>(count);
            long total = 0;
            for (int i = 0; i < count; i++) {
                int length = body.getInt();
                if (length <= 0) {
                    throw new IllegalArgumentException("Invalid record length " + length);
                }
                lengths.add(length);
                total += length;
            }
            if (total != body.remaining()) {
                throw new IllegalArgumentException("Record lengths do not add up to the payload");
            }
            WriterState state = new WriterState(producer, streamSeq, (flags & CLOSE) != 0,
                    timestamp);
            return new Decoded(state, lengths, body.position());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid frame: " + e.getMessage(), e);
        }
    }

    /**
     * Computes the checksum of a frame body.
     *
     * @param body the body bytes
     * @return the CRC32C value as stored
     */
    static int checksum(ByteBuffer body) {
        CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        return (int) crc.getValue();
    }

    /**
     * An encoded frame.
     *
     * @param buffers the header, then one buffer per record
     * @param payloadOffset where the payload starts, from the frame's first byte
     * @param frameBytes the frame's total size
     */
    record Encoded(ByteBuffer[] buffers, int payloadOffset, long frameBytes) {
    }

    /**
     * A decoded frame body.
     *
     * @param state the writer state
     * @param recordLengths the length of each record
     * @param payloadOffset where the payload starts, from the body's first byte
     */
    record Decoded(WriterState state, List<Integer> recordLengths, int payloadOffset) {
    }
}
