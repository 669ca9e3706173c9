package io.durablestreams.demo.llm.provider;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * HTTP steps shared by the chat API providers: the client, the streaming request, and the
 * translation of error responses and error events into {@link ProviderException}s.
 */
final class ChatApiCalls {

    /** Error bodies are read up to this size; the message is near the start of any real one. */
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private ChatApiCalls() {
    }

    /**
     * Creates the HTTP client of one provider. HTTP/1.1 keeps the streamed response a plain
     * chunked body on every server, including local mock servers without TLS.
     *
     * @return the client
     */
    static HttpClient newHttpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Sends a streaming request and returns the body of its {@code 200} response.
     *
     * @param client the HTTP client
     * @param request the request
     * @param label the provider's name in messages, for example {@code Anthropic}
     * @param mapper the JSON mapper, for error bodies
     * @return the response body, to be closed by the caller
     * @throws ProviderException when the response status is not 200
     * @throws IOException when the request fails
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    static InputStream open(HttpClient client, HttpRequest request, String label,
                            ObjectMapper mapper)
            throws ProviderException, IOException, InterruptedException {
        HttpResponse<InputStream> response =
                client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        int status = response.statusCode();
        if (status == 200) {
            return response.body();
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_ERROR_BODY_BYTES);
        }
        JsonNode error = parseOrNull(mapper, body);
        String type = error == null ? "unknown" : errorType(error);
        String message = error == null ? "" : errorMessage(error);
        throw new ProviderException(label + " API returned HTTP " + status
                + (message.isEmpty() ? "" : ": " + message)
                + (type.equals("unknown") ? "" : " (" + type + ")"), type, status);
    }

    /**
     * Creates the exception for an error event inside a stream.
     *
     * @param label the provider's name in messages
     * @param event the event's JSON, which has an {@code error} member
     * @return the exception
     */
    static ProviderException errorEvent(String label, JsonNode event) {
        String type = errorType(event);
        String message = errorMessage(event);
        return new ProviderException(label + " reported an error while streaming: "
                + (message.isEmpty() ? "no message given" : message)
                + (type.equals("unknown") ? "" : " (" + type + ")"), type, 200);
    }

    /**
     * Parses an event's data as JSON.
     *
     * @param mapper the JSON mapper
     * @param label the provider's name in messages
     * @param data the event data
     * @return the JSON value
     * @throws ProviderException when the data is not valid JSON
     */
    static JsonNode parseEvent(ObjectMapper mapper, String label, String data)
            throws ProviderException {
        try {
            return mapper.readTree(data);
        } catch (JsonProcessingException e) {
            throw new ProviderException(label + " sent an event that is not valid JSON: "
                    + e.getOriginalMessage(), "invalid_event", 200);
        }
    }

    /**
     * Creates the exception for a stream that ended before its final event.
     *
     * @param label the provider's name in messages
     * @param finalEvent the event that should have ended the stream
     * @return the exception
     */
    static ProviderException incomplete(String label, String finalEvent) {
        return new ProviderException("The " + label + " stream ended before " + finalEvent
                + ", so the answer may be incomplete", "incomplete_stream", 200);
    }

    /**
     * Returns a JSON string's value.
     *
     * @param node any node, possibly missing or null
     * @return the string, or empty when the node is not a string
     */
    static String text(JsonNode node) {
        return node.isTextual() ? node.textValue() : "";
    }

    /**
     * Returns a JSON string's value, or a fallback.
     *
     * @param node any node, possibly missing or null
     * @param fallback the value when the node is not a non-empty string
     * @return the string or the fallback
     */
    static String textOr(JsonNode node, String fallback) {
        String value = text(node);
        return value.isEmpty() ? fallback : value;
    }

    private static JsonNode parseOrNull(ObjectMapper mapper, byte[] body) {
        try {
            return mapper.readTree(new String(body, UTF_8));
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Reads {@code error.type}, present in both APIs' error objects. */
    private static String errorType(JsonNode root) {
        JsonNode error = root.path("error");
        String type = text(error.path("type"));
        if (type.isEmpty()) {
            type = text(error.path("code"));
        }
        return type.isEmpty() ? "unknown" : type;
    }

    /** Reads {@code error.message}, or {@code error} itself when it is a plain string. */
    private static String errorMessage(JsonNode root) {
        JsonNode error = root.path("error");
        if (error.isTextual()) {
            return error.asText();
        }
        return text(error.path("message"));
    }
}
