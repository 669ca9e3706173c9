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
 * Streams answers from the Anthropic Messages API ({@code POST /v1/messages} with
 * {@code "stream": true}).
 *
 * <p>The response is Server-Sent Events whose data is JSON with a {@code type} member:
 * {@code message_start}, {@code content_block_start}, {@code content_block_delta} (text arrives
 * as {@code text_delta}), {@code content_block_stop}, {@code message_delta} (carries
 * {@code stop_reason}), {@code message_stop}, {@code ping}, and {@code error}, which can arrive
 * after text was already sent. Event types this class does not know are skipped, as the API
 * documentation asks of clients.
 */
public final class AnthropicProvider implements ChatProvider {

    /** The API version this class speaks, sent as {@code anthropic-version}. */
    static final String API_VERSION = "2023-06-01";

    private static final String LABEL = "Anthropic";

    private final ChatApiSettings settings;
    private final HttpClient client;
    private final ObjectMapper mapper;

    /**
     * Creates a provider with its own HTTP client.
     *
     * @param settings base URL, model, key and limits
     * @param mapper the JSON mapper
     */
    public AnthropicProvider(ChatApiSettings settings, ObjectMapper mapper) {
        this(settings, ChatApiCalls.newHttpClient(), mapper);
    }

    /**
     * Creates a provider.
     *
     * @param settings base URL, model, key and limits
     * @param client the HTTP client
     * @param mapper the JSON mapper
     */
    public AnthropicProvider(ChatApiSettings settings, HttpClient client, ObjectMapper mapper) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.client = Objects.requireNonNull(client, "client");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public String name() {
        return "anthropic";
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
        HttpRequest request = HttpRequest.newBuilder(settings.endpoint("/v1/messages"))
                .timeout(settings.responseTimeout())
                .header("content-type", "application/json")
                .header("accept", "text/event-stream")
                .header("anthropic-version", API_VERSION)
                .header("x-api-key", settings.apiKey().reveal())
                .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody(conversation)))
                .build();
        try (InputStream body = ChatApiCalls.open(client, request, LABEL, mapper)) {
            return readEvents(new ServerSentEventReader(body), sink);
        }
    }

    private byte[] requestBody(List<ChatMessage> conversation) throws IOException {
        ObjectNode body = mapper.createObjectNode();
        body.put("model", settings.model());
        body.put("max_tokens", settings.maxTokens());
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
        String stopReason = null;
        Optional<ServerSentEventReader.Event> next;
        while ((next = events.next()).isPresent()) {
            ServerSentEventReader.Event event = next.get();
            JsonNode data = ChatApiCalls.parseEvent(mapper, LABEL, event.data());
            String type = ChatApiCalls.textOr(data.path("type"), event.type());
            switch (type) {
                case "content_block_start" -> {
                    JsonNode block = data.path("content_block");
                    String text = ChatApiCalls.text(block.path("text"));
                    boolean textBlock = ChatApiCalls.text(block.path("type")).equals("text");
                    if (textBlock && !text.isEmpty()) {
                        sink.token(text);
                    } else {
                        sink.keepAlive();
                    }
                }
                case "content_block_delta" -> {
                    JsonNode delta = data.path("delta");
                    String text = ChatApiCalls.text(delta.path("text"));
                    // Other delta types (thinking, tool input) are not part of the answer text.
                    boolean textDelta = ChatApiCalls.text(delta.path("type")).equals("text_delta");
                    if (textDelta && !text.isEmpty()) {
                        sink.token(text);
                    } else {
                        sink.keepAlive();
                    }
                }
                case "message_delta" -> {
                    JsonNode reason = data.path("delta").path("stop_reason");
                    if (reason.isTextual()) {
                        stopReason = reason.asText();
                    }
                    sink.keepAlive();
                }
                case "message_stop" -> {
                    return stopReason == null ? "end_turn" : stopReason;
                }
                case "error" -> throw ChatApiCalls.errorEvent(LABEL, data);
                default -> sink.keepAlive();
            }
        }
        throw ChatApiCalls.incomplete(LABEL, "message_stop");
    }
}
