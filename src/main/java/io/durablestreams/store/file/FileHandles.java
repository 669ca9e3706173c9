package io.durablestreams.store.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded cache of open segment files, so that a server with many streams on disk holds a
 * fixed number of file descriptors rather than one or more per stream.
 *
 * <p>A caller leases a channel, uses it, and releases it; a channel with leases is never closed.
 * When more channels than the capacity are open, the least recently used idle ones are closed.
 * Leased channels may exceed the capacity for as long as the leases last.
 *
 * <p>Thread-safety: safe for concurrent use. The cache is split into shards, each guarded by its
 * own monitor, so that leases of different files rarely contend; no I/O happens under a monitor
 * except closing evicted channels.
 */
final class FileHandles implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(FileHandles.class.getName());
    private static final int SHARDS = 16;

    private final Shard[] shards = new Shard[SHARDS];

    /**
     * Creates the cache.
     *
     * @param capacity how many idle channels may stay open in all
     */
    FileHandles(int capacity) {
        int perShard = Math.max(1, capacity / SHARDS);
        for (int i = 0; i < SHARDS; i++) {
            shards[i] = new Shard(perShard);
        }
    }

    /**
     * Leases the channel of an existing file, opening it when needed.
     *
     * @param file the segment file
     * @return the lease; release it with {@link Lease#close()}
     * @throws UncheckedIOException when the file cannot be opened
     */
    Lease lease(Path file) {
        return shard(file).lease(file);
    }

    /**
     * Closes a file's channel if it is open and idle, before the file is deleted.
     *
     * @param file the segment file
     */
    void evict(Path file) {
        shard(file).evict(file);
    }

    @Override
    public void close() {
        for (Shard shard : shards) {
            shard.closeAll();
        }
    }

    private Shard shard(Path file) {
        return shards[Math.floorMod(file.hashCode(), SHARDS)];
    }

    /** A leased channel. */
    static final class Lease implements AutoCloseable {

        private final Shard shard;
        private final Entry entry;

        private Lease(Shard shard, Entry entry) {
            this.shard = shard;
            this.entry = entry;
        }

        /**
         * Returns the leased channel.
         *
         * @return the channel, open for reading and writing
         */
        FileChannel channel() {
            return entry.channel;
        }

        /** Returns the lease. */
        @Override
        public void close() {
            shard.release(entry);
        }
    }

    private static final class Entry {
        private final Path file;
        private final FileChannel channel;
        private int leases;

        private Entry(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
        }
    }

    private static final class Shard {

        private final int capacity;
        /** Open channels in access order. Guarded by this shard's monitor. */
        private final LinkedHashMap<Path, Entry> open = new LinkedHashMap<>(16, 0.75f, true);

        private Shard(int capacity) {
            this.capacity = capacity;
        }

        private synchronized Lease lease(Path file) {
            Entry entry = open.get(file);
            if (entry != null && !entry.channel.isOpen()) {
                // An interrupt during I/O closes a file channel for every user; open it again
                // rather than failing all later reads and writes of that file.
                open.remove(file);
                entry = null;
            }
            if (entry == null) {
                try {
                    // Never CREATE: a read racing retention or deletion must fail, not leave an
                    // empty segment file behind for recovery to misread.
                    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
                    entry = new Entry(file, channel);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                open.put(file, entry);
            }
            // Leased before trimming, so that trimming never closes the channel handed out.
            entry.leases++;
            trim();
            return new Lease(this, entry);
        }

        private synchronized void release(Entry entry) {
            entry.leases--;
            if (open.get(entry.file) != entry && entry.leases == 0) {
                closeQuietly(entry);
            } else {
                trim();
            }
        }

        private synchronized void evict(Path file) {
            Entry entry = open.get(file);
            if (entry != null && entry.leases == 0) {
                open.remove(file);
                closeQuietly(entry);
            }
        }

        private synchronized void closeAll() {
            open.values().forEach(Shard::closeQuietly);
            open.clear();
        }

        /** Closes idle channels, least recently used first, while over capacity. */
        private void trim() {
            Iterator<Map.Entry<Path, Entry>> it = open.entrySet().iterator();
            while (open.size() > capacity && it.hasNext()) {
                Entry candidate = it.next().getValue();
                if (candidate.leases == 0) {
                    it.remove();
                    closeQuietly(candidate);
                }
            }
        }

        private static void closeQuietly(Entry entry) {
            try {
                entry.channel.close();
            } catch (IOException e) {
                LOGGER.log(Level.WARNING, "Closing segment file " + entry.file + " failed", e);
            }
        }
    }
}
