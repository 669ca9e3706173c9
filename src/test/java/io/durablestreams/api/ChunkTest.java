package io.durablestreams.api;

import java.util.List;

import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkTest {

    private static Chunk chunk(String data, String contentType) {
        return new Chunk("-1", "0000000000000000_0000000000000000", data.getBytes(UTF_8),
                contentType, true, false);
    }

    @Test
    void emptyJsonArrayIsEmpty() {
        assertTrue(chunk("[]", "application/json").isEmpty());
        assertTrue(chunk(" [ \n ] ", "application/json; charset=utf-8").isEmpty());
        assertTrue(chunk("", "application/json").isEmpty());
    }

    @Test
    void jsonArrayWithMessageIsNotEmpty() {
        assertFalse(chunk("[1]", "application/json").isEmpty());
        assertFalse(chunk("[ {} ]", "application/json").isEmpty());
    }

    @Test
    void bytesOfOtherTypesAreNotEmpty() {
        assertFalse(chunk("[]", "text/plain").isEmpty());
        assertTrue(chunk("", "text/plain").isEmpty());
    }

    @Test
    void jsonMessagesKeepEachMessageText() {
        Chunk chunk = chunk("[{\"a\": \"x,y\"}, [1, 2], \"s\"]", "application/json");

        assertEquals(List.of("{\"a\": \"x,y\"}", "[1, 2]", "\"s\""), chunk.jsonMessages());
        assertEquals(List.of(), chunk("[]", "application/json").jsonMessages());
    }

    @Test
    void jsonMessagesOfOtherDataFail() {
        assertThrows(IllegalStateException.class, () -> chunk("[1]", "text/plain").jsonMessages());
        assertThrows(IllegalStateException.class,
                () -> chunk("{\"a\":1}", "application/json").jsonMessages());
        assertThrows(IllegalStateException.class,
                () -> chunk("[1,", "application/json").jsonMessages());
    }

    @Test
    void equalChunksCompareByContent() {
        assertEquals(chunk("abc", "text/plain"), chunk("abc", "text/plain"));
        assertEquals(chunk("abc", "text/plain").hashCode(), chunk("abc", "text/plain").hashCode());
        assertNotEquals(chunk("abc", "text/plain"), chunk("abd", "text/plain"));
    }
}
