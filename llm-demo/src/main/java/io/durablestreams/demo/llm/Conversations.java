package io.durablestreams.demo.llm;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Conversation metadata, kept in durable JSON streams so that it lives as long as the answers
 * do: one index stream lists the conversations, and one stream per conversation lists its
 * prompts and the answer stream of each.
 *
 * <p>Stream layout, below the protocol's mount path:
 * <ul>
 *   <li>{@code llm-demo/index}: {@code {"type":"conversation","id":"…","createdAt":"…"}} when a
 *       conversation starts, and {@code {"type":"title","id":"…","title":"…"}} when its first
 *       prompt arrives</li>
 *   <li>{@code llm-demo/conversation/{id}}: {@code {"type":"prompt","index":0,"text":"…",
 *       "answerUrl":"/v1/stream/llm-demo/answer/{id}/0","provider":"…","model":"…",
 *       "createdAt":"…"}} per prompt</li>
 *   <li>{@code llm-demo/answer/{id}/{index}}: the answer, see {@link AnswerGenerator}</li>
 * </ul>
 *
 * <p>Thread-safety: safe for concurrent use. Callers that add prompts serialize them per
 * conversation, see {@link ChatService}.
 */
final class Conversations {

    /** Path prefix of every stream the demo writes. */
    static final String ROOT = "llm-demo";

    /** Path of the index stream. */
    static final String INDEX = ROOT + "/index";

    /** Titles are cut to this many characters. */
    static final int MAX_TITLE_CHARS = 60;

    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");

    private final TokenStreams streams;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * A conversation in the list.
     *
     * @param id the conversation's id
     * @param title the start of its first prompt, or empty before the first prompt
     * @param createdAt when it started, ISO-8601
     */
    record Summary(String id, Optional<String> title, String createdAt) {
    }

    /**
     * One prompt and its answer stream.
     *
     * @param index the prompt's position in the conversation, from 0
     * @param prompt the prompt text
     * @param answerPath the answer stream's path
     * @param provider the provider that generates answers
     * @param model the model that generates the answer
     * @param createdAt when the prompt arrived, ISO-8601
     */
    record Exchange(int index, String prompt, String answerPath, String provider, String model,
                    String createdAt) {
    }

    /**
     * The content of an answer stream now.
     *
     * @param text the tokens so far, joined
     * @param tokens how many tokens
     * @param status {@code generating}, {@code done} or {@code error}
     * @param error the error message, when the status is {@code error}
     * @param finishReason the provider's reason for ending, when the status is {@code done}
     */
    record Answer(String text, int tokens, String status, Optional<String> error,
                  Optional<String> finishReason) {
    }

    /**
     * Creates the store.
     *
     * @param streams the streams that hold the metadata
     * @param mapper the JSON mapper
     * @param clock source of creation times
     */
    Conversations(TokenStreams streams, ObjectMapper mapper, Clock clock) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.clock = Objects.requireNonNull(clock, "clock");
        streams.createJson(INDEX);
    }

    /**
     * Tells whether a string has the form of a conversation id, so that it is safe in a
     * stream path.
     *
     * @param id the string from a request
     * @return true for 16 lowercase hexadecimal digits
     */
    static boolean isValidId(String id) {
        return ID.matcher(id).matches();
    }

    /**
     * Returns the path of a conversation's stream.
     *
     * @param id a valid conversation id
     * @return the stream path
     */
    static String conversationPath(String id) {
        return ROOT + "/conversation/" + id;
    }

    /**
     * Returns the path of an answer stream.
     *
     * @param id a valid conversation id
     * @param index the prompt's index
     * @return the stream path
     */
    static String answerPath(String id, int index) {
        return ROOT + "/answer/" + id + "/" + index;
    }

    /**
     * Starts a conversation.
     *
     * @return the new conversation
     */
    Summary create() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        String id = HexFormat.of().formatHex(bytes);
        String createdAt = clock.instant().toString();
        streams.createJson(conversationPath(id));
        streams.append(INDEX, List.of(mapper.createObjectNode()
                .put("type", "conversation")
                .put("id", id)
                .put("createdAt", createdAt)), false);
        return new Summary(id, Optional.empty(), createdAt);
    }

    /**
     * Lists the conversations, newest first.
     *
     * @return the conversations
     */
    List<Summary> list() {
        Map<String, Summary> byId = new LinkedHashMap<>();
        for (JsonNode message : streams.readAll(INDEX)) {
            String id = message.path("id").asText();
            switch (message.path("type").asText()) {
                case "conversation" -> byId.put(id, new Summary(id, Optional.empty(),
                        message.path("createdAt").asText()));
                case "title" -> byId.computeIfPresent(id, (key, summary) -> new Summary(key,
                        Optional.of(message.path("title").asText()), summary.createdAt()));
                default -> {
                    // Message types from later versions are skipped.
                }
            }
        }
        List<Summary> newestFirst = new ArrayList<>(byId.values());
        return newestFirst.reversed();
    }

    /**
     * Finds a conversation.
     *
     * @param id a valid conversation id
     * @return the conversation, or empty when none has this id
     */
    Optional<Summary> find(String id) {
        if (!streams.exists(conversationPath(id))) {
            return Optional.empty();
        }
        return list().stream().filter(summary -> summary.id().equals(id)).findFirst();
    }

    /**
     * Returns the prompts of a conversation, oldest first.
     *
     * @param id the id of an existing conversation
     * @return the prompts and their answer streams
     */
    List<Exchange> exchanges(String id) {
        List<Exchange> exchanges = new ArrayList<>();
        for (JsonNode message : streams.readAll(conversationPath(id))) {
            if (message.path("type").asText().equals("prompt")) {
                exchanges.add(new Exchange(message.path("index").asInt(),
                        message.path("text").asText(),
                        answerPath(id, message.path("index").asInt()),
                        message.path("provider").asText(),
                        message.path("model").asText(),
                        message.path("createdAt").asText()));
            }
        }
        return exchanges;
    }

    /**
     * Records a prompt whose answer stream exists, and titles the conversation with its first
     * prompt.
     *
     * @param id the conversation's id
     * @param exchange the prompt
     */
    void addExchange(String id, Exchange exchange) {
        // The title goes first, so a reader that sees the prompt finds the title in the index.
        if (exchange.index() == 0) {
            streams.append(INDEX, List.of(mapper.createObjectNode()
                    .put("type", "title")
                    .put("id", id)
                    .put("title", title(exchange.prompt()))), false);
        }
        streams.append(conversationPath(id), List.of(mapper.createObjectNode()
                .put("type", "prompt")
                .put("index", exchange.index())
                .put("text", exchange.prompt())
                .put("answerUrl", streams.urlPath(exchange.answerPath()))
                .put("provider", exchange.provider())
                .put("model", exchange.model())
                .put("createdAt", exchange.createdAt())), false);
    }

    /**
     * Reads the content of an answer stream.
     *
     * @param answerPath the answer stream's path
     * @return the text so far and the status
     */
    Answer answer(String answerPath) {
        StringBuilder text = new StringBuilder();
        int tokens = 0;
        String status = "generating";
        Optional<String> error = Optional.empty();
        Optional<String> finishReason = Optional.empty();
        for (JsonNode message : streams.readAll(answerPath)) {
            switch (message.path("type").asText()) {
                case "token" -> {
                    text.append(message.path("text").asText());
                    tokens++;
                }
                case "end" -> {
                    status = "done";
                    finishReason = Optional.of(message.path("finishReason").asText());
                }
                case "error" -> {
                    status = "error";
                    error = Optional.of(message.path("message").asText());
                }
                default -> {
                    // The start message carries nothing this summary needs.
                }
            }
        }
        return new Answer(text.toString(), tokens, status, error, finishReason);
    }

    /**
     * Derives a conversation title from its first prompt: whitespace collapsed, and cut at a
     * word boundary when longer than {@link #MAX_TITLE_CHARS}.
     *
     * @param prompt the first prompt
     * @return the title
     */
    static String title(String prompt) {
        String collapsed = prompt.strip().replaceAll("\\s+", " ");
        if (collapsed.length() <= MAX_TITLE_CHARS) {
            return collapsed;
        }
        String cut = collapsed.substring(0, MAX_TITLE_CHARS - 1);
        int space = cut.lastIndexOf(' ');
        if (space > MAX_TITLE_CHARS / 2) {
            cut = cut.substring(0, space);
        }
        return cut + "…";
    }
}
