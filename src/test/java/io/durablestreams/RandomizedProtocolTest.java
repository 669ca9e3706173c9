package io.durablestreams;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.durablestreams.randomized.Operation;
import io.durablestreams.randomized.Operation.Kind;
import io.durablestreams.randomized.WorkloadRunner;

import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized protocol test: 8 clients on virtual threads run generated scripts of creates,
 * appends (plain, JSON batches, {@code Stream-Seq}, idempotent producers with retries), reads in
 * every mode, forks, closes and deletes against one in-process server, while a model tracks what
 * each acknowledged request implies. {@link WorkloadRunner} lists the checks.
 *
 * <p>The scripts come from a fixed seed, so every run tries the same ones. Set the system
 * property {@value #SEED_PROPERTY} to try others, such as the seed that a failure reports. The
 * interleaving of the clients is up to the scheduler, so a rerun with the failing seed repeats
 * the scripts but not necessarily the failure.
 */
class RandomizedProtocolTest {

    /** System property that replaces the fixed seed. */
    static final String SEED_PROPERTY = "durable-streams.randomized.seed";

    private static final String DEFAULT_SEED = "20261204";
    private static final int CLIENTS = 8;
    private static final int STEPS_PER_CLIENT = 40;
    /** Time after which a try's clients skip their remaining steps; 5 tries stay under 60 s. */
    private static final Duration BUDGET_PER_TRY = Duration.ofSeconds(8);
    /** Violations listed in a failure message; more are counted. */
    private static final int MAX_LISTED = 20;

    @Property(tries = 5, seed = DEFAULT_SEED, shrinking = ShrinkingMode.OFF,
            afterFailure = AfterFailureMode.RANDOM_SEED, edgeCases = EdgeCasesMode.NONE)
    @AddLifecycleHook(SeedOverride.class)
    void concurrentClientsKeepStreamsConsistent(@ForAll("scripts") List<List<Operation>> scripts)
            throws InterruptedException {
        // Small read chunks make catch-up reads span pages and cut appends and UTF-8 characters
        // in two. Short live timeouts keep long-polls and SSE responses from holding up the run.
        try (LoopbackServer server = LoopbackServer.start(LoopbackServer.settings(Map.of(
                "long-poll-timeout", "PT0.5S",
                "sse-reconnect-interval", "PT2S",
                "max-read-bytes", "64")))) {
            WorkloadRunner runner = new WorkloadRunner(server);

            List<String> violations = runner.run(scripts, BUDGET_PER_TRY);
            System.out.println("Randomized protocol try: " + runner.summary());

            assertTrue(violations.isEmpty(), () -> violations.size() + " protocol violations ("
                    + runner.skippedForTime() + " steps skipped for time):\n  "
                    + String.join("\n  ", violations.subList(0,
                            Math.min(MAX_LISTED, violations.size()))));
        }
    }

    @Provide
    Arbitrary<List<List<Operation>>> scripts() {
        Arbitrary<Kind> kinds = Arbitraries.frequency(
                Tuple.of(6, Kind.CREATE),
                Tuple.of(20, Kind.APPEND),
                Tuple.of(8, Kind.APPEND_WITH_SEQ),
                Tuple.of(10, Kind.PRODUCER_APPEND),
                Tuple.of(2, Kind.CLOSE),
                Tuple.of(10, Kind.READ_CATCH_UP),
                Tuple.of(4, Kind.READ_LONG_POLL),
                Tuple.of(5, Kind.READ_SSE),
                Tuple.of(4, Kind.FORK),
                Tuple.of(2, Kind.DELETE));
        Arbitrary<Operation> steps = Combinators.combine(kinds,
                        Arbitraries.integers().between(0, WorkloadRunner.SLOTS.size() - 1),
                        Arbitraries.integers().between(0, WorkloadRunner.FORK_SLOTS - 1),
                        Arbitraries.integers().between(0, 99),
                        Arbitraries.integers().between(1, 3))
                .as(Operation::new);
        return steps.list().ofSize(STEPS_PER_CLIENT).list().ofSize(CLIENTS);
    }

    /**
     * Replaces the fixed seed with the value of {@value #SEED_PROPERTY} when set, and names the
     * seed in the failure, so that a failing run can be repeated.
     */
    static final class SeedOverride implements AroundPropertyHook {

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context,
                                                      PropertyExecutor property) {
            String override = System.getProperty(SEED_PROPERTY, "").strip();
            if (!override.isEmpty()) {
                context.attributes().setSeed(override);
            }
            PropertyExecutionResult result = property.execute();
            if (result.status() != PropertyExecutionResult.Status.FAILED) {
                return result;
            }
            String seed = result.seed().orElse("unknown");
            AssertionError failure = new AssertionError("Randomized protocol test failed with"
                    + " seed " + seed + "; repeat its scripts with -D" + SEED_PROPERTY + "="
                    + seed, result.throwable().orElse(null));
            return result.mapToFailed(failure);
        }
    }
}
