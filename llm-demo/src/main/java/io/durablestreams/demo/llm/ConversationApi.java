package io.durablestreams.demo.llm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

import io.durablestreams.demo.llm.provider.ChatProvider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The demo's JSON API, registered at {@code /api}:
 * <ul>
 *   <li>{@code GET /api/info}: the provider, the model and the index stream's URL</li>
 *   <li>{@code POST /api/conversations}: starts a conversation (201)</li>
 *   <li>{@code GET /api/conversations}: lists conversations, newest first</li>
 *   <li>{@code GET /api/conversations/{id}}: a conversation with its prompts and the current
 *       state and text of each answer</li>
 *   <li>{@code POST /api/conversations/{id}/messages} with {@code {"prompt": "…"}}: records the
 *       prompt, starts generating the answer, and returns its stream URL (202)</li>
 * </ul>
 * Errors are {@code {"error": "…"}} with a 4xx or 5xx status. POST requests from a page of
 * another origin are rejected with 403, so other sites cannot spend the API key.
 */
final class ConversationApi implements HttpService {

    /** Largest accepted request body, in bytes: room for the longest prompt in UTF-8. */
    static final int MAX_BODY_BYTES = ChatService.MAX_PROMPT_CHARS * 4 + 1024;

    private static final System.Logger LOGGER =
            System.getLogger(ConversationApi.class.getName());

    private final ChatService chat;
    private final Conversations conversations;
    private final ChatProvider provider;
    private final TokenStreams streams;
    private final ObjectMapper mapper;

    /**
     * Creates the API.
     *
     * @param chat starts conversations and answers
     * @param conversations conversation metadata, for reads
     * @param provider the provider, for {@code /api/info}
     * @param streams the streams, for URLs
     * @param mapper the JSON mapper
     */
    ConversationApi(ChatService chat, Conversations conversations, ChatProvider provider,
                    TokenStreams streams, ObjectMapper mapper) {
        this.chat = Objects.requireNonNull(chat, "chat");
        this.conversations = Objects.requireNonNull(conversations, "conversations");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.streams = Objects.requireNonNull(streams, "streams");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/info", guarded(this::info))
                .get("/conversations", guarded(this::list))
                .post("/conversations", guarded(this::create))
                .get("/conversations/{id}", guarded(this::conversation))
                .post("/conversations/{id}/messages", guarded(this::ask));
    }

    private void info(ServerRequest req, ServerResponse res) {
        ObjectNode body = mapper.createObjectNode()
                .put("provider", provider.name())
                .put("providerName", provider.displayName())
                .put("model", provider.model())
                .put("streamMountPath", streams.mountPath())
                .put("indexUrl", streams.urlPath(Conversations.INDEX));
        send(res, Status.OK_200, body);
    }

    private void list(ServerRequest req, ServerResponse res) {
        ObjectNode body = mapper.createObjectNode();
        ArrayNode items = body.putArray("conversations");
        for (Conversations.Summary summary : conversations.list()) {
            items.add(summaryJson(summary));
        }
        body.put("indexUrl", streams.urlPath(Conversations.INDEX));
        send(res, Status.OK_200, body);
    }

    private void create(ServerRequest req, ServerResponse res) {
        requireSameOrigin(req);
        Conversations.Summary summary = chat.create();
        res.header(HeaderNames.LOCATION, "/api/conversations/" + summary.id());
        send(res, Status.CREATED_201, summaryJson(summary));
    }

    private void conversation(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        ObjectNode body = summaryJson(chat.requireKnown(id));
        ArrayNode messages = body.putArray("messages");
        for (Conversations.Exchange exchange : conversations.exchanges(id)) {
            ObjectNode message = messages.addObject()
                    .put("index", exchange.index())
                    .put("prompt", exchange.prompt())
                    .put("answerUrl", streams.urlPath(exchange.answerPath()))
                    .put("provider", exchange.provider())
                    .put("model", exchange.model())
                    .put("createdAt", exchange.createdAt());
            Conversations.Answer answer = conversations.answer(exchange.answerPath());
            ObjectNode answerJson = message.putObject("answer")
                    .put("status", answer.status())
                    .put("text", answer.text())
                    .put("tokens", answer.tokens());
            answer.error().ifPresent(error -> answerJson.put("error", error));
            answer.finishReason().ifPresent(reason -> answerJson.put("finishReason", reason));
        }
        send(res, Status.OK_200, body);
    }

    private void ask(ServerRequest req, ServerResponse res) {
        requireSameOrigin(req);
        String id = req.path().pathParameters().get("id");
        boolean json = req.headers().contentType()
                .map(type -> type.mediaType().text().equals("application/json"))
                .orElse(false);
        if (!json) {
            throw new ApiProblem(Status.UNSUPPORTED_MEDIA_TYPE_415, "Send the prompt as"
                    + " Content-Type: application/json, for example {\"prompt\": \"Hello\"}");
        }
        JsonNode request = parseBody(req);
        JsonNode prompt = request.path("prompt");
        Conversations.Exchange exchange = chat.ask(id, prompt.isTextual() ? prompt.asText() : null);
        ObjectNode body = mapper.createObjectNode()
                .put("conversationId", id)
                .put("index", exchange.index())
                .put("answerUrl", streams.urlPath(exchange.answerPath()))
                .put("conversationUrl", "/api/conversations/" + id);
        send(res, Status.ACCEPTED_202, body);
    }

    private ObjectNode summaryJson(Conversations.Summary summary) {
        ObjectNode json = mapper.createObjectNode().put("id", summary.id());
        summary.title().ifPresentOrElse(title -> json.put("title", title),
                () -> json.putNull("title"));
        return json.put("createdAt", summary.createdAt())
                .put("url", "/api/conversations/" + summary.id())
                .put("streamUrl", streams.urlPath(Conversations.conversationPath(summary.id())));
    }

    private JsonNode parseBody(ServerRequest req) {
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new ApiProblem(Status.REQUEST_ENTITY_TOO_LARGE_413, "Request body is larger"
                    + " than the limit of " + MAX_BODY_BYTES + " bytes");
        }
        try {
            JsonNode json = mapper.readTree(body);
            if (json == null || !json.isObject()) {
                throw new ApiProblem(Status.BAD_REQUEST_400, "Request body must be a JSON"
                        + " object such as {\"prompt\": \"Hello\"}");
            }
            return json;
        } catch (JsonProcessingException e) {
            throw new ApiProblem(Status.BAD_REQUEST_400, "Request body is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Rejects a request that a browser sent from a page of another origin. Requests without an
     * {@code Origin} header, such as those of curl, pass.
     */
    private static void requireSameOrigin(ServerRequest req) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isEmpty()) {
            return;
        }
        String host = req.headers().first(HeaderNames.HOST).orElse("");
        String originAuthority;
        try {
            originAuthority = URI.create(origin.get()).getRawAuthority();
        } catch (IllegalArgumentException e) {
            originAuthority = null;
        }
        if (originAuthority == null || !originAuthority.equalsIgnoreCase(host)) {
            throw new ApiProblem(Status.FORBIDDEN_403, "Requests from origin " + origin.get()
                    + " are not accepted; use the page this server serves");
        }
    }

    private void send(ServerResponse res, Status status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Encoding a response failed", e);
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(bytes);
    }

    /** An API handler; it reports rejected requests by throwing {@link ApiProblem}. */
    @FunctionalInterface
    private interface ApiHandler {
        void handle(ServerRequest req, ServerResponse res);
    }

    /** Wraps a handler so that API problems and failures become JSON error responses. */
    private io.helidon.webserver.http.Handler guarded(ApiHandler handler) {
        return (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (ApiProblem e) {
                LOGGER.log(Level.DEBUG, () -> "Rejected " + req.prologue().method().text() + " "
                        + req.path().path() + ": " + e.status().code());
                send(res, e.status(), mapper.createObjectNode().put("error", e.getMessage()));
            } catch (RuntimeException e) {
                LOGGER.log(Level.ERROR, "Handling " + req.prologue().method().text() + " "
                        + req.path().path() + " failed", e);
                send(res, Status.INTERNAL_SERVER_ERROR_500, mapper.createObjectNode()
                        .put("error", "The server failed to handle the request; its log has"
                                + " the details"));
            }
        };
    }
}
