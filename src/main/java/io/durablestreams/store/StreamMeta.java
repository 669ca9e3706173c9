package io.durablestreams.store;

import java.util.Objects;
import java.util.Optional;

/**
 * What storage keeps about a stream besides its data: identity, settings and fork origin.
 *
 * @param path the stream's path
 * @param id identifier of this incarnation of the stream, unique across deletes and re-creates
 * @param config the stream's settings
 * @param forkSourceId the {@code id} of the fork source, for a fork
 * @param forkPosition the fork point, 0 for a stream that is not a fork
 * @param createdMillis creation time, epoch milliseconds
 */
public record StreamMeta(String path,
                         String id,
                         StreamConfig config,
                         Optional<String> forkSourceId,
                         long forkPosition,
                         long createdMillis) {

    /**
     * Checks the arguments.
     */
    public StreamMeta {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(forkSourceId, "forkSourceId");
    }
}
