package io.durablestreams.demo.llm;

import java.time.Clock;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

class AbandonedAnswersTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void startupClosesOpenAnswers() {
        try (TokenStreams streams = TokenStreams.inMemory(Config.empty(), mapper)) {
            // The state a durable store keeps when the server stops in the middle of an answer.
            Conversations conversations = new Conversations(streams, mapper, Clock.systemUTC());
            String id = conversations.create().id();
            String finished = Conversations.answerPath(id, 0);
            String unfinished = Conversations.answerPath(id, 1);
            streams.createJson(finished);
            conversations.addExchange(id, new Conversations.Exchange(0, "first", finished,
                    "demo", "m", "2026-01-01T00:00:00Z"));
            streams.append(finished, List.of(mapper.createObjectNode().put("type", "end")),
                    true);
            streams.createJson(unfinished);
            conversations.addExchange(id, new Conversations.Exchange(1, "second", unfinished,
                    "demo", "m", "2026-01-01T00:00:01Z"));
            streams.append(unfinished, List.of(mapper.createObjectNode()
                    .put("type", "token").put("index", 0).put("text", "Half")), false);

            try (LlmDemoApp app = LlmDemoApp.create(DemoSettings.demo(100), streams,
                    new ScriptedProvider(), mapper)) {
                assertThat(streams.isClosed(unfinished), is(true));
                JsonNode last = streams.readAll(unfinished).getLast();
                assertThat(last.path("type").asText(), is("error"));
                assertThat(last.path("message").asText(), containsString("restarted"));
                assertThat(streams.readAll(finished).size(), is(1));
            }
        }
    }
}
