package io.durablestreams.api;

import java.util.List;
import java.util.OptionalLong;

import io.durablestreams.store.OffsetNotRetainedException;
import io.durablestreams.store.Retention;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Retention set through the Java API. */
class DurableStreamsRetentionTest {

    private final DurableStreams streams = DurableStreams.inMemory();

    @AfterEach
    void closeStreams() {
        streams.close();
    }

    @Test
    void maxMessagesKeepsNewestThroughApi() {
        streams.create("events", StreamOptions.builder()
                .contentType("application/json")
                .retention(new Retention(OptionalLong.empty(), OptionalLong.of(2),
                        OptionalLong.empty()))
                .build());
        streams.appendJson("events", "[1,2,3]");

        List<Message> kept = streams.readMessages("events", "-1");

        assertEquals(2, kept.size(), "two of three messages kept");
        assertEquals("2", kept.get(0).json(), "the oldest kept message");
        assertEquals("3", kept.get(1).json(), "the newest message");
    }

    @Test
    void readBelowEarliestOffsetThrows() {
        streams.create("events", StreamOptions.builder()
                .contentType("text/plain")
                .retention(new Retention(OptionalLong.empty(), OptionalLong.of(1),
                        OptionalLong.empty()))
                .build());
        streams.append("events", "first");
        streams.append("events", "second");

        assertThrows(OffsetNotRetainedException.class,
                () -> streams.read("events", "0000000000000000_0000000000000000"),
                "the first append was dropped");
        assertEquals("second", new String(streams.read("events", "-1").data(),
                java.nio.charset.StandardCharsets.UTF_8), "a read from -1 starts at what is kept");
    }
}
