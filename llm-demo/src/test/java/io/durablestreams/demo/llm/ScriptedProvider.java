package io.durablestreams.demo.llm;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import io.durablestreams.demo.llm.provider.ChatMessage;
import io.durablestreams.demo.llm.provider.ChatProvider;
import io.durablestreams.demo.llm.provider.ProviderException;
import io.durablestreams.demo.llm.provider.TokenSink;

/**
 * A provider for tests whose answer is chosen by the prompt:
 * <ul>
 *   <li>{@code hold …}: sends {@code held} and blocks until {@link #release()}</li>
 *   <li>{@code stall}: sends nothing and blocks until interrupted</li>
 *   <li>{@code fail}: sends {@code partial} and throws a {@link ProviderException}</li>
 *   <li>{@code crash}: throws an {@link IllegalStateException}</li>
 *   <li>anything else: echoes the prompt word by word</li>
 * </ul>
 * It records the conversation of every request.
 */
class ScriptedProvider implements ChatProvider {

    final List<List<ChatMessage>> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);

    void release() {
        released.countDown();
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public String displayName() {
        return "the scripted provider";
    }

    @Override
    public String model() {
        return "scripted-1";
    }

    @Override
    public String streamAnswer(List<ChatMessage> conversation, TokenSink sink)
            throws ProviderException, IOException, InterruptedException {
        requests.add(List.copyOf(conversation));
        String prompt = conversation.getLast().content();
        if (prompt.startsWith("hold")) {
            sink.token("held");
            released.await();
            return "end_turn";
        }
        if (prompt.equals("stall")) {
            new CountDownLatch(1).await();
        }
        if (prompt.equals("fail")) {
            sink.token("partial");
            throw new ProviderException("Upstream reported an error: Overloaded (overloaded_error)",
                    "overloaded_error", 200);
        }
        if (prompt.equals("crash")) {
            throw new IllegalStateException("scripted crash");
        }
        String[] words = prompt.split("(?= )");
        for (String word : words) {
            sink.token(word);
        }
        return "end_turn";
    }
}
