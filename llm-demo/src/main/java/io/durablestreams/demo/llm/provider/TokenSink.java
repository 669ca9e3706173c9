package io.durablestreams.demo.llm.provider;

/**
 * Receives an answer while a provider generates it. Called on the generating thread only.
 */
public interface TokenSink {

    /**
     * Receives the next piece of the answer text.
     *
     * @param text a non-empty piece of text, in order
     */
    void token(String text);

    /**
     * Records that the provider is still sending, for example a keep-alive event, so that the
     * idle timeout does not stop a slow but live answer.
     */
    void keepAlive();
}
