package io.durablestreams.logging;

import java.util.logging.LogManager;

/**
 * A JUL log manager that keeps its handlers while the JVM shuts down, so that the lines a
 * graceful shutdown logs are not lost: the default manager closes every handler in its own
 * shutdown hook, which runs concurrently with the server's.
 */
public final class ShutdownSafeLogManager extends LogManager {

    /** Creates the manager; JUL instantiates it by class name. */
    public ShutdownSafeLogManager() {
    }

    @Override
    public void reset() {
        // The default manager calls reset() from its shutdown hook; skip it then, so handlers
        // stay open for the server's last log lines. Configuration changes still reset.
        if (!shuttingDown()) {
            super.reset();
        }
    }

    private static boolean shuttingDown() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
