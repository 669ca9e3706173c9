package io.durablestreams.demo.llm;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

@ServerTest
class ConversationApiTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ScriptedProvider PROVIDER = new ScriptedProvider();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static TokenStreams streams;
    private static LlmDemoApp app;

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final URI base;

    ConversationApiTest(URI base) {
        this.base = base;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        streams = TokenStreams.inMemory(Config.empty(), MAPPER);
        app = LlmDemoApp.create(DemoSettings.demo(1000), streams, PROVIDER, MAPPER);
        app.routing(routing);
    }

    @AfterAll
    static void stop() {
        PROVIDER.release();
        app.close();
        streams.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path));
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return MAPPER.readTree(response.body());
    }

    private String newConversation() throws Exception {
        HttpResponse<String> response = send(request("/api/conversations")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(response.statusCode(), is(201));
        return json(response).path("id").asText();
    }

    private HttpResponse<String> ask(String id, String body) throws Exception {
        return send(request("/api/conversations/" + id + "/messages")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private JsonNode askAndAccept(String id, String prompt) throws Exception {
        HttpResponse<String> response = ask(id, MAPPER.createObjectNode()
                .put("prompt", prompt).toString());
        assertThat(response.body(), response.statusCode(), is(202));
        return json(response);
    }

    /** Reads a stream over HTTP by long-poll from the start until it is closed. */
    private List<JsonNode> readUntilClosed(String url) throws Exception {
        List<JsonNode> messages = new ArrayList<>();
        String offset = "-1";
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = send(request(url + "?live=long-poll&offset="
                    + offset));
            assertThat(response.statusCode() == 200 || response.statusCode() == 204, is(true));
            if (response.statusCode() == 200) {
                json(response).forEach(messages::add);
            }
            offset = response.headers().firstValue("Stream-Next-Offset").orElseThrow();
            if (response.headers().firstValue("Stream-Closed").orElse("").equals("true")) {
                return messages;
            }
        }
        throw new AssertionError("Stream " + url + " was not closed within " + TIMEOUT);
    }

    @Test
    void createListAndGet() throws Exception {
        HttpResponse<String> created = send(request("/api/conversations")
                .POST(HttpRequest.BodyPublishers.noBody()));
        String id = json(created).path("id").asText();

        assertThat(created.statusCode(), is(201));
        assertThat(id, id.matches("[0-9a-f]{16}"), is(true));
        assertThat(created.headers().firstValue("Location").orElseThrow(),
                is("/api/conversations/" + id));
        assertThat(json(created).path("title").isNull(), is(true));
        assertThat(json(created).path("streamUrl").asText(),
                is("/v1/stream/llm-demo/conversation/" + id));

        JsonNode list = json(send(request("/api/conversations")));
        assertThat(list.path("conversations").path(0).path("id").asText(), is(id));
        assertThat(list.path("indexUrl").asText(), is("/v1/stream/llm-demo/index"));

        HttpResponse<String> fetched = send(request("/api/conversations/" + id));
        assertThat(fetched.statusCode(), is(200));
        assertThat(json(fetched).path("messages").size(), is(0));
    }

    @Test
    void askStreamsAnswer() throws Exception {
        String id = newConversation();

        JsonNode accepted = askAndAccept(id, "streams are durable");

        String answerUrl = "/v1/stream/llm-demo/answer/" + id + "/0";
        assertThat(accepted.path("answerUrl").asText(), is(answerUrl));
        assertThat(accepted.path("index").asInt(), is(0));
        List<JsonNode> messages = readUntilClosed(answerUrl);
        assertThat(messages.getFirst().path("type").asText(), is("start"));
        assertThat(messages.getLast().path("type").asText(), is("end"));
        StringBuilder text = new StringBuilder();
        for (int i = 1; i < messages.size() - 1; i++) {
            assertThat(messages.get(i).path("index").asInt(), is(i - 1));
            text.append(messages.get(i).path("text").asText());
        }
        assertThat(text.toString(), is("streams are durable"));

        JsonNode conversation = json(send(request("/api/conversations/" + id)));
        assertThat(conversation.path("title").asText(), is("streams are durable"));
        JsonNode message = conversation.path("messages").path(0);
        assertThat(message.path("prompt").asText(), is("streams are durable"));
        assertThat(message.path("provider").asText(), is("scripted"));
        assertThat(message.path("answer").path("status").asText(), is("done"));
        assertThat(message.path("answer").path("text").asText(), is("streams are durable"));
        assertThat(message.path("answer").path("tokens").asInt(), is(3));
    }

    @Test
    void metadataStreamsReadable() throws Exception {
        String id = newConversation();
        askAndAccept(id, "first prompt");

        HttpResponse<String> conversation = send(request("/v1/stream/llm-demo/conversation/"
                + id + "?offset=-1"));
        JsonNode prompt = json(conversation).path(0);
        assertThat(prompt.path("type").asText(), is("prompt"));
        assertThat(prompt.path("text").asText(), is("first prompt"));
        assertThat(prompt.path("answerUrl").asText(),
                is("/v1/stream/llm-demo/answer/" + id + "/0"));

        JsonNode index = json(send(request("/v1/stream/llm-demo/index?offset=-1")));
        boolean titled = false;
        for (JsonNode message : index) {
            titled |= message.path("type").asText().equals("title")
                    && message.path("id").asText().equals(id)
                    && message.path("title").asText().equals("first prompt");
        }
        assertThat(titled, is(true));
    }

    @Test
    void laterPromptGetsHistory() throws Exception {
        String id = newConversation();
        readUntilClosed(askAndAccept(id, "alpha beta").path("answerUrl").asText());

        readUntilClosed(askAndAccept(id, "gamma").path("answerUrl").asText());

        var last = PROVIDER.requests.getLast();
        assertThat(last.size(), is(3));
        assertThat(last.get(0).content(), is("alpha beta"));
        assertThat(last.get(1).content(), is("alpha beta"));
        assertThat(last.get(1).role().apiName(), is("assistant"));
        assertThat(last.get(2).content(), is("gamma"));
    }

    @Test
    void promptWhileGeneratingConflicts() throws Exception {
        String id = newConversation();
        askAndAccept(id, "hold on");

        HttpResponse<String> second = ask(id, "{\"prompt\":\"too soon\"}");

        assertThat(second.statusCode(), is(409));
        assertThat(json(second).path("error").asText(), containsString("still being generated"));
    }

    @Test
    void providerErrorReachesStream() throws Exception {
        String id = newConversation();

        List<JsonNode> messages = readUntilClosed(askAndAccept(id, "fail")
                .path("answerUrl").asText());

        assertThat(messages.getLast().path("type").asText(), is("error"));
        assertThat(messages.getLast().path("message").asText(), containsString("Overloaded"));
        JsonNode answer = json(send(request("/api/conversations/" + id)))
                .path("messages").path(0).path("answer");
        assertThat(answer.path("status").asText(), is("error"));
        assertThat(answer.path("error").asText(), containsString("Overloaded"));
    }

    @Test
    void unknownConversationNotFound() throws Exception {
        assertThat(send(request("/api/conversations/0123456789abcdef")).statusCode(), is(404));
        assertThat(send(request("/api/conversations/not-an-id")).statusCode(), is(404));
        assertThat(ask("0123456789abcdef", "{\"prompt\":\"hi\"}").statusCode(), is(404));
    }

    @Test
    void invalidPromptsRejected() throws Exception {
        String id = newConversation();

        assertThat(ask(id, "{\"prompt\":\"   \"}").statusCode(), is(400));
        assertThat(ask(id, "{}").statusCode(), is(400));
        assertThat(ask(id, "{\"prompt\":42}").statusCode(), is(400));
        assertThat(ask(id, "[\"hi\"]").statusCode(), is(400));
        assertThat(ask(id, "{oops").statusCode(), is(400));
        String tooLong = "x".repeat(ChatService.MAX_PROMPT_CHARS + 1);
        assertThat(ask(id, "{\"prompt\":\"" + tooLong + "\"}").statusCode(), is(400));
        String tooLarge = "x".repeat(ConversationApi.MAX_BODY_BYTES + 1);
        assertThat(ask(id, "{\"prompt\":\"" + tooLarge + "\"}").statusCode(), is(413));
        HttpResponse<String> plain = send(request("/api/conversations/" + id + "/messages")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hi")));
        assertThat(plain.statusCode(), is(415));
        assertThat(json(send(request("/api/conversations/" + id))).path("messages").size(),
                is(0));
    }

    @Test
    void crossOriginPostRejected() throws Exception {
        HttpResponse<String> foreign = send(request("/api/conversations")
                .header("Origin", "http://other.localhost:1234")
                .POST(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> same = send(request("/api/conversations")
                .header("Origin", "http://" + base.getRawAuthority())
                .POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(foreign.statusCode(), is(403));
        assertThat(same.statusCode(), is(201));
    }

    @Test
    void demoStreamsReadOnly() throws Exception {
        String id = newConversation();
        String path = "/v1/stream/llm-demo/conversation/" + id;

        HttpResponse<String> append = send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"prompt\"}")));
        HttpResponse<String> delete = send(request(path).DELETE());
        HttpResponse<String> encoded = send(request("/v1/stream/llm%2Ddemo/index").DELETE());
        HttpResponse<String> create = send(request("/v1/stream/llm-demo/new")
                .PUT(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> other = send(request("/v1/stream/elsewhere/" + id)
                .header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.noBody()));

        assertThat(append.statusCode(), is(405));
        assertThat(delete.statusCode(), is(405));
        assertThat(encoded.statusCode(), is(405));
        assertThat(create.statusCode(), is(405));
        assertThat(other.statusCode(), is(201));
        assertThat(send(request(path + "?offset=-1")).statusCode(), is(200));
    }

    @Test
    void pageAndClientServed() throws Exception {
        HttpResponse<String> page = send(request("/"));
        HttpResponse<String> module = send(request("/durable-stream-client.js"));

        assertThat(page.statusCode(), is(200));
        assertThat(page.headers().firstValue("Content-Type").orElseThrow(),
                startsWith("text/html"));
        assertThat(page.body(), containsString("app.js"));
        assertThat(module.statusCode(), is(200));
        assertThat(module.headers().firstValue("Content-Type").orElseThrow(),
                containsString("javascript"));
        assertThat(module.body(), containsString("export class DurableStreamReader"));
    }

    @Test
    void infoNamesProvider() throws Exception {
        JsonNode info = json(send(request("/api/info")));

        assertThat(info.path("provider").asText(), is("scripted"));
        assertThat(info.path("model").asText(), is("scripted-1"));
        assertThat(info.path("streamMountPath").asText(), is("/v1/stream"));
    }
}
