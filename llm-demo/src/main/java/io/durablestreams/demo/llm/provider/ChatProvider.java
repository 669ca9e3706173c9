package io.durablestreams.demo.llm.provider;

import java.io.IOException;
import java.util.List;

/**
 * A source of streamed answers: the built-in demo text or a model behind a chat API.
 *
 * <p>Implementations are safe for concurrent use: several answers may be generated at once,
 * each on its own thread.
 */
public interface ChatProvider {

    /**
     * Returns the provider's name as the page shows it.
     *
     * @return {@code demo}, {@code anthropic} or {@code openai}
     */
    String name();

    /**
     * Returns the provider's name in messages for people.
     *
     * @return for example {@code Anthropic} or {@code the demo provider}
     */
    String displayName();

    /**
     * Returns the name of the model that generates the answers.
     *
     * @return the model name sent to the API
     */
    String model();

    /**
     * Generates the answer to the last user turn, passing each piece of text to the sink as it
     * arrives, and returns when the answer is complete.
     *
     * @param conversation earlier turns and the new prompt, oldest first, ending with a user turn
     * @param sink receives the answer text
     * @return why the answer ended, as the provider reports it, for example {@code end_turn}
     * @throws ProviderException when the provider rejects the request or reports an error,
     *         possibly after some tokens were already passed to the sink
     * @throws IOException when the connection fails or the stream ends before the answer does
     * @throws InterruptedException when the generating thread is interrupted
     */
    String streamAnswer(List<ChatMessage> conversation, TokenSink sink)
            throws ProviderException, IOException, InterruptedException;
}
