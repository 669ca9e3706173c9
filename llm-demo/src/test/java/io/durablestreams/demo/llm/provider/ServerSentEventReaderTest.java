package io.durablestreams.demo.llm.provider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class ServerSentEventReaderTest {

    private static List<ServerSentEventReader.Event> readAll(String body) throws IOException {
        ServerSentEventReader reader =
                new ServerSentEventReader(new ByteArrayInputStream(body.getBytes(UTF_8)));
        List<ServerSentEventReader.Event> events = new ArrayList<>();
        Optional<ServerSentEventReader.Event> next;
        while ((next = reader.next()).isPresent()) {
            events.add(next.get());
        }
        return events;
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\r"})
    void lineEndings(String eol) throws IOException {
        String body = "event: a" + eol + "data: one" + eol + eol + "data: two" + eol + eol;

        assertThat(readAll(body), is(List.of(new ServerSentEventReader.Event("a", "one"),
                new ServerSentEventReader.Event("message", "two"))));
    }

    @Test
    void dataLinesJoinWithNewline() throws IOException {
        assertThat(readAll("data: first\ndata:second\ndata\n\n"),
                is(List.of(new ServerSentEventReader.Event("message", "first\nsecond\n"))));
    }

    @Test
    void onlyOneLeadingSpaceDropped() throws IOException {
        assertThat(readAll("data:  two spaces\n\n").getFirst().data(), is(" two spaces"));
    }

    @Test
    void commentsAndUnknownFieldsSkipped() throws IOException {
        assertThat(readAll(": keep-alive\nid: 7\nretry: 10\ndata: x\n\n"),
                is(List.of(new ServerSentEventReader.Event("message", "x"))));
    }

    @Test
    void eventWithoutDataNotDispatched() throws IOException {
        assertThat(readAll("event: lonely\n\ndata: y\n\n"),
                is(List.of(new ServerSentEventReader.Event("message", "y"))));
    }

    @Test
    void unfinishedEventDropped() throws IOException {
        assertThat(readAll("data: complete\n\ndata: cut off"),
                is(List.of(new ServerSentEventReader.Event("message", "complete"))));
    }

    @Test
    void byteOrderMarkIgnored() throws IOException {
        assertThat(readAll("\uFEFFevent: first\ndata: z\n\n"),
                is(List.of(new ServerSentEventReader.Event("first", "z"))));
    }
}
