package io.durablestreams.demo.llm;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.durablestreams.demo.llm.provider.ChatMessage;
import io.durablestreams.demo.llm.provider.ChatProvider;
import io.durablestreams.demo.llm.provider.ProviderException;
import io.durablestreams.demo.llm.provider.TokenSink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Generates answers on the server, each on its own virtual thread, independent of any browser
 * connection, and appends them to their answer streams.
 *
 * <p>An answer stream is a JSON stream of these messages, in order:
 * <ol>
 *   <li>{@code {"type":"start","provider":"demo","model":"…","startedAt":"…"}}</li>
 *   <li>any number of {@code {"type":"token","index":0,"text":"…","elapsedMs":412}}, with
 *       indexes counting up from 0 without gaps</li>
 *   <li>either {@code {"type":"end","finishReason":"end_turn","tokens":120,"elapsedMs":5012}}
 *       or {@code {"type":"error","message":"…","tokens":12,"elapsedMs":900}}, appended in the
 *       same step that closes the stream</li>
 * </ol>
 * Every answer stream is closed when its generation ends, whether it succeeded, failed, went
 * idle or the server stopped, so readers never wait for data that will not come.
 *
 * <p>A watchdog stops an answer whose provider sent nothing for the idle timeout, by
 * interrupting its thread.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
final class AnswerGenerator implements AutoCloseable {

    private static final System.Logger LOGGER =
            System.getLogger(AnswerGenerator.class.getName());

    /** How long {@link #close()} waits for stopped answers to write their final message. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final TokenStreams streams;
    private final ChatProvider provider;
    private final Duration idleTimeout;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final ConcurrentHashMap<String, Generation> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watchdog;
    private volatile boolean closing;

    /**
     * Creates a generator and starts its idle watchdog.
     *
     * @param streams where answers are appended
     * @param provider the provider that generates answers
     * @param idleTimeout how long an answer may go without data from the provider
     * @param mapper the JSON mapper for messages
     * @param clock source of the start time written into each answer
     */
    AnswerGenerator(TokenStreams streams, ChatProvider provider, Duration idleTimeout,
                    ObjectMapper mapper, Clock clock) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.watchdog = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("answer-idle-watchdog").daemon().factory());
        long periodMillis = Math.clamp(idleTimeout.toMillis() / 4, 50, 1000);
        watchdog.scheduleWithFixedDelay(this::stopIdleAnswers, periodMillis, periodMillis,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Starts generating an answer into an open, empty answer stream.
     *
     * @param answerPath the answer stream's path
     * @param conversation earlier turns and the new prompt, ending with a user turn
     * @throws IllegalStateException when the generator is closing
     */
    void start(String answerPath, List<ChatMessage> conversation) {
        if (closing) {
            throw new IllegalStateException("The server is stopping, so no answer can start");
        }
        Generation generation = new Generation(answerPath, List.copyOf(conversation));
        // The thread is set before the watchdog and close() can see the generation.
        generation.thread = Thread.ofVirtual().name("answer " + answerPath)
                .unstarted(generation::run);
        running.put(answerPath, generation);
        generation.thread.start();
    }

    /**
     * Tells whether an answer is being generated now.
     *
     * @param answerPath the answer stream's path
     * @return true while its generation runs
     */
    boolean isRunning(String answerPath) {
        return running.containsKey(answerPath);
    }

    /**
     * Ends an answer stream whose generation is gone, for example because the server stopped
     * before it finished, so that its readers do not wait forever.
     *
     * @param answerPath the answer stream's path, open and not being generated
     * @param message the error message to append
     */
    void closeAbandoned(String answerPath, String message) {
        ObjectNode error = mapper.createObjectNode()
                .put("type", "error")
                .put("message", message);
        streams.append(answerPath, List.of(error), true);
    }

    /**
     * Stops every running answer with an error message, and waits briefly for them to close
     * their streams.
     */
    @Override
    public void close() {
        closing = true;
        watchdog.shutdownNow();
        for (Generation generation : running.values()) {
            generation.stop(StopReason.SHUTDOWN);
        }
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        for (Generation generation : running.values()) {
            long remaining = deadline - System.nanoTime();
            try {
                if (remaining <= 0 || !generation.thread.join(Duration.ofNanos(remaining))) {
                    LOGGER.log(Level.WARNING, "Answer {0} did not stop within {1}",
                            generation.answerPath, SHUTDOWN_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void stopIdleAnswers() {
        long now = System.nanoTime();
        for (Generation generation : running.values()) {
            if (now - generation.lastActivityNanos > idleTimeout.toNanos()) {
                generation.stop(StopReason.IDLE);
            }
        }
    }

    /** The reason a generation was interrupted. */
    private enum StopReason {
        IDLE,
        SHUTDOWN
    }

    /** One answer being generated: the provider's sink and the thread that runs it. */
    private final class Generation implements TokenSink {

        private final String answerPath;
        private final List<ChatMessage> conversation;
        private final long startNanos = System.nanoTime();
        private volatile long lastActivityNanos = startNanos;
        private volatile StopReason stopReason;
        private Thread thread;

        /** Tokens appended so far. Written by the generating thread only. */
        private int tokens;

        Generation(String answerPath, List<ChatMessage> conversation) {
            this.answerPath = answerPath;
            this.conversation = conversation;
        }

        void run() {
            try {
                streams.append(answerPath, List.of(mapper.createObjectNode()
                        .put("type", "start")
                        .put("provider", provider.name())
                        .put("model", provider.model())
                        .put("startedAt", clock.instant().toString())), false);
                String finishReason = provider.streamAnswer(conversation, this);
                finish(mapper.createObjectNode()
                        .put("type", "end")
                        .put("finishReason", finishReason));
                LOGGER.log(Level.DEBUG, () -> "Answer " + answerPath + " finished with "
                        + tokens + " tokens in " + elapsedMillis() + " ms");
            } catch (ProviderException e) {
                LOGGER.log(Level.WARNING, "Answer {0} failed after {1} tokens: {2} returned"
                                + " error type {3} with HTTP status {4}", answerPath, tokens,
                        provider.displayName(), e.errorType(), e.httpStatus());
                fail(e.getMessage());
            } catch (InterruptedException | IOException e) {
                failOnInterruptOrIo(e);
            } catch (RuntimeException e) {
                LOGGER.log(Level.ERROR, "Answer " + answerPath + " failed", e);
                fail("The server failed to generate this answer; its log has the details.");
            } finally {
                running.remove(answerPath, this);
            }
        }

        @Override
        public void token(String text) {
            lastActivityNanos = System.nanoTime();
            streams.append(answerPath, List.of(mapper.createObjectNode()
                    .put("type", "token")
                    .put("index", tokens)
                    .put("text", text)
                    .put("elapsedMs", elapsedMillis())), false);
            tokens++;
        }

        @Override
        public void keepAlive() {
            lastActivityNanos = System.nanoTime();
        }

        void stop(StopReason reason) {
            if (stopReason == null) {
                stopReason = reason;
                thread.interrupt();
            }
        }

        private void failOnInterruptOrIo(Exception e) {
            StopReason reason = stopReason;
            if (reason == StopReason.IDLE) {
                LOGGER.log(Level.WARNING, "Answer {0} stopped after {1} tokens: no data from {2}"
                        + " for {3}", answerPath, tokens, provider.displayName(), idleTimeout);
                fail("No data came from " + provider.displayName() + " for "
                        + idleTimeout.toSeconds() + " s, so the answer was stopped.");
            } else if (reason == StopReason.SHUTDOWN) {
                LOGGER.log(Level.INFO, "Answer {0} stopped by server shutdown", answerPath);
                fail("The server stopped before this answer was finished.");
            } else if (e instanceof InterruptedException) {
                LOGGER.log(Level.WARNING, "Answer {0} was interrupted", answerPath);
                fail("The answer was interrupted on the server.");
            } else {
                LOGGER.log(Level.WARNING, "Answer " + answerPath + " failed after " + tokens
                        + " tokens: connection to " + provider.displayName() + " failed", e);
                fail(connectionFailure((IOException) e));
            }
        }

        private String connectionFailure(IOException e) {
            String name = provider.displayName();
            if (e instanceof ConnectException) {
                return "Could not connect to " + name + ". Check the base URL and the network.";
            }
            if (e instanceof HttpTimeoutException) {
                return name + " did not respond within " + idleTimeout.toSeconds() + " s.";
            }
            String detail = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            return "The connection to " + name + " failed (" + detail + ").";
        }

        private void finish(ObjectNode last) {
            last.put("tokens", tokens).put("elapsedMs", elapsedMillis());
            // A pending interrupt must not disturb the final append.
            Thread.interrupted();
            streams.append(answerPath, List.of(last), true);
        }

        private void fail(String message) {
            try {
                finish(mapper.createObjectNode()
                        .put("type", "error")
                        .put("message", message));
            } catch (IllegalStateException e) {
                LOGGER.log(Level.WARNING, "Closing answer stream " + answerPath + " failed", e);
            }
        }

        private long elapsedMillis() {
            return (System.nanoTime() - startNanos) / 1_000_000;
        }
    }
}
