package io.durablestreams.demo.llm.provider;

import java.util.ArrayList;
import java.util.List;

/** A sink that keeps every token and counts keep-alive calls. */
final class RecordingSink implements TokenSink {

    final List<String> tokens = new ArrayList<>();
    int keepAlives;

    @Override
    public void token(String text) {
        tokens.add(text);
    }

    @Override
    public void keepAlive() {
        keepAlives++;
    }

    String text() {
        return String.join("", tokens);
    }
}
