package org.turnoutstream.reference;

import java.nio.file.Path;
import java.util.Objects;

/** One command-line election spec: {@code id=dir}, e.g. {@code 2024-majlis-r1=reference/alborz-synthetic}. */
public record ElectionSpec(String electionId, Path directory) {
    public ElectionSpec {
        Objects.requireNonNull(electionId, "electionId");
        Objects.requireNonNull(directory, "directory");
    }

    @Override
    public String toString() {
        return electionId + "=" + directory;
    }
}
