package io.durablestreams.demo.llm.provider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates answers without a model or a network. It picks a built-in answer for the prompt,
 * splits it into pieces the size of model tokens, and sends them at a steady pace with some
 * jitter. It pauses longer after sentences and paragraphs, as a model's streamed output does.
 *
 * <p>The same prompt always gives the same tokens, so two runs can be compared text for text.
 * The timing differs between runs only by scheduling.
 */
public final class DemoProvider implements ChatProvider {

    /** The model name the page shows for demo answers. */
    public static final String MODEL = "built-in-demo";

    /**
     * A newline run, or a word, number or punctuation run with at most one leading space, or
     * other whitespace. Every character matches one alternative, so the tokens cover the text.
     */
    private static final Pattern TOKEN = Pattern.compile(
            "\\n+| ?[\\p{L}\\p{M}'’]+| ?\\p{N}+| ?[^\\s\\p{L}\\p{M}\\p{N}'’]+|\\s+");

    /** Words longer than this are split in two or three pieces, as subword tokens are. */
    private static final int MAX_WORD_TOKEN = 7;

    private final double tokensPerSecond;
    private final Duration firstTokenDelay;

    /**
     * Creates the provider.
     *
     * @param tokensPerSecond average pace, at least 1
     * @param firstTokenDelay wait before the first token, like a model's time to first token
     * @throws IllegalArgumentException when the pace is below 1 or the delay negative
     */
    public DemoProvider(double tokensPerSecond, Duration firstTokenDelay) {
        if (!(tokensPerSecond >= 1)) {
            throw new IllegalArgumentException("Demo tokens-per-second must be at least 1; got "
                    + tokensPerSecond);
        }
        if (firstTokenDelay.isNegative()) {
            throw new IllegalArgumentException("Demo first-token-delay must not be negative;"
                    + " got " + firstTokenDelay);
        }
        this.tokensPerSecond = tokensPerSecond;
        this.firstTokenDelay = firstTokenDelay;
    }

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String displayName() {
        return "the demo provider";
    }

    @Override
    public String model() {
        return MODEL;
    }

    @Override
    public String streamAnswer(List<ChatMessage> conversation, TokenSink sink)
            throws InterruptedException {
        String prompt = conversation.getLast().content();
        List<String> tokens = tokenize(DemoAnswers.answerTo(prompt));
        Random jitter = new Random(prompt.hashCode());
        double baseMillis = 1000.0 / tokensPerSecond;

        Thread.sleep(firstTokenDelay);
        for (String token : tokens) {
            sink.token(token);
            double factor = 0.6 + 0.8 * jitter.nextDouble();
            if (token.endsWith("\n")) {
                factor *= 4;
            } else if (token.endsWith(".") || token.endsWith("?") || token.endsWith(":")) {
                factor *= 3;
            }
            Thread.sleep(Duration.ofNanos((long) (baseMillis * factor * 1_000_000)));
        }
        return "end_turn";
    }

    /**
     * Splits text into model-sized tokens whose concatenation is the text.
     *
     * @param text the text
     * @return the tokens in order
     */
    static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher matcher = TOKEN.matcher(text);
        while (matcher.find()) {
            String token = matcher.group();
            int letters = token.strip().length();
            if (letters <= MAX_WORD_TOKEN || !Character.isLetter(token.strip().charAt(0))) {
                tokens.add(token);
                continue;
            }
            // Subword pieces: the first keeps the leading space, the rest are 3 to 6 letters.
            int start = 0;
            int pieceLength = token.length() - letters + 3 + letters % 3;
            while (token.length() - start > pieceLength + 2) {
                tokens.add(token.substring(start, start + pieceLength));
                start += pieceLength;
                pieceLength = 4;
            }
            tokens.add(token.substring(start));
        }
        return tokens;
    }
}
