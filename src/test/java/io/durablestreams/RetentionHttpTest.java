package io.durablestreams;

import java.time.Duration;

import io.durablestreams.store.Offsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Retention limits set through the Stream-Retention-* headers, at each limit's edge. */
class RetentionHttpTest {

    private static final String CONTENT_TYPE = "Content-Type";

    private final ForkTestServer server = ForkTestServer.start();

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void maxMessagesKeepsNewestMessages() {
        server.put("m", CONTENT_TYPE, "application/json", "Stream-Retention-Max-Messages", "3");
        for (int i = 1; i <= 5; i++) {
            assertEquals(204, server.post("m", "{\"i\":" + i + "}", CONTENT_TYPE, "application/json")
                    .status(), "append " + i);
        }

        var read = server.get("m", "offset=-1");
        assertEquals(200, read.status(), "read from -1");
        assertEquals("[{\"i\":3},{\"i\":4},{\"i\":5}]", read.text(),
                "a read from -1 starts at the first kept message");
    }

    @Test
    void maxMessagesAtLimitDropsNothing() {
        server.put("m", CONTENT_TYPE, "application/json", "Stream-Retention-Max-Messages", "3");
        server.post("m", "[1,2,3]", CONTENT_TYPE, "application/json");

        assertEquals("[1,2,3]", server.get("m", "offset=-1").text(), "three of three kept");
        assertEquals(Offsets.START, server.head("m").header("Stream-Earliest-Offset"),
                "nothing was dropped");
    }

    @Test
    void readBelowEarliestOffsetIsGone() {
        server.put("m", CONTENT_TYPE, "text/plain", "Stream-Retention-Max-Messages", "1");
        server.post("m", "first", CONTENT_TYPE, "text/plain");
        server.post("m", "second", CONTENT_TYPE, "text/plain");

        var gone = server.get("m", "offset=" + Offsets.START);
        assertEquals(410, gone.status(), "the first append was dropped");
        assertEquals(Offsets.format(5), gone.header("Stream-Earliest-Offset"),
                "410 names the first kept offset");
        var kept = server.get("m", "offset=" + gone.header("Stream-Earliest-Offset"));
        assertEquals(200, kept.status(), "reading at the earliest offset works");
        assertEquals("second", kept.text(), "the kept append");
    }

    @Test
    void maxBytesKeepsExactlyTheLimit() {
        server.put("b", CONTENT_TYPE, "text/plain", "Stream-Retention-Max-Bytes", "10");
        server.post("b", "aaaaa", CONTENT_TYPE, "text/plain");
        server.post("b", "bbbbb", CONTENT_TYPE, "text/plain");
        server.post("b", "ccccc", CONTENT_TYPE, "text/plain");

        assertEquals("bbbbbccccc", server.get("b", "offset=-1").text(),
                "ten bytes fit a ten-byte limit");

        server.post("b", "dd", CONTENT_TYPE, "text/plain");
        assertEquals("cccccdd", server.get("b", "offset=-1").text(),
                "appends are dropped whole, so fewer than ten bytes may remain");
    }

    @Test
    void maxBytesAlwaysKeepsNewestAppend() {
        server.put("b", CONTENT_TYPE, "text/plain", "Stream-Retention-Max-Bytes", "3");
        server.post("b", "hello", CONTENT_TYPE, "text/plain");
        server.post("b", "world!", CONTENT_TYPE, "text/plain");

        assertEquals("world!", server.get("b", "offset=-1").text(),
                "the newest append stays even when larger than the limit");
    }

    @Test
    void maxAgeDropsOldAppends() {
        server.put("a", CONTENT_TYPE, "text/plain", "Stream-Retention-Max-Age", "60");
        server.post("a", "old", CONTENT_TYPE, "text/plain");
        server.clock().advance(Duration.ofSeconds(61));
        server.post("a", "new", CONTENT_TYPE, "text/plain");

        assertEquals("new", server.get("a", "offset=-1").text(), "the old append expired");
        assertEquals(410, server.get("a", "offset=" + Offsets.START).status(),
                "its offset is gone");
    }

    @Test
    void streamWithoutRetentionHasNoEarliestOffsetHeader() {
        server.put("plain", CONTENT_TYPE, "text/plain");

        assertNull(server.head("plain").header("Stream-Earliest-Offset"),
                "no retention, no header");
    }

    @Test
    void headReportsRetentionSettings() {
        server.put("h", CONTENT_TYPE, "text/plain", "Stream-Retention-Max-Messages", "7",
                "Stream-Retention-Max-Bytes", "1000", "Stream-Retention-Max-Age", "30");

        var head = server.head("h");
        assertEquals("7", head.header("Stream-Retention-Max-Messages"), "max messages");
        assertEquals("1000", head.header("Stream-Retention-Max-Bytes"), "max bytes");
        assertEquals("30", head.header("Stream-Retention-Max-Age"), "max age");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "abc", "1.5", "01"})
    void invalidRetentionValueIsRejected(String value) {
        var reply = server.put("bad", CONTENT_TYPE, "text/plain", "Stream-Retention-Max-Messages", value);

        assertEquals(400, reply.status(), "Stream-Retention-Max-Messages: " + value);
    }
}
