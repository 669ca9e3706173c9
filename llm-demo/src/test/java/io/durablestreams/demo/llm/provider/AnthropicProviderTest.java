package io.durablestreams.demo.llm.provider;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AnthropicProviderTest {

    private static final String KEY = "sk-ant-test-key-123";

    private final ObjectMapper mapper = new ObjectMapper();
    private MockChatServer mock;

    @BeforeEach
    void startMock() throws IOException {
        mock = MockChatServer.start();
    }

    @AfterEach
    void stopMock() {
        mock.close();
    }

    private AnthropicProvider provider(URI baseUrl) {
        return new AnthropicProvider(new ChatApiSettings(baseUrl, "claude-test", new ApiKey(KEY),
                256, Duration.ofSeconds(5)), mapper);
    }

    private static String event(String type, String json) {
        return "event: " + type + "\ndata: " + json + "\n\n";
    }

    private static String textDelta(String text) {
        return event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}");
    }

    private static final String MESSAGE_START = event("message_start",
            "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"model\":\"claude-test\",\"content\":[]}}");
    private static final String BLOCK_START = event("content_block_start",
            "{\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    private static final String PING = event("ping", "{\"type\":\"ping\"}");
    private static final String BLOCK_STOP = event("content_block_stop",
            "{\"type\":\"content_block_stop\",\"index\":0}");
    private static final String MESSAGE_DELTA = event("message_delta",
            "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                    + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}");
    private static final String MESSAGE_STOP = event("message_stop",
            "{\"type\":\"message_stop\"}");

    @Test
    void streamsTextDeltas() throws Exception {
        mock.respondWithEvents(MESSAGE_START, BLOCK_START, PING, textDelta("Hello"),
                textDelta(","), textDelta(" world"), BLOCK_STOP, MESSAGE_DELTA, MESSAGE_STOP);
        RecordingSink sink = new RecordingSink();

        String reason = provider(mock.baseUrl()).streamAnswer(List.of(
                ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"),
                ChatMessage.user("Say hello world")), sink);

        assertThat(sink.tokens, is(List.of("Hello", ",", " world")));
        assertThat(reason, is("end_turn"));
    }

    @Test
    void sendsMessagesRequest() throws Exception {
        mock.respondWithEvents(MESSAGE_START, MESSAGE_STOP);
        provider(mock.baseUrl()).streamAnswer(List.of(ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello!"), ChatMessage.user("Again")), new RecordingSink());

        MockChatServer.RecordedRequest request = mock.takeRequest();
        assertThat(request.method(), is("POST"));
        assertThat(request.path(), is("/v1/messages"));
        assertThat(request.header("x-api-key"), is(KEY));
        assertThat(request.header("anthropic-version"), is("2023-06-01"));
        assertThat(request.header("content-type"), is("application/json"));
        JsonNode body = mapper.readTree(request.body());
        assertThat(body.path("model").asText(), is("claude-test"));
        assertThat(body.path("max_tokens").asInt(), is(256));
        assertThat(body.path("stream").asBoolean(), is(true));
        assertThat(body.path("messages").size(), is(3));
        assertThat(body.path("messages").path(1).path("role").asText(), is("assistant"));
        assertThat(body.path("messages").path(1).path("content").asText(), is("Hello!"));
        assertThat(body.path("messages").path(2).path("role").asText(), is("user"));
    }

    @Test
    void keepsBaseUrlPath() throws Exception {
        mock.respondWithEvents(MESSAGE_START, MESSAGE_STOP);
        provider(URI.create(mock.baseUrl() + "/proxy/")).streamAnswer(
                List.of(ChatMessage.user("Hi")), new RecordingSink());

        assertThat(mock.takeRequest().path(), is("/proxy/v1/messages"));
    }

    @Test
    void errorEventMidStream() {
        mock.respondWithEvents(MESSAGE_START, BLOCK_START, textDelta("Partial"),
                textDelta(" answer"), event("error", "{\"type\":\"error\",\"error\":"
                        + "{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"),
                textDelta(" never read"));
        RecordingSink sink = new RecordingSink();

        ProviderException e = assertThrows(ProviderException.class,
                () -> provider(mock.baseUrl()).streamAnswer(List.of(ChatMessage.user("Hi")),
                        sink));

        assertThat(sink.text(), is("Partial answer"));
        assertThat(e.getMessage(), containsString("Overloaded"));
        assertThat(e.getMessage(), containsString("overloaded_error"));
        assertThat(e.errorType(), is("overloaded_error"));
        assertThat(e.httpStatus(), is(200));
    }

    @Test
    void httpErrorStatus() {
        mock.respondWithError(401, "{\"type\":\"error\",\"error\":{\"type\":"
                + "\"authentication_error\",\"message\":\"invalid x-api-key\"}}");

        ProviderException e = assertThrows(ProviderException.class,
                () -> provider(mock.baseUrl()).streamAnswer(List.of(ChatMessage.user("Hi")),
                        new RecordingSink()));

        assertThat(e.httpStatus(), is(401));
        assertThat(e.errorType(), is("authentication_error"));
        assertThat(e.getMessage(), containsString("HTTP 401"));
        assertThat(e.getMessage(), containsString("invalid x-api-key"));
        assertThat(e.getMessage(), not(containsString(KEY)));
    }

    @Test
    void httpErrorWithoutJson() {
        mock.respondWithError(502, "<html>Bad gateway</html>");

        ProviderException e = assertThrows(ProviderException.class,
                () -> provider(mock.baseUrl()).streamAnswer(List.of(ChatMessage.user("Hi")),
                        new RecordingSink()));

        assertThat(e.httpStatus(), is(502));
        assertThat(e.errorType(), is("unknown"));
        assertThat(e.getMessage(), is("Anthropic API returned HTTP 502"));
    }

    @Test
    void streamEndingBeforeMessageStop() {
        mock.respondWithEvents(MESSAGE_START, BLOCK_START, textDelta("Cut"));
        RecordingSink sink = new RecordingSink();

        ProviderException e = assertThrows(ProviderException.class,
                () -> provider(mock.baseUrl()).streamAnswer(List.of(ChatMessage.user("Hi")),
                        sink));

        assertThat(sink.text(), is("Cut"));
        assertThat(e.errorType(), is("incomplete_stream"));
        assertThat(e.getMessage(), containsString("message_stop"));
    }

    @Test
    void eventsSplitAcrossChunks() throws Exception {
        String delta = textDelta("Über");
        mock.respondWithEvents(MESSAGE_START.replace("\n", "\r\n"),
                delta.substring(0, 10), delta.substring(10, 60), delta.substring(60),
                ": a comment line\n\n", MESSAGE_STOP.replace("\n", "\r\n"));
        RecordingSink sink = new RecordingSink();

        String reason = provider(mock.baseUrl()).streamAnswer(List.of(ChatMessage.user("Hi")),
                sink);

        assertThat(sink.tokens, is(List.of("Über")));
        assertThat(reason, is("end_turn"));
    }

    @Test
    void skipsNonTextDeltas() throws Exception {
        mock.respondWithEvents(MESSAGE_START,
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hmm\"}}"),
                event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,"
                        + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\"}}"),
                textDelta("Answer"),
                event("future_event", "{\"type\":\"future_event\"}"),
                MESSAGE_STOP);
        RecordingSink sink = new RecordingSink();

        provider(mock.baseUrl()).streamAnswer(List.of(ChatMessage.user("Hi")), sink);

        assertThat(sink.tokens, is(List.of("Answer")));
    }

    @Test
    void pingsKeepAlive() throws Exception {
        mock.respondWithEvents(MESSAGE_START, PING, PING, MESSAGE_STOP);
        RecordingSink sink = new RecordingSink();

        provider(mock.baseUrl()).streamAnswer(List.of(ChatMessage.user("Hi")), sink);

        assertThat(sink.tokens, is(List.of()));
        assertThat(sink.keepAlives, is(3));
    }

    @Test
    void invalidEventJson() {
        mock.respondWithEvents(MESSAGE_START, "event: content_block_delta\ndata: {oops\n\n");

        ProviderException e = assertThrows(ProviderException.class,
                () -> provider(mock.baseUrl()).streamAnswer(List.of(ChatMessage.user("Hi")),
                        new RecordingSink()));

        assertThat(e.errorType(), is("invalid_event"));
    }

    @Test
    void connectionRefused() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI closed = URI.create("http://127.0.0.1:" + port);

        assertThrows(ConnectException.class,
                () -> provider(closed).streamAnswer(List.of(ChatMessage.user("Hi")),
                        new RecordingSink()));
    }
}
