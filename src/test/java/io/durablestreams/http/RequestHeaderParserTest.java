package io.durablestreams.http;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

import io.durablestreams.store.CreateRequest;
import io.durablestreams.store.ProducerId;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RequestHeaderParserTest {

    @Test
    void createWithoutHeadersLeavesSettingsUnset() {
        CreateRequest request = createRequest(WritableHeaders.create());

        assertThat("no content type, so the store applies its default", request.contentType(),
                is(Optional.empty()));
        assertThat("no TTL", request.ttlSeconds(), is(OptionalLong.empty()));
        assertThat("no expiry time", request.expiresAt(), is(Optional.empty()));
        assertThat("not closed", request.close(), is(false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "3600", "1000000000000"})
    void ttlInPlainDecimalIsAccepted(String ttl) {
        CreateRequest request = createRequest(
                headers(ProtocolHeaders.STREAM_TTL, ttl));
        assertThat("TTL " + ttl, request.ttlSeconds(), is(OptionalLong.of(Long.parseLong(ttl))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+1", "01", "00", "1.0", "1e3", "3.6e3", "-1", "", "abc", "1 2",
        "0x10", "1000000000001", "99999999999999999999", "\u0661"})
    void ttlInOtherFormatIsRejected(String ttl) {
        assertBadRequest(() -> createRequest(
                headers(ProtocolHeaders.STREAM_TTL, ttl)), "Stream-TTL: '" + ttl + "'");
    }

    @ParameterizedTest
    @CsvSource({
        "2030-01-01T00:00:00Z, 2030-01-01T00:00:00Z",
        "2030-01-01T01:00:00+01:00, 2030-01-01T00:00:00Z",
        "2030-01-01T00:00:00.5Z, 2030-01-01T00:00:00.500Z",
        "2030-01-01t00:00:00z, 2030-01-01T00:00:00Z"
    })
    void expiresAtInRfc3339IsAccepted(String header, String instant) {
        CreateRequest request = createRequest(
                headers(ProtocolHeaders.STREAM_EXPIRES_AT, header));
        assertThat("expiry time of " + header, request.expiresAt(),
                is(Optional.of(Instant.parse(instant))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2030-01-01", "2030-01-01T00:00:00", "tomorrow", "1700000000", "",
        "2030-13-01T00:00:00Z", "2030-01-01T25:00:00Z"})
    void expiresAtInOtherFormatIsRejected(String value) {
        assertBadRequest(() -> createRequest(
                headers(ProtocolHeaders.STREAM_EXPIRES_AT, value)),
                "Stream-Expires-At: '" + value + "'");
    }

    @Test
    void ttlTogetherWithExpiresAtIsRejected() {
        WritableHeaders<?> headers = headers(ProtocolHeaders.STREAM_TTL, "60");
        headers.set(ProtocolHeaders.STREAM_EXPIRES_AT, "2030-01-01T00:00:00Z");
        assertBadRequest(() -> createRequest(headers),
                "both Stream-TTL and Stream-Expires-At");
    }

    @ParameterizedTest
    @ValueSource(strings = {"text", "/plain", "text/", ";charset=utf-8", "/"})
    void invalidContentTypeIsRejected(String contentType) {
        assertBadRequest(() -> RequestHeaderParser.contentType(
                headers(HeaderNames.CONTENT_TYPE, contentType)),
                "Content-Type: '" + contentType + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", "True", " true "})
    void closedTrueInAnyCaseRequestsClose(String value) {
        assertThat("Stream-Closed: '" + value + "'", RequestHeaderParser.closeRequested(
                headers(ProtocolHeaders.STREAM_CLOSED, value)), is(true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "yes", "1", "", "true,true", "truee"})
    void closedOtherValueIsIgnored(String value) {
        assertThat("Stream-Closed: '" + value + "'", RequestHeaderParser.closeRequested(
                headers(ProtocolHeaders.STREAM_CLOSED, value)), is(false));
    }

    @Test
    void emptyStreamSeqIsRejected() {
        assertBadRequest(() -> RequestHeaderParser.streamSeq(
                headers(ProtocolHeaders.STREAM_SEQ, "")), "empty Stream-Seq");
    }

    @Test
    void producerHeadersAreParsedTogether() {
        WritableHeaders<?> headers = producerHeaders("writer-1", "3", "9007199254740991");
        assertThat("producer identity", RequestHeaderParser.producer(headers),
                is(Optional.of(new ProducerId("writer-1", 3, ProducerId.MAX_VALUE))));
    }

    @Test
    void absentProducerHeadersMeanNoProducer() {
        assertThat("no producer headers", RequestHeaderParser.producer(WritableHeaders.create()),
                is(Optional.empty()));
    }

    @ParameterizedTest
    @CsvSource({
        "true, false, false",
        "false, true, false",
        "false, false, true",
        "true, true, false",
        "true, false, true",
        "false, true, true"
    })
    void partialProducerHeadersAreRejected(boolean id, boolean epoch, boolean seq) {
        WritableHeaders<?> headers = WritableHeaders.create();
        if (id) {
            headers.set(ProtocolHeaders.PRODUCER_ID, "writer-1");
        }
        if (epoch) {
            headers.set(ProtocolHeaders.PRODUCER_EPOCH, "0");
        }
        if (seq) {
            headers.set(ProtocolHeaders.PRODUCER_SEQ, "0");
        }
        assertBadRequest(() -> RequestHeaderParser.producer(headers),
                "Producer-Id " + id + ", Producer-Epoch " + epoch + ", Producer-Seq " + seq);
    }

    @Test
    void emptyProducerIdIsRejected() {
        assertBadRequest(() -> RequestHeaderParser.producer(producerHeaders("", "0", "0")),
                "empty Producer-Id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "01", "1.5", "abc", "", "+1", "9007199254740992",
        "99999999999999999999"})
    void invalidProducerNumbersAreRejected(String number) {
        assertBadRequest(() -> RequestHeaderParser.producer(producerHeaders("w", number, "0")),
                "Producer-Epoch: '" + number + "'");
        assertBadRequest(() -> RequestHeaderParser.producer(producerHeaders("w", "0", number)),
                "Producer-Seq: '" + number + "'");
    }

    private static CreateRequest createRequest(WritableHeaders<?> headers) {
        return RequestHeaderParser.createRequest(headers, new byte[0], Optional.empty());
    }

    private static WritableHeaders<?> headers(HeaderName name, String value) {
        WritableHeaders<?> headers = WritableHeaders.create();
        headers.set(name, value);
        return headers;
    }

    private static WritableHeaders<?> producerHeaders(String id, String epoch, String seq) {
        WritableHeaders<?> headers = WritableHeaders.create();
        headers.set(ProtocolHeaders.PRODUCER_ID, id);
        headers.set(ProtocolHeaders.PRODUCER_EPOCH, epoch);
        headers.set(ProtocolHeaders.PRODUCER_SEQ, seq);
        return headers;
    }

    private static void assertBadRequest(Executable parse, String description) {
        HttpProblemException e = assertThrows(HttpProblemException.class, parse,
                description + " should be rejected");
        assertThat("status for " + description, e.status(), is(Status.BAD_REQUEST_400));
    }
}
