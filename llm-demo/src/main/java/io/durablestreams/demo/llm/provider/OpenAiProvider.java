package io.durablestreams.demo.llm.provider;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Streams answers from the OpenAI Chat Completions API ({@code POST /chat/completions} with
 * {@code "stream": true}), and from servers that copy that API.
 *
 * <p>The response is Server-Sent Events without event names: each {@code data:} line holds a
 * {@code chat.completion.chunk} whose {@code choices[0].delta.content} is the next piece of
 * text and whose {@code choices[0].finish_reason} is set on the last chunk, and the stream ends
 * with {@code data: [DONE]}. An error inside the stream is a data line holding an object with
 * an {@code error} member.
 */
public final class OpenAiProvider implements ChatProvider {

    private static final String LABEL = "OpenAI";
    private static final String DONE = "[DONE]";

    private final ChatApiSettings settings;
    private final HttpClient client;
    private final ObjectMapper mapper;

    /**
     * Creates a provider with its own HTTP client.
     *
     * @param settings base URL, model, key and limits
     * @param mapper the JSON mapper
     */
    public OpenAiProvider(ChatApiSettings settings, ObjectMapper mapper) {
        this(settings, ChatApiCalls.newHttpClient(), mapper);
    }

    /**
     * Creates a provider.
     *
     * @param settings base URL (including {@code /v1}), model and key; the token limit is not
     *        sent, because the API's name for it differs between models and compatible servers
     * @param client the HTTP client
     * @param mapper the JSON mapper
     */
    public OpenAiProvider(ChatApiSettings settings, HttpClient client, ObjectMapper mapper) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.client = Objects.requireNonNull(client, "client");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public String displayName() {
        return LABEL;
    }

    @Override
    public String model() {
        return settings.model();
    }

    @Override
    public String streamAnswer(List<ChatMessage> conversation, TokenSink sink)
            throws ProviderException, IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(settings.endpoint("/chat/completions"))
                .timeout(settings.responseTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + settings.apiKey().reveal())
                .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody(conversation)))
                .build();
        try (InputStream body = ChatApiCalls.open(client, request, LABEL, mapper)) {
            return readEvents(new ServerSentEventReader(body), sink);
        }
    }

    private byte[] requestBody(List<ChatMessage> conversation) throws IOException {
        ObjectNode body = mapper.createObjectNode();
        body.put("model", settings.model());
        body.put("stream", true);
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : conversation) {
            messages.addObject()
                    .put("role", message.role().apiName())
                    .put("content", message.content());
        }
        return mapper.writeValueAsBytes(body);
    }

    private String readEvents(ServerSentEventReader events, TokenSink sink)
            throws ProviderException, IOException {
        String finishReason = null;
        Optional<ServerSentEventReader.Event> next;
        while ((next = events.next()).isPresent()) {
            ServerSentEventReader.Event event = next.get();
            if (event.data().strip().equals(DONE)) {
                return finishReason == null ? "stop" : finishReason;
            }
            JsonNode chunk = ChatApiCalls.parseEvent(mapper, LABEL, event.data());
            if (chunk.has("error") || event.type().equals("error")) {
                throw ChatApiCalls.errorEvent(LABEL, chunk);
            }
            JsonNode choice = chunk.path("choices").path(0);
            String text = ChatApiCalls.text(choice.path("delta").path("content"));
            if (!text.isEmpty()) {
                sink.token(text);
            } else {
                sink.keepAlive();
            }
            JsonNode reason = choice.path("finish_reason");
            if (reason.isTextual()) {
                finishReason = reason.asText();
            }
        }
        // Some compatible servers end the body after the last chunk without [DONE]; a finish
        // reason already shows that the answer is complete.
        if (finishReason != null) {
            return finishReason;
        }
        throw ChatApiCalls.incomplete(LABEL, "[DONE]");
    }
}
