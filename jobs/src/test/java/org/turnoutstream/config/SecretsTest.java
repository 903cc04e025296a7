package org.turnoutstream.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SecretsTest {
    @TempDir Path dir;

    @Test
    void aPasswordInlineOrAsTheFirstLineOfAFile() throws IOException {
        Path file = dir.resolve("secret");
        Files.writeString(file, "p@ss word,1\r\nsecond line\n");
        assertEquals("p@ss word,1", Secrets.inlineOrFile("--x-password", null, file));
        assertEquals("inline", Secrets.inlineOrFile("--x-password", "inline", null));
        assertNull(Secrets.inlineOrFile("--x-password", null, null));
        assertEquals("p@ss word,1", JobOptions.of("--influx-password-file", file.toString()).influxPassword());
        assertEquals("p@ss word,1", JobOptions.of("--registry-password-file", file.toString()).registryPassword());
    }

    @Test
    void bothAnEmptyFileOrAnUnreadableOneAreRefusedWithoutShowingAnything() throws IOException {
        Path file = dir.resolve("secret");
        Files.writeString(file, "hunter2\n");
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> Secrets.inlineOrFile("--x-password", "other", file));
        assertEquals("--x-password and --x-password-file both given: give one", both.getMessage());
        assertFalse(both.getMessage().contains("hunter2"));
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        assertEquals("--x-password-file " + empty + " is empty",
                assertThrows(IllegalArgumentException.class, () -> Secrets.inlineOrFile("--x-password", null, empty)).getMessage());
        assertEquals("--x-password-file " + dir.resolve("nope") + " cannot be read: NoSuchFileException",
                assertThrows(IllegalArgumentException.class, () -> Secrets.inlineOrFile("--x-password", null, dir.resolve("nope"))).getMessage());
    }
}
