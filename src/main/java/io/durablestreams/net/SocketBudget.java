package io.durablestreams.net;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;

import com.sun.management.UnixOperatingSystemMXBean;

/**
 * How many sockets the process can hold, from its file-descriptor limit. When accepting a
 * connection fails for want of a descriptor, Helidon stops listening for good, so the listener
 * must never accept more sockets than the descriptors left after files and other uses allow.
 *
 * @param maxSockets sockets the listener may hold at once; further connections wait in the
 *        operating system's backlog until one closes
 * @param maxConnections connections the gate may serve, fewer than the sockets so that a
 *        connection over the limit still gets its 503
 */
public record SocketBudget(int maxSockets, int maxConnections) {

    /**
     * Descriptors kept for everything but client sockets and store files: jars, logs, and
     * outgoing webhook connections, of which at most 64 are in flight at once.
     */
    static final int RESERVED_DESCRIPTORS = 512;

    /** Sockets kept for responding 503 to connections over the limit in all. */
    static final int REJECTION_SOCKETS = 256;

    /**
     * Fits the configured connection limit into the descriptors the process may open.
     *
     * @param descriptorLimit the process's file-descriptor limit
     * @param fileDescriptors descriptors the store may keep open for its files
     * @param maxConnections the configured limit on connections in all
     * @return the budget; its connection limit is below the configured one when the
     *         descriptors do not suffice
     * @throws IllegalStateException when the descriptors leave no room for connections
     */
    public static SocketBudget fit(long descriptorLimit, int fileDescriptors, int maxConnections) {
        long sockets = Math.min(Integer.MAX_VALUE,
                descriptorLimit - fileDescriptors - RESERVED_DESCRIPTORS);
        if (sockets <= REJECTION_SOCKETS) {
            throw new IllegalStateException("The file-descriptor limit of " + descriptorLimit
                    + " leaves no room for connections; raise it (ulimit -n) to at least "
                    + (fileDescriptors + RESERVED_DESCRIPTORS + 2 * REJECTION_SOCKETS));
        }
        int connections = (int) Math.min(maxConnections, sockets - REJECTION_SOCKETS);
        return new SocketBudget((int) sockets, connections);
    }

    /**
     * Returns the process's file-descriptor limit, on platforms that report one.
     *
     * @return the limit, or empty on platforms without one
     */
    public static OptionalLong descriptorLimit() {
        var system = ManagementFactory.getOperatingSystemMXBean();
        if (system instanceof UnixOperatingSystemMXBean unix) {
            return OptionalLong.of(unix.getMaxFileDescriptorCount());
        }
        return OptionalLong.empty();
    }
}
