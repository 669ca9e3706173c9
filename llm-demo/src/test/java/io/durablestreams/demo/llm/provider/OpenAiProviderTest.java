package io.durablestreams.demo.llm.provider;

import java.io.IOException;
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

class OpenAiProviderTest {

    private static final String KEY = "sk-openai-test-key-456";

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

    private OpenAiProvider provider() {
        return new OpenAiProvider(new ChatApiSettings(URI.create(mock.baseUrl() + "/v1"),
                "gpt-test", new ApiKey(KEY), 256, Duration.ofSeconds(5)), mapper);
    }

    private static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1700000000,\"model\":\"gpt-test\",\"choices\":[{\"index\":0,"
                + "\"delta\":" + delta + ",\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}\n\n";
    }

    private static String content(String text) {
        return chunk("{\"content\":\"" + text + "\"}", null);
    }

    private static final String ROLE = chunk("{\"role\":\"assistant\",\"content\":\"\"}", null);
    private static final String STOP = chunk("{}", "stop");
    private static final String DONE = "data: [DONE]\n\n";

    @Test
    void streamsContentDeltas() throws Exception {
        mock.respondWithEvents(ROLE, content("Hello"), content(","), content(" world"), STOP,
                DONE);
        RecordingSink sink = new RecordingSink();

        String reason = provider().streamAnswer(List.of(ChatMessage.user("Hi")), sink);

        assertThat(sink.tokens, is(List.of("Hello", ",", " world")));
        assertThat(reason, is("stop"));
    }

    @Test
    void sendsChatCompletionsRequest() throws Exception {
        mock.respondWithEvents(ROLE, STOP, DONE);
        provider().streamAnswer(List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"),
                ChatMessage.user("Again")), new RecordingSink());

        MockChatServer.RecordedRequest request = mock.takeRequest();
        assertThat(request.method(), is("POST"));
        assertThat(request.path(), is("/v1/chat/completions"));
        assertThat(request.header("Authorization"), is("Bearer " + KEY));
        JsonNode body = mapper.readTree(request.body());
        assertThat(body.path("model").asText(), is("gpt-test"));
        assertThat(body.path("stream").asBoolean(), is(true));
        assertThat(body.path("messages").size(), is(3));
        assertThat(body.path("messages").path(0).path("role").asText(), is("user"));
        assertThat(body.path("messages").path(1).path("role").asText(), is("assistant"));
        assertThat(body.path("messages").path(2).path("content").asText(), is("Again"));
    }

    @Test
    void nullContentIsNoToken() throws Exception {
        mock.respondWithEvents(chunk("{\"role\":\"assistant\",\"content\":null}", null),
                content("Text"), chunk("{\"content\":null}", "length"), DONE);
        RecordingSink sink = new RecordingSink();

        String reason = provider().streamAnswer(List.of(ChatMessage.user("Hi")), sink);

        assertThat(sink.tokens, is(List.of("Text")));
        assertThat(reason, is("length"));
    }

    @Test
    void errorObjectMidStream() {
        mock.respondWithEvents(ROLE, content("Partial"), content(" answer"),
                "data: {\"error\":{\"message\":\"The server had an error while processing your"
                        + " request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n",
                content(" never read"), DONE);
        RecordingSink sink = new RecordingSink();

        ProviderException e = assertThrows(ProviderException.class,
                () -> provider().streamAnswer(List.of(ChatMessage.user("Hi")), sink));

        assertThat(sink.text(), is("Partial answer"));
        assertThat(e.errorType(), is("server_error"));
        assertThat(e.getMessage(), containsString("The server had an error"));
        assertThat(e.httpStatus(), is(200));
    }

    @Test
    void errorEventMidStream() {
        mock.respondWithEvents(ROLE, content("Partial"),
                "event: error\ndata: {\"error\":{\"message\":\"Model overloaded\","
                        + "\"code\":\"overloaded\"}}\n\n");
        RecordingSink sink = new RecordingSink();

        ProviderException e = assertThrows(ProviderException.class,
                () -> provider().streamAnswer(List.of(ChatMessage.user("Hi")), sink));

        assertThat(sink.text(), is("Partial"));
        assertThat(e.errorType(), is("overloaded"));
        assertThat(e.getMessage(), containsString("Model overloaded"));
    }

    @Test
    void httpErrorStatus() {
        mock.respondWithError(429, "{\"error\":{\"message\":\"Rate limit reached for requests\","
                + "\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}");

        ProviderException e = assertThrows(ProviderException.class,
                () -> provider().streamAnswer(List.of(ChatMessage.user("Hi")),
                        new RecordingSink()));

        assertThat(e.httpStatus(), is(429));
        assertThat(e.errorType(), is("requests"));
        assertThat(e.getMessage(), containsString("HTTP 429"));
        assertThat(e.getMessage(), containsString("Rate limit reached"));
        assertThat(e.getMessage(), not(containsString(KEY)));
    }

    @Test
    void finishWithoutDone() throws Exception {
        mock.respondWithEvents(ROLE, content("All"), STOP);
        RecordingSink sink = new RecordingSink();

        String reason = provider().streamAnswer(List.of(ChatMessage.user("Hi")), sink);

        assertThat(sink.text(), is("All"));
        assertThat(reason, is("stop"));
    }

    @Test
    void streamEndingEarly() {
        mock.respondWithEvents(ROLE, content("Cut"));
        RecordingSink sink = new RecordingSink();

        ProviderException e = assertThrows(ProviderException.class,
                () -> provider().streamAnswer(List.of(ChatMessage.user("Hi")), sink));

        assertThat(sink.text(), is("Cut"));
        assertThat(e.errorType(), is("incomplete_stream"));
        assertThat(e.getMessage(), containsString("[DONE]"));
    }

    @Test
    void escapedTextAndUnicode() throws Exception {
        mock.respondWithEvents(ROLE, content("line\\nbreak"), content(" \\\"quoted\\\""),
                content(" caf\\u00e9 ☕"), STOP, DONE);
        RecordingSink sink = new RecordingSink();

        provider().streamAnswer(List.of(ChatMessage.user("Hi")), sink);

        assertThat(sink.text(), is("line\nbreak \"quoted\" café ☕"));
    }
}
