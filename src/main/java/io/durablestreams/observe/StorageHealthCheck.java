package io.durablestreams.observe;

import java.util.Objects;
import java.util.Optional;

import io.durablestreams.store.StreamStore;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * Readiness check that fails while the store cannot write, so that a load balancer stops sending
 * appends to a server whose disk is full, read-only or failing.
 */
public final class StorageHealthCheck implements HealthCheck {

    private final StreamStore store;

    /**
     * Creates the check.
     *
     * @param store the store to check
     */
    public StorageHealthCheck(StreamStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public String name() {
        return "durable-streams-storage";
    }

    @Override
    public HealthCheckResponse call() {
        Optional<String> problem = store.writeProblem();
        HealthCheckResponse.Builder response = HealthCheckResponse.builder()
                .status(problem.isEmpty())
                .detail("streams", store.size());
        problem.ifPresent(p -> response.detail("problem", p));
        return response.build();
    }
}
