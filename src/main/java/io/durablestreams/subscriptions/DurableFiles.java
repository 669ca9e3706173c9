package io.durablestreams.subscriptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads and writes small files that must survive crashes whole: key material, readable by the
 * owner only, and subscription state.
 */
final class DurableFiles {

    private static final Set<PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rw-------");

    private DurableFiles() {
    }

    /**
     * Returns the content of a key file, creating it first with generated content when it does
     * not exist.
     *
     * @param file the key file
     * @param generate creates new key material
     * @return the file's content
     * @throws UncheckedIOException when the file cannot be read or written
     */
    static byte[] readOrCreate(Path file, Supplier<byte[]> generate) {
        try {
            if (Files.exists(file)) {
                return Files.readAllBytes(file);
            }
            byte[] content = generate.get();
            writeAtomically(file, content, true);
            return content;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create key file " + file, e);
        }
    }

    /**
     * Replaces a file's content in one step: the content goes to a temporary file that is forced
     * to disk and renamed over the target, so a crash leaves the old content or the new, never
     * a mix.
     *
     * @param file the target
     * @param content the new content
     * @param ownerOnly whether only the owner may read the file
     * @throws IOException when writing fails
     */
    static void writeAtomically(Path file, byte[] content, boolean ownerOnly) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temp = directory.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        if (ownerOnly && supportsPosix(directory)) {
            try {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                throw new IOException("Temporary file " + temp + " appeared while writing", e);
            }
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(java.nio.ByteBuffer.wrap(content));
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(directory);
    }

    private static boolean supportsPosix(Path directory) {
        return directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Forces a directory entry change (the rename) to disk where the platform allows it. */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot open directories; the rename is still atomic there.
        }
    }
}
