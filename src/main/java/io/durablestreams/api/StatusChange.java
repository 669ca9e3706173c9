package io.durablestreams.api;

import java.util.Objects;
import java.util.Optional;

/**
 * One change of a listener's status.
 *
 * @param status the new status
 * @param offset the listener's offset at the change: where it reads next
 * @param error the failure that caused the change: for {@link ListenerStatus#DISCONNECTED}, the
 *        failed read; for {@link ListenerStatus#IDLE}, a failure that ended the listener, such as
 *        a deleted stream or an exception from the data handler
 */
public record StatusChange(ListenerStatus status, String offset, Optional<Throwable> error) {

    /**
     * Checks the arguments.
     */
    public StatusChange {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(offset, "offset");
        Objects.requireNonNull(error, "error");
    }
}
