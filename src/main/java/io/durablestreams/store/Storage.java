package io.durablestreams.store;

import java.util.List;
import java.util.Optional;

/**
 * Where streams keep their data and metadata: in memory, or in files that survive restarts.
 *
 * <p>Thread-safety: implementations are safe for concurrent use. The store calls
 * {@link #create}, {@link #markSoftDeleted} and {@link #delete} under its lifecycle lock.
 */
public interface Storage extends AutoCloseable {

    /**
     * Creates the storage of a new stream and persists its metadata.
     *
     * @param meta the stream's identity and settings
     * @return an empty log starting at the fork position
     * @throws StorageException when the stream cannot be stored
     */
    StreamLog create(StreamMeta meta);

    /**
     * Persists that a stream was deleted while forks still read it.
     *
     * @param meta the stream
     */
    void markSoftDeleted(StreamMeta meta);

    /**
     * Deletes a stream's data and metadata and closes its log.
     *
     * @param meta the stream
     * @param log its log
     */
    void delete(StreamMeta meta, StreamLog log);

    /**
     * Persists the last read or write of a stream with a sliding TTL, so that a restart does
     * not forget it. Storage may write this lazily.
     *
     * @param meta the stream
     * @param millis epoch milliseconds
     */
    void recordAccess(StreamMeta meta, long millis);

    /**
     * Loads every stored stream, repairing what a crash left half-written.
     *
     * @return the streams found
     */
    List<RecoveredStream> recover();

    /**
     * Checks whether the storage can take writes now, for the readiness check.
     *
     * @return a short description of the problem, or empty when writes work
     */
    Optional<String> writeProblem();

    /**
     * Returns a one-line description for the start-up log, such as the directory and policy.
     *
     * @return the description
     */
    String description();

    /** Syncs what is pending and releases resources. */
    @Override
    void close();
}
