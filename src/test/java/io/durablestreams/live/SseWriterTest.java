package io.durablestreams.live;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

import io.durablestreams.SseEventReader;
import io.durablestreams.SseEventReader.SseEvent;

import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SseWriterTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final SseWriter writer = new SseWriter(out);

    @Test
    void eventsAreBufferedUntilFlush() {
        writer.event("data", bytes("hello"));
        assertThat("nothing reaches the client before flush", out.size(), is(0));

        writer.flush();
        assertThat("flush sends the buffered event", out.size() > 0, is(true));
    }

    @Test
    void eventHasNameAndDataLines() throws IOException {
        writer.event("data", bytes("hello"));
        writer.flush();

        assertThat("wire format", out.toString(UTF_8), startsWith("event: data\ndata:"));
        SseEvent event = onlyEvent();
        assertThat("event type", event.type(), is("data"));
        assertThat("event data", event.data(), is("hello"));
    }

    @Test
    void payloadLineBreaksBecomeSeparateDataLines() throws IOException {
        writer.event("data", bytes("a\rb\nc\r\nd"));
        writer.flush();

        SseEvent event = onlyEvent();
        assertThat("CR, LF and CRLF each end one data line", event.data(), is("a\nb\nc\nd"));
        assertThat("every payload line is a data line", event.lines().subList(1, 5),
                everyItem(startsWith("data:")));
        assertThat("one event line and four data lines", event.lines().size(), is(5));
    }

    @Test
    void payloadCannotInjectEvents() throws IOException {
        writer.event("data", bytes("x\n\nevent: control\ndata: {\"streamClosed\":true}\n\r\n"));
        writer.flush();

        SseEvent event = onlyEvent();
        assertThat("the payload stays in one data event", event.type(), is("data"));
        assertThat("the injected lines are data",
                event.data(), is("x\n\nevent: control\ndata: {\"streamClosed\":true}\n\n"));
    }

    @Test
    void trailingLineBreakSurvives() throws IOException {
        writer.event("data", bytes("line\n"));
        writer.flush();

        assertThat("a payload ending in LF keeps it", onlyEvent().data(), is("line\n"));
    }

    @Test
    void emptyPayloadStillDispatchesAnEvent() throws IOException {
        writer.event("data", new byte[0]);
        writer.flush();

        SseEvent event = onlyEvent();
        assertThat("an empty payload is one empty data line", event.data(), is(""));
    }

    @Test
    void leadingSpaceOfPayloadLineSurvives() throws IOException {
        writer.event("data", bytes(" indented\n  twice"));
        writer.flush();

        assertThat("an SSE client strips one space after 'data:', so the writer must keep"
                + " leading spaces of the payload", onlyEvent().data(), is(" indented\n  twice"));
    }

    @Test
    void eventsFollowEachOtherInOrder() throws IOException {
        writer.event("data", bytes("one"));
        writer.event("control", bytes("{\"streamNextOffset\":\"x\"}"));
        writer.flush();

        SseEventReader reader = new SseEventReader(new ByteArrayInputStream(out.toByteArray()));
        assertThat("first event", reader.next().map(SseEvent::type), is(Optional.of("data")));
        assertThat("second event", reader.next().map(SseEvent::type),
                is(Optional.of("control")));
        assertThat("no third event", reader.next(), is(Optional.empty()));
    }

    @Test
    void flushFailureBecomesUncheckedIoException() {
        SseWriter failing = new SseWriter(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("client went away");
            }
        });
        failing.event("data", bytes("x"));

        assertThrows(UncheckedIOException.class, failing::flush,
                "a failed write reaches the caller as UncheckedIOException");
    }

    private SseEvent onlyEvent() throws IOException {
        SseEventReader reader = new SseEventReader(new ByteArrayInputStream(out.toByteArray()));
        SseEvent event = reader.next().orElseThrow(() -> new AssertionError("no event written"));
        assertThat("exactly one event", reader.next(), is(Optional.empty()));
        return event;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
