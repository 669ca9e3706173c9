package io.durablestreams.demo.llm.provider;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DemoProviderTest {

    @ParameterizedTest
    @ValueSource(strings = {"How does resume work?", "Tell me about virtual threads",
            "SSE or long-poll?", "Write a poem", "How do I plan a project?", "What is 2 + 2?",
            "Anything else"})
    void tokensJoinToAnswer(String prompt) {
        String answer = DemoAnswers.answerTo(prompt);
        List<String> tokens = DemoProvider.tokenize(answer);

        assertThat(String.join("", tokens), is(answer));
        assertThat(tokens.size(), greaterThan(50));
        assertThat(tokens, everyItem(not(is(""))));
    }

    @Test
    void tokenizeSplitsLongWords() {
        assertThat(DemoProvider.tokenize("Resumable streaming, 2026!\n\nDone."),
                is(List.of("Res", "umable", " str", "eaming", ",", " 2026", "!", "\n\n", "Done",
                        ".")));
    }

    @Test
    void samePromptSameTokens() throws InterruptedException {
        DemoProvider provider = new DemoProvider(10_000, Duration.ZERO);
        RecordingSink first = new RecordingSink();
        RecordingSink second = new RecordingSink();

        provider.streamAnswer(List.of(ChatMessage.user("Explain offsets")), first);
        provider.streamAnswer(List.of(ChatMessage.user("Explain offsets")), second);

        assertThat(first.tokens, is(second.tokens));
        assertThat(first.text(), is(DemoAnswers.answerTo("Explain offsets")));
    }

    @Test
    void answersLastUserTurn() throws InterruptedException {
        RecordingSink sink = new RecordingSink();

        new DemoProvider(10_000, Duration.ZERO).streamAnswer(List.of(
                ChatMessage.user("Write a poem"), ChatMessage.assistant("…"),
                ChatMessage.user("Now about virtual threads")), sink);

        assertThat(sink.text(), is(DemoAnswers.answerTo("virtual threads")));
    }

    @Test
    void paceFollowsTokensPerSecond() throws InterruptedException {
        DemoProvider provider = new DemoProvider(2_000, Duration.ZERO);
        RecordingSink sink = new RecordingSink();
        long start = System.nanoTime();

        provider.streamAnswer(List.of(ChatMessage.user("Write a poem")), sink);

        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        // At 2000 tokens per second with jitter and pauses, each token costs about 0.5 to 2 ms.
        long expectedMillis = sink.tokens.size() / 2;
        assertThat(elapsedMillis, greaterThan(expectedMillis / 2));
        assertThat(elapsedMillis, lessThan(expectedMillis * 10 + 2_000));
    }

    @Test
    void rejectsPaceBelowOne() {
        assertThrows(IllegalArgumentException.class,
                () -> new DemoProvider(0.5, Duration.ZERO));
    }
}
