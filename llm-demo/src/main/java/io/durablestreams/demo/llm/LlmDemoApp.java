package io.durablestreams.demo.llm;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Objects;

import io.durablestreams.demo.llm.provider.ChatProvider;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;

/**
 * The demo application without its web server: conversations, answer generation, the JSON API,
 * the page, and the Durable Streams protocol mounted beside them.
 *
 * <p>Thread-safety: safe for concurrent use once created.
 */
public final class LlmDemoApp implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(LlmDemoApp.class.getName());

    private final TokenStreams streams;
    private final AnswerGenerator generator;
    private final ConversationApi api;

    private LlmDemoApp(TokenStreams streams, AnswerGenerator generator, ConversationApi api) {
        this.streams = streams;
        this.generator = generator;
        this.api = api;
    }

    /**
     * Creates the application, and closes answer streams left open by an earlier run.
     *
     * @param settings the demo settings
     * @param streams the streams; closed by the caller
     * @param provider the provider that generates answers
     * @param mapper the JSON mapper
     * @return the application
     */
    public static LlmDemoApp create(DemoSettings settings, TokenStreams streams,
                                    ChatProvider provider, ObjectMapper mapper) {
        Objects.requireNonNull(settings, "settings");
        Clock clock = Clock.systemUTC();
        Conversations conversations = new Conversations(streams, mapper, clock);
        AnswerGenerator generator = new AnswerGenerator(streams, provider,
                settings.idleTimeout(), mapper, clock);
        ChatService chat = new ChatService(conversations, generator, provider, streams, clock);
        int abandoned = chat.closeAbandonedAnswers();
        if (abandoned > 0) {
            LOGGER.log(Level.INFO, "Closed {0} answer streams that an earlier run left open",
                    abandoned);
        }
        ConversationApi api = new ConversationApi(chat, conversations, provider, streams, mapper);
        return new LlmDemoApp(streams, generator, api);
    }

    /**
     * Registers the page at {@code /}, the JSON API at {@code /api} and the protocol at its
     * mount path.
     *
     * @param routing the routing to add to
     */
    public void routing(HttpRouting.Builder routing) {
        routing.addFilter(new DemoStreamsWriteGuard(streams.mountPath()));
        streams.mount(routing);
        routing.register("/api", api);
        routing.register("/", StaticContentFeature.createService(ClasspathHandlerConfig.builder()
                .location("web")
                .welcome("index.html")
                .build()));
    }

    /** Stops running answers, each with an error message that closes its stream. */
    @Override
    public void close() {
        generator.close();
    }
}
