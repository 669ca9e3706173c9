package io.durablestreams.net;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fitting the connection limit into the process's file descriptors. */
class SocketBudgetTest {

    @Test
    void ampleDescriptorsKeepTheLimit() {
        SocketBudget budget = SocketBudget.fit(1_048_576, 1024, 20_000);

        assertEquals(20_000, budget.maxConnections(), "the configured limit");
        assertEquals(1_048_576 - 1024 - SocketBudget.RESERVED_DESCRIPTORS, budget.maxSockets(),
                "sockets: descriptors less files and the reserve");
    }

    @Test
    void scarceDescriptorsLowerTheLimit() {
        SocketBudget budget = SocketBudget.fit(20_000, 1024, 20_000);

        int sockets = 20_000 - 1024 - SocketBudget.RESERVED_DESCRIPTORS;
        assertEquals(sockets, budget.maxSockets(), "sockets");
        assertEquals(sockets - SocketBudget.REJECTION_SOCKETS, budget.maxConnections(),
                "connections leave sockets for 503 responses");
        assertTrue(budget.maxConnections() < budget.maxSockets(), "fewer connections than sockets");
    }

    @Test
    void tooFewDescriptorsStopStartUp() {
        var e = assertThrows(IllegalStateException.class, () -> SocketBudget.fit(1024, 256, 100));

        assertTrue(e.getMessage().contains("ulimit -n"), "the message says what to raise");
    }
}
