package io.durablestreams.subscriptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

/**
 * Reads and writes the small JSON documents of the subscription APIs as plain Java values:
 * objects are {@link Map}s that keep member order, arrays are {@link List}s, numbers are
 * {@link Long}, {@link BigInteger} or {@link BigDecimal}, and JSON {@code null} is {@code null}.
 *
 * <p>Jackson's streaming API is already a dependency of the server, so this avoids a data-binding
 * library for a few request and response shapes.
 *
 * <p>Thread-safety: stateless and safe for concurrent use.
 */
final class Json {

    /** Deepest nesting accepted in a request body; subscription documents need four levels. */
    private static final int MAX_DEPTH = 32;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .build())
            .build();

    private Json() {
    }

    /**
     * Parses one JSON document.
     *
     * @param body UTF-8 JSON
     * @return the value
     * @throws IllegalArgumentException when the body is not exactly one valid JSON value
     */
    static Object parse(byte[] body) {
        try (JsonParser parser = FACTORY.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IllegalArgumentException("Request body is empty, expected JSON");
            }
            Object value = readValue(parser);
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("Request body has data after the JSON value");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            // The parser reads from a byte array, so any other I/O failure is also bad input.
            throw new IllegalArgumentException("Invalid JSON: " + e.getMessage());
        }
    }

    /**
     * Serializes a value built from maps, lists, strings, numbers, booleans and nulls.
     *
     * @param value the value
     * @return UTF-8 JSON without insignificant whitespace
     * @throws IllegalArgumentException when the value holds another type
     */
    static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            writeValue(generator, value);
        } catch (IOException e) {
            throw new UncheckedIOException("Writing JSON to memory failed", e);
        }
        return out.toByteArray();
    }

    private static Object readValue(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> object = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    if (object.containsKey(name)) {
                        throw new IllegalArgumentException("Invalid JSON: member \"" + name
                                + "\" appears twice");
                    }
                    object.put(name, readValue(parser));
                }
                return object;
            }
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(readValue(parser));
                }
                return array;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_NUMBER_INT -> {
                return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? parser.getBigIntegerValue()
                        : parser.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return parser.getDecimalValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IllegalArgumentException("Invalid JSON: unexpected " + token);
        }
    }

    private static void writeValue(JsonGenerator generator, Object value) throws IOException {
        switch (value) {
            case null -> generator.writeNull();
            case String s -> generator.writeString(s);
            case Boolean b -> generator.writeBoolean(b);
            case Integer i -> generator.writeNumber(i);
            case Long l -> generator.writeNumber(l);
            case BigInteger b -> generator.writeNumber(b);
            case BigDecimal d -> generator.writeNumber(d);
            case Map<?, ?> map -> {
                generator.writeStartObject();
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    generator.writeFieldName((String) entry.getKey());
                    writeValue(generator, entry.getValue());
                }
                generator.writeEndObject();
            }
            case List<?> list -> {
                generator.writeStartArray();
                for (Object element : list) {
                    writeValue(generator, element);
                }
                generator.writeEndArray();
            }
            default -> throw new IllegalArgumentException("Cannot write "
                    + value.getClass().getName() + " as JSON");
        }
    }
}
