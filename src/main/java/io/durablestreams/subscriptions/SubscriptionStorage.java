package io.durablestreams.subscriptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Storage that keeps subscription state between restarts.
 */
interface SubscriptionStorage {

    /**
     * Loads every stored subscription, tombstones included.
     *
     * @return the subscriptions
     */
    List<Subscription> loadAll();

    /**
     * Stores the current state of a subscription, replacing what was stored before.
     *
     * @param subscription the subscription, whose lock the caller holds
     */
    void save(Subscription subscription);

    /**
     * Returns a description for the start-up log.
     *
     * @return the description
     */
    String description();

    /**
     * Keeps nothing, for the in-memory stream store: subscriptions end with the process, like
     * the streams they follow.
     */
    final class InMemory implements SubscriptionStorage {

        @Override
        public List<Subscription> loadAll() {
            return List.of();
        }

        @Override
        public void save(Subscription subscription) {
            // The manager's objects are the only copy.
        }

        @Override
        public String description() {
            return "in memory";
        }
    }

    /**
     * Keeps one JSON file per subscription in a directory, named by the hex-encoded id so that
     * no id can form a special file name.
     */
    final class InFiles implements SubscriptionStorage {

        private static final System.Logger LOGGER = System.getLogger(InFiles.class.getName());
        private static final String SUFFIX = ".json";

        private final Path directory;

        /**
         * Creates the storage.
         *
         * @param directory where the files are kept, created when missing
         */
        InFiles(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create subscription directory "
                        + directory, e);
            }
        }

        @Override
        public List<Subscription> loadAll() {
            List<Subscription> loaded = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
                for (Path file : files) {
                    try {
                        Object json = Json.parse(Files.readAllBytes(file));
                        if (!(json instanceof Map<?, ?> object)) {
                            throw new IllegalArgumentException("not a JSON object");
                        }
                        loaded.add(Subscription.fromStoredJson(object));
                    } catch (IllegalArgumentException | java.time.DateTimeException e) {
                        // One damaged file must not keep the others, or the server, from
                        // starting; the file stays for inspection.
                        LOGGER.log(Level.WARNING, "Skipping subscription file " + file
                                + ", which is invalid: " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read subscriptions from " + directory, e);
            }
            return loaded;
        }

        @Override
        public void save(Subscription subscription) {
            Path file = directory.resolve(HexFormat.of().formatHex(subscription.id.getBytes(UTF_8))
                    + SUFFIX);
            try {
                DurableFiles.writeAtomically(file, Json.write(subscription.toStoredJson()), false);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot save subscription " + subscription.id
                        + " to " + file, e);
            }
        }

        @Override
        public String description() {
            return "in " + directory;
        }
    }
}
