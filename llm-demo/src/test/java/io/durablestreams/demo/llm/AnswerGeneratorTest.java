package io.durablestreams.demo.llm;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.durablestreams.demo.llm.provider.ChatMessage;
import io.durablestreams.demo.llm.provider.ChatProvider;
import io.durablestreams.demo.llm.provider.TokenSink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnswerGeneratorTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String PATH = "test/answer";

    private final ObjectMapper mapper = new ObjectMapper();
    private final TokenStreams streams = TokenStreams.inMemory(Config.empty(), mapper);
    private AnswerGenerator generator;

    @AfterEach
    void close() {
        if (generator != null) {
            generator.close();
        }
        streams.close();
    }

    private List<JsonNode> generate(ChatProvider provider, Duration idleTimeout, String prompt)
            throws InterruptedException {
        generator = new AnswerGenerator(streams, provider, idleTimeout, mapper,
                Clock.systemUTC());
        streams.createJson(PATH);
        generator.start(PATH, List.of(ChatMessage.user(prompt)));
        assertTrue(streams.awaitClosed(PATH, WAIT), "answer stream closed within " + WAIT);
        return streams.readAll(PATH);
    }

    @Test
    void appendsStartTokensAndEnd() throws InterruptedException {
        List<JsonNode> messages = generate(new ScriptedProvider(), WAIT, "one two three");

        assertThat(messages.size(), is(5));
        assertThat(messages.get(0).path("type").asText(), is("start"));
        assertThat(messages.get(0).path("provider").asText(), is("scripted"));
        assertThat(messages.get(0).path("model").asText(), is("scripted-1"));
        for (int i = 0; i < 3; i++) {
            assertThat(messages.get(i + 1).path("type").asText(), is("token"));
            assertThat(messages.get(i + 1).path("index").asInt(), is(i));
        }
        assertThat(messages.get(1).path("text").asText(), is("one"));
        assertThat(messages.get(2).path("text").asText(), is(" two"));
        JsonNode end = messages.get(4);
        assertThat(end.path("type").asText(), is("end"));
        assertThat(end.path("finishReason").asText(), is("end_turn"));
        assertThat(end.path("tokens").asInt(), is(3));
    }

    @Test
    void providerErrorClosesStream() throws InterruptedException {
        List<JsonNode> messages = generate(new ScriptedProvider(), WAIT, "fail");

        assertThat(messages.get(1).path("text").asText(), is("partial"));
        JsonNode last = messages.getLast();
        assertThat(last.path("type").asText(), is("error"));
        assertThat(last.path("message").asText(), containsString("Overloaded"));
        assertThat(last.path("tokens").asInt(), is(1));
    }

    @Test
    void runtimeFailureClosesStream() throws InterruptedException {
        JsonNode last = generate(new ScriptedProvider(), WAIT, "crash").getLast();

        assertThat(last.path("type").asText(), is("error"));
        assertThat(last.path("message").asText(), containsString("failed to generate"));
    }

    @Test
    void idleTimeoutStopsAnswer() throws InterruptedException {
        JsonNode last = generate(new ScriptedProvider(), Duration.ofMillis(300), "stall")
                .getLast();

        assertThat(last.path("type").asText(), is("error"));
        assertThat(last.path("message").asText(), containsString("No data came from the"
                + " scripted provider"));
    }

    @Test
    void keepAliveDefersIdleTimeout() throws InterruptedException {
        ChatProvider slowButAlive = new ScriptedProvider() {
            @Override
            public String streamAnswer(List<ChatMessage> conversation, TokenSink sink)
                    throws InterruptedException {
                // Ten keep-alives 100 ms apart outlast the 300 ms idle timeout three times over.
                for (int i = 0; i < 10; i++) {
                    Thread.sleep(100);
                    sink.keepAlive();
                }
                sink.token("late");
                return "end_turn";
            }
        };

        JsonNode last = generate(slowButAlive, Duration.ofMillis(300), "slow").getLast();

        assertThat(last.path("type").asText(), is("end"));
        assertThat(last.path("tokens").asInt(), is(1));
    }

    @Test
    void connectionFailureMessage() throws InterruptedException {
        ChatProvider unreachable = new ScriptedProvider() {
            @Override
            public String streamAnswer(List<ChatMessage> conversation, TokenSink sink)
                    throws IOException {
                throw new ConnectException();
            }
        };

        JsonNode last = generate(unreachable, WAIT, "hello").getLast();

        assertThat(last.path("type").asText(), is("error"));
        assertThat(last.path("message").asText(),
                is("Could not connect to the scripted provider. Check the base URL and the"
                        + " network."));
    }

    @Test
    void closeStopsRunningAnswers() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        ChatProvider endless = new ScriptedProvider() {
            @Override
            public String streamAnswer(List<ChatMessage> conversation, TokenSink sink)
                    throws InterruptedException {
                sink.token("begun");
                started.countDown();
                new CountDownLatch(1).await();
                return "end_turn";
            }
        };
        generator = new AnswerGenerator(streams, endless, WAIT, mapper, Clock.systemUTC());
        streams.createJson(PATH);
        generator.start(PATH, List.of(ChatMessage.user("go")));
        assertTrue(started.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));

        generator.close();

        assertThat(streams.isClosed(PATH), is(true));
        JsonNode last = streams.readAll(PATH).getLast();
        assertThat(last.path("type").asText(), is("error"));
        assertThat(last.path("message").asText(), containsString("server stopped"));
        assertThrows(IllegalStateException.class,
                () -> generator.start("test/other", List.of(ChatMessage.user("late"))));
    }
}
