package io.durablestreams.store;

import java.util.List;
import java.util.Optional;

/**
 * Keeps streams in memory only: fast, and empty again after every restart.
 *
 * <p>Thread-safety: stateless and safe for concurrent use.
 */
public final class MemoryStorage implements Storage {

    @Override
    public StreamLog create(StreamMeta meta) {
        return new MemoryLog(meta.forkPosition());
    }

    @Override
    public void markSoftDeleted(StreamMeta meta) {
        // Nothing to persist.
    }

    @Override
    public void delete(StreamMeta meta, StreamLog log) {
        log.close();
    }

    @Override
    public void recordAccess(StreamMeta meta, long millis) {
        // Nothing to persist.
    }

    @Override
    public List<RecoveredStream> recover() {
        return List.of();
    }

    @Override
    public Optional<String> writeProblem() {
        return Optional.empty();
    }

    @Override
    public String description() {
        return "in-memory store";
    }

    @Override
    public void close() {
        // Nothing to release.
    }
}
