package io.durablestreams.examples.walkthrough;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.durablestreams.api.AppendOutcome;
import io.durablestreams.api.Chunk;
import io.durablestreams.api.DurableStreams;
import io.durablestreams.api.ListenerStatus;
import io.durablestreams.api.Message;
import io.durablestreams.api.StreamInfo;
import io.durablestreams.api.StreamListener;
import io.durablestreams.api.StreamOptions;
import io.durablestreams.store.StreamClosedException;

/**
 * Walks through the Durable Streams Java API on an in-memory store, printing one line per step.
 * The steps create a stream, append, read from the start and from a saved offset, wait for live
 * data, follow the stream with a listener, close it, and read a JSON stream's messages.
 */
public final class Walkthrough {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private Walkthrough() {
    }

    /**
     * Runs the walkthrough.
     *
     * @param args ignored
     * @throws Exception when a step fails, which ends the program with a non-zero status
     */
    public static void main(String[] args) throws Exception {
        try (DurableStreams streams = DurableStreams.inMemory();
             ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {

            // A text stream: every append adds bytes, and returns the offset after them.
            streams.create("demo/log", StreamOptions.of("text/plain"));
            AppendOutcome first = streams.append("demo/log", "hello ");
            streams.append("demo/log", "world");
            System.out.println("created demo/log");

            // Read from the beginning (-1). The chunk carries the offset to continue from.
            Chunk all = streams.read("demo/log", "-1");
            System.out.println("read: " + all.text());
            System.out.println("up to date: " + all.upToDate());

            // Resume from an offset saved earlier: only what came after it.
            Chunk rest = streams.read("demo/log", first.nextOffset());
            System.out.println("resumed: " + rest.text());

            // A live read waits until data arrives, the stream closes, or the timeout passes.
            String tail = all.nextOffset();
            Future<Chunk> live = executor.submit(
                    () -> streams.readLive("demo/log", tail, WAIT));
            streams.append("demo/log", "!");
            System.out.println("live read: " + live.get(WAIT.toSeconds(), TimeUnit.SECONDS).text());

            // A listener follows the stream on a virtual thread and ends when the stream closes.
            StringBuilder followed = new StringBuilder();
            try (StreamListener listener = streams.listener("demo/log")
                    .from("-1")
                    .onData(chunk -> followed.append(chunk.text()))
                    .build()) {
                listener.start();
                streams.append("demo/log", " bye");
                streams.close("demo/log");
                listener.awaitTermination(WAIT);
                System.out.println("listener received: " + followed);
                System.out.println("listener status: " + listener.status());
                if (listener.status() != ListenerStatus.CLOSED) {
                    throw new IllegalStateException("The listener did not reach the end of the"
                            + " closed stream within " + WAIT);
                }
            }

            // A closed stream rejects appends with a typed exception.
            try {
                streams.append("demo/log", "too late");
            } catch (StreamClosedException e) {
                System.out.println("append after close rejected: " + e.getMessage());
            }
            StreamInfo info = streams.metadata("demo/log");
            System.out.println("closed: " + info.closed());

            // A JSON stream keeps message boundaries: an array appends one message per element.
            streams.create("demo/events", StreamOptions.of("application/json"));
            streams.appendJson("demo/events", "[{\"type\":\"created\"}, {\"type\":\"updated\"}]");
            streams.appendJson("demo/events", "{\"type\":\"deleted\"}");
            System.out.println("json read: " + streams.read("demo/events", "-1").text());
            for (Message message : streams.readMessages("demo/events", "-1")) {
                System.out.println("message at " + message.offset() + ": " + message.json());
            }

            System.out.println("walkthrough finished");
        }
    }
}
