package org.turnoutstream.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temp directories for the shared test servers, removed once the servers are gone. */
final class TempDirs {
    private TempDirs() {}

    static Path create(String prefix) throws IOException {
        return Files.createTempDirectory(prefix);
    }

    static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the OS cleans /tmp eventually, and a leftover dir breaks nothing
        }
    }
}
