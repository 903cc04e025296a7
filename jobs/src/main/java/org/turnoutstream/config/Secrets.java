package org.turnoutstream.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A password given inline ({@code --x-password}, visible in the process list) or in a file ({@code --x-password-file}, e.g.
 * a mounted Kubernetes or compose secret): the file's first line, without its line end. One rule for the job's options
 * and the tools'.
 */
public final class Secrets {
    private Secrets() {}

    /**
     * The password: {@code inline}, or the first line of {@code file}; null when neither is given. Both at once, an
     * unreadable or empty file: IllegalArgumentException naming the option (never the content).
     */
    public static String inlineOrFile(String option, String inline, Path file) {
        if (file == null) return inline;
        if (inline != null) throw new IllegalArgumentException(option + " and " + option + "-file both given: give one");
        try {
            List<String> lines = Files.readAllLines(file);
            if (lines.isEmpty() || lines.get(0).isEmpty()) throw new IllegalArgumentException(option + "-file " + file + " is empty");
            return lines.get(0);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + "-file " + file + " cannot be read: " + e.getClass().getSimpleName());
        }
    }
}
