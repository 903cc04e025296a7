package org.turnoutstream.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Finds the directory the {@code services} module fills with the Kafka broker classpath and the
 * unpacked Apicurio registry, so local runs and tests need no installed servers.
 */
public final class ServicesHome {
    public static final String PROPERTY = "turnout.services.dir";
    public static final String ENV = "TURNOUT_SERVICES_DIR";

    private static final String HINT = "run `mvn -pl services generate-resources` from the repository root first";

    private ServicesHome() {}

    /** The services artifacts directory; throws {@link IllegalStateException} if it cannot be found. */
    public static Path locate() {
        String configured = System.getProperty(PROPERTY);
        String source = "system property " + PROPERTY;
        if (blank(configured)) {
            configured = System.getenv(ENV);
            source = "environment variable " + ENV;
        }
        if (!blank(configured)) {
            Path dir = Paths.get(configured).toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException(source + " points to " + dir + ", which is not a directory; " + HINT);
            }
            return dir;
        }
        Path cwd = Paths.get("").toAbsolutePath();
        // the tests (of local, jobs, tools) and the CLI may run from the repository root or from one of its modules
        for (Path base : new Path[] {cwd, cwd.getParent()}) {
            if (base == null) {
                continue;
            }
            Path candidate = base.resolve("services").resolve("target");
            if (Files.isDirectory(candidate)) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("services artifacts not found (looked at " + PROPERTY + ", " + ENV
                + ", ./services/target and ../services/target from " + cwd + "); " + HINT);
    }

    /** The file holding the classpath of the Kafka broker, one line with path separators. */
    public static Path kafkaClasspathFile() {
        return existing(locate().resolve("kafka").resolve("classpath.txt"), "Kafka broker classpath");
    }

    /** The directory of the unpacked Apicurio registry (its runner jar must be started from there). */
    public static Path apicurioDir() {
        return existing(locate().resolve("apicurio"), "Apicurio registry");
    }

    public static Path apicurioRunnerJar() {
        Path dir = apicurioDir();
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("apicurio-registry-app-.*-runner\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no apicurio-registry-app-*-runner.jar in " + dir + "; " + HINT));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot list " + dir + "; " + HINT, e);
        }
    }

    private static Path existing(Path path, String what) {
        if (!Files.exists(path)) {
            throw new IllegalStateException(what + " missing at " + path + "; " + HINT);
        }
        return path;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
