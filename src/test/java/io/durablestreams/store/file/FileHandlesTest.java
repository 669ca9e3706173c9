package io.durablestreams.store.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded cache of open segment files. */
class FileHandlesTest {

    @TempDir
    Path directory;

    @Test
    void newLeaseIsOpenWhileOthersAreLeased() throws IOException {
        // With 16 files in all, each of the 16 shards keeps one idle channel, so leasing two
        // files of one shard at once overfills it while both are in use.
        try (FileHandles handles = new FileHandles(16)) {
            List<Path> sameShard = filesOfOneShard(2);
            List<FileHandles.Lease> leases = new ArrayList<>();
            try {
                for (Path file : sameShard) {
                    FileHandles.Lease lease = handles.lease(file);
                    leases.add(lease);

                    assertTrue(lease.channel().isOpen(), "the channel just leased for " + file);
                }
                for (FileHandles.Lease lease : leases) {
                    assertTrue(lease.channel().isOpen(), "a channel still leased");
                }
            } finally {
                leases.forEach(FileHandles.Lease::close);
            }
        }
    }

    /** Creates files whose paths fall into the same shard. */
    private List<Path> filesOfOneShard(int count) throws IOException {
        List<Path> files = new ArrayList<>();
        int shard = Math.floorMod(directory.resolve("f0").hashCode(), 16);
        for (int i = 0; files.size() < count; i++) {
            Path file = directory.resolve("f" + i);
            if (Math.floorMod(file.hashCode(), 16) == shard) {
                files.add(Files.createFile(file));
            }
        }
        return files;
    }
}
