package io.durablestreams.demo.llm;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import io.durablestreams.demo.llm.provider.ChatMessage;
import io.durablestreams.demo.llm.provider.ChatProvider;

import io.helidon.http.Status;

/**
 * Starts conversations and answers prompts: records each prompt, creates its answer stream and
 * starts the generation that fills it.
 *
 * <p>Thread-safety: safe for concurrent use. Prompts to one conversation are handled one at a
 * time under that conversation's lock, so indexes are unique and a prompt is only accepted once
 * the previous answer has ended.
 */
final class ChatService {

    /** Longest accepted prompt, in characters. */
    static final int MAX_PROMPT_CHARS = 8000;

    private static final System.Logger LOGGER = System.getLogger(ChatService.class.getName());

    private final Conversations conversations;
    private final AnswerGenerator generator;
    private final ChatProvider provider;
    private final TokenStreams streams;
    private final Clock clock;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /**
     * Creates the service.
     *
     * @param conversations conversation metadata
     * @param generator generates answers
     * @param provider the provider that generates answers, for the metadata of each prompt
     * @param streams the streams, to create answer streams
     * @param clock source of prompt times
     */
    ChatService(Conversations conversations, AnswerGenerator generator, ChatProvider provider,
                TokenStreams streams, Clock clock) {
        this.conversations = Objects.requireNonNull(conversations, "conversations");
        this.generator = Objects.requireNonNull(generator, "generator");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.streams = Objects.requireNonNull(streams, "streams");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Starts a conversation.
     *
     * @return the new conversation
     */
    Conversations.Summary create() {
        Conversations.Summary summary = conversations.create();
        LOGGER.log(Level.DEBUG, () -> "Started conversation " + summary.id());
        return summary;
    }

    /**
     * Records a prompt and starts generating its answer.
     *
     * @param id the conversation's id, as the client sent it
     * @param prompt the prompt text
     * @return the recorded prompt with its answer stream
     * @throws ApiProblem 400 for an invalid prompt, 404 for an unknown conversation, 409 while
     *         the previous answer is still being generated, 503 while the server stops
     */
    Conversations.Exchange ask(String id, String prompt) {
        requireValidPrompt(prompt);
        requireKnown(id);
        ReentrantLock lock = locks.computeIfAbsent(id, key -> new ReentrantLock());
        lock.lock();
        try {
            List<Conversations.Exchange> earlier = conversations.exchanges(id);
            if (!earlier.isEmpty() && !streams.isClosed(earlier.getLast().answerPath())) {
                throw new ApiProblem(Status.CONFLICT_409, "The previous answer in conversation "
                        + id + " is still being generated; send the prompt when it has ended");
            }
            List<ChatMessage> turns = history(earlier);
            turns.add(ChatMessage.user(prompt));

            int index = earlier.size();
            Conversations.Exchange exchange = new Conversations.Exchange(index, prompt,
                    Conversations.answerPath(id, index), provider.name(), provider.model(),
                    clock.instant().toString());
            // The answer stream exists before any reader can learn its URL from the prompt.
            streams.createJson(exchange.answerPath());
            conversations.addExchange(id, exchange);
            try {
                generator.start(exchange.answerPath(), turns);
            } catch (IllegalStateException e) {
                generator.closeAbandoned(exchange.answerPath(), e.getMessage());
                throw new ApiProblem(Status.SERVICE_UNAVAILABLE_503, e.getMessage());
            }
            LOGGER.log(Level.DEBUG, () -> "Started answer " + exchange.answerPath());
            return exchange;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Finds a conversation.
     *
     * @param id the conversation's id, as the client sent it
     * @return the conversation
     * @throws ApiProblem 404 for an unknown conversation
     */
    Conversations.Summary requireKnown(String id) {
        if (!Conversations.isValidId(id)) {
            throw new ApiProblem(Status.NOT_FOUND_404, "Conversation " + id + " not found;"
                    + " ids are 16 lowercase hexadecimal digits");
        }
        return conversations.find(id).orElseThrow(() -> new ApiProblem(Status.NOT_FOUND_404,
                "Conversation " + id + " not found"));
    }

    /**
     * Closes, with an error message, every answer stream that is open although no generation
     * fills it, as happens to answers that were running when a server with a durable store
     * stopped.
     *
     * @return how many answer streams were closed
     */
    int closeAbandonedAnswers() {
        int closed = 0;
        for (Conversations.Summary summary : conversations.list()) {
            for (Conversations.Exchange exchange : conversations.exchanges(summary.id())) {
                String path = exchange.answerPath();
                if (streams.exists(path) && !streams.isClosed(path)
                        && !generator.isRunning(path)) {
                    generator.closeAbandoned(path, "The server restarted before this answer"
                            + " was finished.");
                    closed++;
                }
            }
        }
        return closed;
    }

    /** Turns earlier prompts and their answers into chat turns, skipping failed empty ones. */
    private List<ChatMessage> history(List<Conversations.Exchange> earlier) {
        List<ChatMessage> turns = new ArrayList<>();
        for (Conversations.Exchange exchange : earlier) {
            String answer = conversations.answer(exchange.answerPath()).text();
            // Chat APIs reject empty turns, and a prompt without an answer adds nothing.
            if (!answer.isBlank()) {
                turns.add(ChatMessage.user(exchange.prompt()));
                turns.add(ChatMessage.assistant(answer));
            }
        }
        return turns;
    }

    private static void requireValidPrompt(String prompt) {
        if (prompt == null || prompt.isBlank()) {
            throw new ApiProblem(Status.BAD_REQUEST_400, "Prompt is missing or blank; send"
                    + " {\"prompt\": \"your question\"}");
        }
        if (prompt.length() > MAX_PROMPT_CHARS) {
            throw new ApiProblem(Status.BAD_REQUEST_400, "Prompt has " + prompt.length()
                    + " characters, more than the limit of " + MAX_PROMPT_CHARS);
        }
    }
}
