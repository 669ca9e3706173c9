package io.durablestreams.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import io.durablestreams.store.Durability;
import io.durablestreams.store.MemoryStorage;
import io.durablestreams.store.Storage;
import io.durablestreams.store.file.FileStorage;

import io.helidon.config.Config;

/**
 * Where and how streams are stored, read from the {@code durable-streams.storage} node.
 *
 * @param type {@code file} (the default) or {@code memory}
 * @param directory data directory of the file store, created when missing
 * @param durability when the file store forces appends to disk
 * @param syncInterval how often the {@code interval} policy forces writes to disk
 * @param segmentBytes size at which a stream starts a new segment file
 * @param maxOpenFiles how many idle segment files the file store keeps open
 */
public record StorageSettings(String type,
                              Path directory,
                              Durability durability,
                              Duration syncInterval,
                              long segmentBytes,
                              int maxOpenFiles) {

    /** Keys accepted in the {@code durable-streams.storage} node. */
    static final Set<String> KNOWN_KEYS = Set.of("type", "directory", "durability",
            "sync-interval", "segment-bytes", "max-open-files");

    /** Storage kept in memory only. */
    public static final String MEMORY = "memory";
    /** Storage in files under {@link #directory()}. */
    public static final String FILE = "file";

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException naming the setting that is invalid
     */
    public StorageSettings {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(syncInterval, "syncInterval");
        if (!type.equals(MEMORY) && !type.equals(FILE)) {
            throw new IllegalArgumentException("durable-streams.storage.type must be file or"
                    + " memory; got " + type);
        }
        if (syncInterval.isNegative() || syncInterval.isZero()) {
            throw new IllegalArgumentException("durable-streams.storage.sync-interval must be"
                    + " positive; got " + syncInterval);
        }
        if (segmentBytes < 1024) {
            throw new IllegalArgumentException("durable-streams.storage.segment-bytes must be at"
                    + " least 1024; got " + segmentBytes);
        }
        if (maxOpenFiles < 16) {
            throw new IllegalArgumentException("durable-streams.storage.max-open-files must be at"
                    + " least 16; got " + maxOpenFiles);
        }
    }

    /**
     * Returns the defaults: a file store in {@code ./data} that syncs before acknowledging.
     *
     * @return default settings
     */
    public static StorageSettings defaults() {
        return new StorageSettings(FILE, Path.of("data"), Durability.FSYNC,
                Duration.ofMillis(200), 64L * 1024 * 1024, 1024);
    }

    /**
     * Returns settings for an in-memory store.
     *
     * @return memory settings
     */
    public static StorageSettings memory() {
        StorageSettings d = defaults();
        return new StorageSettings(MEMORY, d.directory(), d.durability(), d.syncInterval(),
                d.segmentBytes(), d.maxOpenFiles());
    }

    /**
     * Reads settings from configuration, using the defaults for absent keys.
     *
     * @param config the {@code durable-streams.storage} node
     * @return the settings
     * @throws IllegalArgumentException naming the key whose value is invalid
     */
    public static StorageSettings from(Config config) {
        StorageSettings d = defaults();
        String durability = config.get("durability").asString().orElse("fsync");
        Durability parsed;
        try {
            parsed = Durability.parse(durability);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("durable-streams.storage.durability: "
                    + e.getMessage());
        }
        return new StorageSettings(
                config.get("type").asString().orElse(d.type()).strip().toLowerCase(Locale.ROOT),
                config.get("directory").asString().map(Path::of).orElse(d.directory()),
                parsed,
                ServerSettings.duration(config, "storage.sync-interval", "sync-interval",
                        d.syncInterval()),
                ServerSettings.number(config, "storage.segment-bytes", "segment-bytes",
                        d.segmentBytes()),
                Math.toIntExact(ServerSettings.number(config, "storage.max-open-files",
                        "max-open-files", d.maxOpenFiles())));
    }

    /**
     * Opens the configured storage.
     *
     * @return the storage
     */
    public Storage open() {
        if (type.equals(MEMORY)) {
            return new MemoryStorage();
        }
        return new FileStorage(directory, durability, syncInterval, segmentBytes, maxOpenFiles);
    }
}
