package org.turnoutstream.local;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * {@code <work dir>/stack.json}: what {@code turnout stack up} started, so that {@code status}, {@code down},
 * {@code live} and {@code simulate} find it again from another JVM. Per service: name, pid, port, endpoint,
 * the process's start time (to tell a reused pid from ours), when it was started, and its log file.
 */
public record LocalStackState(String workDir, List<Service> services) {
    public static final String KAFKA = "kafka";
    public static final String REGISTRY = "registry";
    public static final String INFLUXDB = "influxdb";
    /** Optional ({@code turnout stack up --prometheus}): scrapes the metrics of {@code turnout live} runs. */
    public static final String PROMETHEUS = "prometheus";

    public record Service(String name, long pid, int port, String endpoint, String processStart, String startedAt, String log) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public Optional<Service> service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public String endpoint(String name) {
        return service(name).map(Service::endpoint).orElse(null);
    }

    public static Path file(Path workDir) {
        return workDir.resolve(LocalStack.STATE_FILE);
    }

    /** Writes the state atomically (temp file, then rename). */
    public void write(Path workDir) {
        try {
            Files.createDirectories(workDir);
            Path tmp = workDir.resolve(LocalStack.STATE_FILE + ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, file(workDir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file(workDir), e);
        }
    }

    /** The state in {@code workDir}, or empty when there is none (or it cannot be read). */
    public static Optional<LocalStackState> read(Path workDir) {
        Path file = file(workDir);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            return Optional.of(JSON.readValue(file.toFile(), LocalStackState.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static void delete(Path workDir) {
        try {
            Files.deleteIfExists(file(workDir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file(workDir), e);
        }
    }
}
