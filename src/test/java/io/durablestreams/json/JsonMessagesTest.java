package io.durablestreams.json;

import java.io.ByteArrayOutputStream;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonMessagesTest {

    @Test
    void singleValueIsOneMessage() throws InvalidJsonException {
        assertThat("an object body", split("{\"event\": \"created\"}"),
                contains("{\"event\": \"created\"},"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"text\"", "42", "-1.5e-3", "true", "false", "null"})
    void scalarIsOneMessage(String body) throws InvalidJsonException {
        assertThat("a scalar body", split(body), contains(body + ","));
    }

    @Test
    void arrayIsFlattenedIntoMessages() throws InvalidJsonException {
        assertThat("each element of a top-level array is a message",
                split("[{\"event\": \"a\"}, {\"event\": \"b\"}]"),
                contains("{\"event\": \"a\"},", "{\"event\": \"b\"},"));
    }

    @Test
    void onlyOneArrayLevelIsFlattened() throws InvalidJsonException {
        assertThat("elements that are arrays stay arrays", split("[[1,2], [3,4]]"),
                contains("[1,2],", "[3,4],"));
        assertThat("a triple-nested array stores one doubly nested message",
                split("[[[1,2,3]]]"), contains("[[1,2,3]],"));
    }

    @Test
    void whitespaceAroundMessagesIsDropped() throws InvalidJsonException {
        assertThat("whitespace between elements is not part of a message",
                split("  [ 1 ,\n\t2\r\n, {\"a\" : [ 1 ] } ]  "),
                contains("1,", "2,", "{\"a\" : [ 1 ] },"));
        assertThat("whitespace around a single value is not part of the message",
                split("\n {\"a\":1} \n"), contains("{\"a\":1},"));
    }

    @Test
    void numbersAndStringsKeepTheirExactBytes() throws InvalidJsonException {
        String body = "[1.0, 1e3, 1E+2, -0, 0.10, 123456789012345678901234567890,"
                + " \"\\u00e9\", \"é\", \"a\\\"b\", \"\\n\", \"😀\"]";
        assertThat("messages are stored as sent, not re-serialised", split(body),
                contains("1.0,", "1e3,", "1E+2,", "-0,", "0.10,",
                        "123456789012345678901234567890,", "\"\\u00e9\",", "\"é\",",
                        "\"a\\\"b\",", "\"\\n\",", "\"😀\","));
    }

    @Test
    void stringsWithSeparatorCharactersStayWhole() throws InvalidJsonException {
        assertThat("commas and brackets inside strings do not split messages",
                split("[\"a,]\", \"[b\", \"c,\"]"), contains("\"a,]\",", "\"[b\",", "\"c,\","));
    }

    @Test
    void emptyArrayIsRejectedForAppends() {
        assertThrows(InvalidJsonException.class, () -> JsonMessages.split(bytes("[]"), false),
                "an append of [] stores nothing and must be rejected");
        assertThrows(InvalidJsonException.class, () -> JsonMessages.split(bytes(" [ ] "), false),
                "an empty array with whitespace is still empty");
    }

    @Test
    void emptyArrayIsAcceptedForCreation() throws InvalidJsonException {
        assertThat("a create with [] stores no message",
                JsonMessages.split(bytes("[ ]"), true), is(empty()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "   ", "{", "}", "[", "]", "[1,]", "[,1]", "[1 2]", "1 2", "{\"a\":}", "{\"a\" 1}",
        "{'a':1}", "nope", "NaN", "[1]x", "{\"a\":1}}", "\"unterminated", "\"bad \\x escape\"",
        "/* comment */ 1", "01", "1.", ".5", "+1", "[1]\n[2]"
    })
    void invalidJsonIsRejected(String body) {
        assertThrows(InvalidJsonException.class, () -> JsonMessages.split(bytes(body), true),
                "body '" + body + "' is not one valid JSON value");
    }

    @Test
    void invalidUtf8InStringIsRejected() {
        byte[] body = {'"', (byte) 0xC3, (byte) 0x28, '"'};
        assertThrows(InvalidJsonException.class, () -> JsonMessages.split(body, true),
                "a string with an invalid UTF-8 sequence is not valid JSON");
    }

    @Test
    void excessiveNestingIsRejectedNotCrashed() {
        String body = "[".repeat(5_000) + "]".repeat(5_000);
        assertThrows(InvalidJsonException.class, () -> JsonMessages.split(bytes(body), true),
                "nesting beyond the parser's depth limit is invalid input");
    }

    @Test
    void toArrayOfNoRecordsIsEmptyArray() {
        assertThat("no messages", new String(JsonMessages.toArray(new byte[0]), UTF_8),
                is("[]"));
    }

    @Test
    void toArrayJoinsStoredRecords() throws InvalidJsonException {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        for (String body : List.of("{\"a\":1}", "[2,\"x\"]", "[[3]]")) {
            for (byte[] record : JsonMessages.split(bytes(body), false)) {
                stored.writeBytes(record);
            }
        }
        assertThat("records from several appends form one JSON array",
                new String(JsonMessages.toArray(stored.toByteArray()), UTF_8),
                is("[{\"a\":1},2,\"x\",[3]]"));
    }

    private static List<String> split(String body) throws InvalidJsonException {
        return JsonMessages.split(bytes(body), false).stream()
                .map(record -> new String(record, UTF_8))
                .toList();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
