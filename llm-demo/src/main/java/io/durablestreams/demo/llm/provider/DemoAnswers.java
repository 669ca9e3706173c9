package io.durablestreams.demo.llm.provider;

import java.util.List;
import java.util.Locale;

/**
 * The built-in answers of the demo provider, picked by keywords in the prompt, or by the
 * prompt's hash when no keyword matches, so that the same prompt always gets the same answer.
 */
final class DemoAnswers {

    private static final String RESUME = """
            Resuming a stream is mostly bookkeeping, and the server does the hard part for you.

            Every response from a Durable Streams server carries the offset of the next byte, \
            so the page keeps exactly one value: the last offset it has fully applied. When the \
            connection drops, because Wi-Fi switches, a laptop sleeps or someone presses "Drop \
            connection", the page waits a moment and asks again from that offset.

            A few details make this exact:

            1. The server sends each batch of data together with a control event that names \
            the next offset, and the page applies the two together. Data without its offset \
            is thrown away and fetched again.
            2. Offsets only grow, so the page can ignore anything at or below the offset it \
            already holds.
            3. The answer keeps being generated on the server while nobody is connected, so \
            after a reconnect the page first catches up, then follows live again.

            The result is text that is byte for byte the same as an uninterrupted read, with \
            no token shown twice and none skipped.""";

    private static final String VIRTUAL_THREADS = """
            Virtual threads change how a Java server can afford to wait.

            A platform thread is an operating system thread with a large stack, so a server \
            that parks one per open connection runs out of them after a few thousand clients. \
            A virtual thread is scheduled by the JVM onto a small pool of carrier threads, and \
            when it blocks on a socket or a lock it gives its carrier back.

            For token streaming this means the simple design is also the scalable one:

            - Each answer is generated on its own virtual thread that reads the model's \
            response line by line and appends every token to a durable stream.
            - Each reader that waits for the next token parks its own virtual thread on the \
            stream's condition, and costs a few hundred bytes while it waits.
            - Nothing needs callbacks or reactive operators, so stack traces stay readable.

            Helidon SE 4 runs every request on a virtual thread, so a long-poll or an SSE \
            connection is just a method that blocks until data arrives.""";

    private static final String TRANSPORTS = """
            Browsers can follow a stream in two ways, and this page can use both.

            Server-Sent Events keep one HTTP response open. The server writes a data event \
            for every batch of tokens and a control event with the next offset right after \
            it. The page reads the response with fetch, so it can abort it on purpose and \
            reconnect from the exact offset it has applied.

            Long-polling asks for data from an offset and the server holds the request until \
            something arrives or a timeout passes. Each response carries the next offset in a \
            header, so the loop is simple: ask, apply, ask again.

            Server-Sent Events have lower latency and fewer requests. Long-polling works \
            through proxies that buffer responses. The client module starts with Server-Sent \
            Events and switches to long-polling when a connection opens but delivers \
            nothing.""";

    private static final String POEM = """
            Here is a short poem about a stream that remembers.

            The tokens fall like rain on glass,
            each one counted as they pass.
            The line goes dark, the signal thin,
            the page forgets where it has been.

            But offsets keep a patient score,
            the server holds what came before,
            and when the window wakes once more
            the words resume, and nothing's lost:
            no line repeated, none crossed.""";

    private static final String PLANNING = """
            Here is a practical way to approach it.

            First, write down what "done" looks like in one or two sentences. A clear goal \
            makes every later decision easier, because you can ask whether a step moves you \
            toward it.

            Next, split the work into steps that each take less than a day:

            1. Gather what you already have, such as notes, data or earlier attempts.
            2. Build the smallest version that works from start to end, even if it is rough.
            3. Test it with someone who did not build it, and write down where they hesitate.
            4. Improve the parts that confused people before adding anything new.

            Finally, keep a short log of decisions and their reasons. When you come back \
            after a break, the log tells you where you stopped, much like an offset tells a \
            stream reader where to resume.""";

    private static final String EXPLAINER = """
            Good question. The short answer is that it depends on what you need to keep and \
            what you can afford to lose.

            Start from the failure you care about most. If losing work is the worst outcome, \
            store every step durably before you show it, and make reads repeatable so that \
            anyone can catch up later. If latency matters most, send data as soon as it \
            exists and let slower readers catch up from storage.

            A durable stream gives you both: the writer appends once, every reader reads the \
            same bytes in the same order, and a reader that falls behind or disconnects asks \
            again from its last offset.

            In practice, I would:

            - keep one stream per unit of work, such as one answer or one job,
            - close the stream when the work ends, so readers know it is finished,
            - and record the offset on the client, so a reload continues where it stopped.

            This is an answer from the built-in demo provider. Set ANTHROPIC_API_KEY or \
            OPENAI_API_KEY to get answers from a real model.""";

    private static final List<String> FALLBACKS = List.of(EXPLAINER, PLANNING);

    private DemoAnswers() {
    }

    /**
     * Picks the answer to a prompt.
     *
     * @param prompt the user's prompt
     * @return the answer text
     */
    static String answerTo(String prompt) {
        String lower = prompt.toLowerCase(Locale.ROOT);
        if (containsAny(lower, "resum", "reconnect", "offset", "drop", "disconnect")) {
            return RESUME;
        }
        if (containsAny(lower, "virtual thread", "thread", "loom", "helidon")) {
            return VIRTUAL_THREADS;
        }
        if (containsAny(lower, "sse", "server-sent", "long-poll", "long poll", "transport")) {
            return TRANSPORTS;
        }
        if (containsAny(lower, "poem", "haiku", "verse", "rhyme")) {
            return POEM;
        }
        if (containsAny(lower, "plan", "how do i", "how should i", "steps")) {
            return PLANNING;
        }
        return FALLBACKS.get(Math.floorMod(prompt.strip().hashCode(), FALLBACKS.size()));
    }

    private static boolean containsAny(String text, String... words) {
        for (String word : words) {
            if (text.contains(word)) {
                return true;
            }
        }
        return false;
    }
}
