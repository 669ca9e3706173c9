package io.durablestreams.api;

/**
 * Receives the data a {@link StreamListener} reads, in stream order, on the listener's thread.
 */
@FunctionalInterface
public interface DataHandler {

    /**
     * Handles one chunk of data. The listener advances its offset past the chunk only when
     * this method returns normally; when it throws, the listener stops and a later
     * {@link StreamListener#start()} delivers the same data again. The listener reads nothing
     * more while this method runs.
     *
     * @param chunk a chunk that is not empty
     * @throws Exception to stop the listener without advancing its offset
     */
    void onData(Chunk chunk) throws Exception;
}
