package io.durablestreams.store.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.durablestreams.store.Durability;
import io.durablestreams.store.RecoveredStream;
import io.durablestreams.store.Retention;
import io.durablestreams.store.RecoveredStream.StoredAppend;
import io.durablestreams.store.StorageException;
import io.durablestreams.store.Storage;
import io.durablestreams.store.StreamConfig;
import io.durablestreams.store.StreamLog;
import io.durablestreams.store.StreamMeta;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Keeps streams in files under a data directory, so that they survive restarts and crashes.
 *
 * <p>Layout: {@code streams/<xx>/<sha256 of path>-<stream id>/} per stream, where {@code xx} is
 * the hash's first two hex digits. The directory holds {@code meta.properties} (path, settings,
 * fork origin), the segment files of its {@link FileLog}, and {@code access} (last read time of
 * a stream with a sliding TTL). Hashing the path keeps every name short, free of characters a
 * file system could treat specially, and distinct even on case-insensitive file systems; the
 * stream id keeps a deleted and re-created stream apart from its predecessor. A deleted stream's
 * directory is first renamed into {@code trash/}, atomically, then removed.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public final class FileStorage implements Storage {

    private static final System.Logger LOGGER = System.getLogger(FileStorage.class.getName());
    private static final String META = "meta.properties";
    private static final String ACCESS = "access";
    private static final String LOCK = "lock";

    private final Path root;
    private final Path streamsDir;
    private final Path trashDir;
    private final Durability durability;
    private final long segmentBytes;
    private final FileHandles handles;
    private final ScheduledExecutorService syncer;
    /** Exclusive lock on the data directory, so that two servers never share it. */
    private final FileChannel lockChannel;
    private final FileLock directoryLock;

    /** Logs with writes not yet forced to disk, for the interval policy. */
    private final Set<FileLog> dirty = ConcurrentHashMap.newKeySet();
    /** Every open log by stream id, for syncing at shutdown. */
    private final Map<String, FileLog> logs = new ConcurrentHashMap<>();
    /** Last access times not yet written, by stream directory. */
    private final Map<Path, Long> pendingAccess = new ConcurrentHashMap<>();

    /**
     * Opens or creates a data directory.
     *
     * @param root the data directory, created when missing
     * @param durability when appends are forced to disk
     * @param syncInterval how often the interval policy forces writes, and how often pending
     *        access times are written
     * @param segmentBytes size at which a stream starts a new segment file
     * @param maxOpenFiles how many idle segment files may stay open
     * @throws IllegalStateException when the directory cannot be created, or another server
     *         uses it
     */
    public FileStorage(Path root, Durability durability, Duration syncInterval, long segmentBytes,
                       int maxOpenFiles) {
        this.root = root.toAbsolutePath().normalize();
        this.streamsDir = this.root.resolve("streams");
        this.trashDir = this.root.resolve("trash");
        this.durability = durability;
        this.segmentBytes = segmentBytes;
        this.handles = new FileHandles(maxOpenFiles);
        try {
            Files.createDirectories(this.root);
            lockChannel = FileChannel.open(this.root.resolve(LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create data directory " + this.root + ": "
                    + e, e);
        }
        directoryLock = lock(lockChannel, this.root);
        try {
            Files.createDirectories(streamsDir);
            Files.createDirectories(trashDir);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create data directory " + this.root + ": "
                    + e, e);
        }
        this.syncer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("storage-sync").daemon().factory());
        long millis = Math.max(1, syncInterval.toMillis());
        syncer.scheduleWithFixedDelay(this::syncPendingSafely, millis, millis,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public StreamLog create(StreamMeta meta) {
        Path dir = directoryOf(meta);
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir);
            writeMeta(dir, meta, false);
            if (durability == Durability.FSYNC) {
                syncDirectory(dir.getParent());
            }
        } catch (IOException e) {
            throw new StorageException("Creating storage for stream " + meta.path() + " failed",
                    e);
        }
        FileLog log = FileLog.create(dir, meta.forkPosition(), handles, durability, segmentBytes,
                dirtyCallback());
        register(meta, log);
        return log;
    }

    @Override
    public void markSoftDeleted(StreamMeta meta) {
        try {
            writeMeta(directoryOf(meta), meta, true);
        } catch (IOException e) {
            throw new StorageException("Marking stream " + meta.path() + " deleted failed", e);
        }
    }

    @Override
    public void delete(StreamMeta meta, StreamLog log) {
        log.close();
        logs.remove(meta.id());
        if (log instanceof FileLog fileLog) {
            dirty.remove(fileLog);
        }
        Path dir = directoryOf(meta);
        pendingAccess.remove(dir);
        try {
            Path trashed = trashDir.resolve(dir.getFileName());
            Files.move(dir, trashed, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(trashed);
        } catch (IOException e) {
            throw new StorageException("Deleting storage of stream " + meta.path() + " failed", e);
        }
    }

    @Override
    public void recordAccess(StreamMeta meta, long millis) {
        pendingAccess.put(directoryOf(meta), millis);
    }

    @Override
    public List<RecoveredStream> recover() {
        try {
            deleteTree(trashDir);
            Files.createDirectories(trashDir);
            List<RecoveredStream> found = new ArrayList<>();
            try (DirectoryStream<Path> fanOut = Files.newDirectoryStream(streamsDir)) {
                for (Path bucket : fanOut) {
                    if (!Files.isDirectory(bucket)) {
                        LOGGER.log(Level.WARNING, "Ignoring " + bucket + ": not a directory");
                        continue;
                    }
                    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(bucket)) {
                        for (Path dir : dirs) {
                            recoverSafely(dir).ifPresent(found::add);
                        }
                    }
                }
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException("Reading data directory " + root + " failed", e);
        }
    }

    @Override
    public Optional<String> writeProblem() {
        for (FileLog log : logs.values()) {
            if (log.hasFailed()) {
                return Optional.of("a stream's storage failed to write or sync");
            }
        }
        try {
            // A file of its own per probe, so concurrent health checks do not collide.
            Path probe = Files.createTempFile(root, ".write-probe", null);
            Files.delete(probe);
            return Optional.empty();
        } catch (IOException e) {
            LOGGER.log(Level.WARNING, "Data directory " + root + " does not accept writes: "
                    + e.getMessage());
            return Optional.of("the data directory does not accept writes");
        }
    }

    @Override
    public String description() {
        return "file store in " + root + " (durability " + durability.name().toLowerCase()
                + ")";
    }

    @Override
    public void close() {
        syncer.shutdownNow();
        for (FileLog log : logs.values()) {
            try {
                log.sync();
            } catch (StorageException e) {
                LOGGER.log(Level.ERROR, "Syncing on shutdown failed: " + e.getMessage(),
                        e.getCause());
            }
        }
        writePendingAccess();
        handles.close();
        try {
            directoryLock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOGGER.log(Level.WARNING, "Releasing the lock on " + root + " failed: " + e);
        }
    }

    /** Locks the data directory; two servers writing one directory would overwrite data. */
    private static FileLock lock(FileChannel channel, Path root) {
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
        } catch (OverlappingFileLockException | IOException e) {
            // Falls through to the error below: this or another process holds the lock.
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // The channel is useless either way.
        }
        throw new IllegalStateException("Data directory " + root + " is in use by another"
                + " server; stop it or choose another durable-streams.storage.directory");
    }

    /**
     * Forces a directory's entries to disk, so that files created or renamed in it survive a
     * power loss.
     *
     * @param dir the directory
     * @throws IOException when the sync fails
     */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * Recovers one stream; a stream whose files cannot be read is moved aside into
     * {@code damaged/} with a warning, so one bad directory never stops the whole server.
     */
    private Optional<RecoveredStream> recoverSafely(Path dir) {
        if (!Files.isDirectory(dir)) {
            LOGGER.log(Level.WARNING, "Ignoring " + dir + ": not a stream directory");
            return Optional.empty();
        }
        try {
            return recoverStream(dir);
        } catch (IOException | RuntimeException e) {
            Path damaged = root.resolve("damaged").resolve(dir.getFileName());
            LOGGER.log(Level.WARNING, "Stream directory " + dir + " cannot be recovered (" + e
                    + "); moving it to " + damaged + " for inspection");
            try {
                Files.createDirectories(damaged.getParent());
                Files.move(dir, damaged, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailure) {
                LOGGER.log(Level.WARNING, "Moving " + dir + " aside failed: " + moveFailure);
            }
            return Optional.empty();
        }
    }

    private Optional<RecoveredStream> recoverStream(Path dir) throws IOException {
        Path metaFile = dir.resolve(META);
        if (!Files.exists(metaFile)) {
            // The server stopped between creating the directory and writing its metadata, so
            // the stream was never acknowledged.
            LOGGER.log(Level.WARNING, "Removing " + dir + ": it has no " + META);
            deleteTree(dir);
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(metaFile)) {
            properties.load(in);
        }
        StreamMeta meta = readMeta(properties);
        List<StoredAppend> appends = new ArrayList<>();
        FileLog log = FileLog.recover(dir, meta.forkPosition(), handles, durability,
                segmentBytes, dirtyCallback(), appends, meta.config().retention().isLimited());
        register(meta, log);

        long lastAccess = meta.createdMillis();
        for (StoredAppend append : appends) {
            lastAccess = Math.max(lastAccess, append.state().timestampMillis());
        }
        Path accessFile = dir.resolve(ACCESS);
        if (Files.exists(accessFile)) {
            try {
                lastAccess = Math.max(lastAccess,
                        Long.parseLong(Files.readString(accessFile, UTF_8).strip()));
            } catch (NumberFormatException e) {
                LOGGER.log(Level.WARNING, "Ignoring unreadable " + accessFile);
            }
        }
        boolean softDeleted = Boolean.parseBoolean(properties.getProperty("softDeleted"));
        return Optional.of(new RecoveredStream(meta, log, appends, softDeleted, lastAccess));
    }

    private void register(StreamMeta meta, FileLog log) {
        logs.put(meta.id(), log);
    }

    /** Returns what a log calls after each write: under the interval policy, mark it dirty. */
    private Consumer<FileLog> dirtyCallback() {
        if (durability != Durability.INTERVAL) {
            return log -> { };
        }
        return dirty::add;
    }

    private Path directoryOf(StreamMeta meta) {
        String hash = sha256(meta.path());
        return streamsDir.resolve(hash.substring(0, 2)).resolve(hash + "-" + meta.id());
    }

    private void writeMeta(Path dir, StreamMeta meta, boolean softDeleted) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("path", meta.path());
        properties.setProperty("id", meta.id());
        properties.setProperty("contentType", meta.config().contentType());
        meta.config().ttlSeconds().ifPresent(t -> properties.setProperty("ttlSeconds",
                Long.toString(t)));
        meta.config().expiresAt().ifPresent(t -> properties.setProperty("expiresAt",
                t.toString()));
        Retention retention = meta.config().retention();
        retention.maxAgeSeconds().ifPresent(v -> properties.setProperty("retentionMaxAgeSeconds",
                Long.toString(v)));
        retention.maxMessages().ifPresent(v -> properties.setProperty("retentionMaxMessages",
                Long.toString(v)));
        retention.maxBytes().ifPresent(v -> properties.setProperty("retentionMaxBytes",
                Long.toString(v)));
        meta.forkSourceId().ifPresent(id -> properties.setProperty("forkSourceId", id));
        properties.setProperty("forkPosition", Long.toString(meta.forkPosition()));
        properties.setProperty("createdMillis", Long.toString(meta.createdMillis()));
        properties.setProperty("softDeleted", Boolean.toString(softDeleted));

        // Write aside and rename, so a crash leaves the old file or the new one, never half.
        Path temp = dir.resolve(META + ".tmp");
        try (OutputStream out = Files.newOutputStream(temp)) {
            properties.store(out, null);
        }
        if (durability == Durability.FSYNC) {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        }
        try {
            Files.move(temp, dir.resolve(META), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, dir.resolve(META), StandardCopyOption.REPLACE_EXISTING);
        }
        if (durability == Durability.FSYNC) {
            syncDirectory(dir);
        }
    }

    private static StreamMeta readMeta(Properties properties) {
        String ttl = properties.getProperty("ttlSeconds");
        String expiresAt = properties.getProperty("expiresAt");
        Retention retention = new Retention(optionalLong(properties, "retentionMaxAgeSeconds"),
                optionalLong(properties, "retentionMaxMessages"),
                optionalLong(properties, "retentionMaxBytes"));
        StreamConfig config = new StreamConfig(properties.getProperty("contentType"),
                ttl == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(ttl)),
                Optional.ofNullable(expiresAt).map(Instant::parse), retention);
        return new StreamMeta(properties.getProperty("path"), properties.getProperty("id"),
                config, Optional.ofNullable(properties.getProperty("forkSourceId")),
                Long.parseLong(properties.getProperty("forkPosition", "0")),
                Long.parseLong(properties.getProperty("createdMillis", "0")));
    }

    private static OptionalLong optionalLong(Properties properties, String key) {
        String value = properties.getProperty(key);
        return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
    }

    private void syncPendingSafely() {
        try {
            for (FileLog log : dirty) {
                dirty.remove(log);
                log.sync();
            }
            writePendingAccess();
        } catch (RuntimeException e) {
            LOGGER.log(Level.ERROR, "Syncing stream storage failed", e);
        }
    }

    private void writePendingAccess() {
        for (Path dir : pendingAccess.keySet()) {
            Long millis = pendingAccess.remove(dir);
            if (millis == null || !Files.isDirectory(dir)) {
                continue;
            }
            try {
                Files.writeString(dir.resolve(ACCESS), Long.toString(millis), UTF_8);
            } catch (IOException e) {
                LOGGER.log(Level.WARNING, "Writing the last access time in " + dir
                        + " failed: " + e.getMessage());
            }
        }
    }

    private static String sha256(String path) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(path.getBytes(UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                    throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException e)
                    throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
