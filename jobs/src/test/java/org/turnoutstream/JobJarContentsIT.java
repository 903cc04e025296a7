package org.turnoutstream;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shaded jar a cluster runs holds the job alone: its main is {@link TurnoutJob}, and neither the turnout command
 * (picocli, cli), the simulator, the local services, the bench, the audit nor the test kit is inside.
 */
class JobJarContentsIT {
    private static final List<String> LEFT_OUT = List.of("picocli/", "org/turnoutstream/cli/", "org/turnoutstream/simulator/",
            "org/turnoutstream/local/", "org/turnoutstream/bench/", "org/turnoutstream/audit/", "org/turnoutstream/testing/",
            "org/junit/", "log4j2.properties");

    @Test
    void theJobJarHoldsTheJobAlone() throws Exception {
        Path jar = Path.of(System.getProperty("turnout.job.jar", "target/turnout-jobs-0.1.0-SNAPSHOT-job.jar"));
        assertTrue(Files.isRegularFile(jar), "the shaded job jar at " + jar);
        try (JarFile file = new JarFile(jar.toFile())) {
            assertEquals(TurnoutJob.class.getName(), file.getManifest().getMainAttributes().getValue("Main-Class"));
            List<String> names = file.stream().map(e -> e.getName()).toList();
            for (String job : List.of("org/turnoutstream/TurnoutJob.class", "org/turnoutstream/workflows/LiveTurnoutJob.class",
                    "org/turnoutstream/reference/ElectionCatalog.class", "org/turnoutstream/registry/ConfluentRegistryClient.class",
                    "org/turnoutstream/schemas/TurnoutReport.class", "org/apache/flink/connector/kafka/source/KafkaSource.class")) {
                assertTrue(names.contains(job), job + " is in the job jar");
            }
            List<String> unwanted = names.stream().filter(n -> LEFT_OUT.stream().anyMatch(n::startsWith)).limit(10).toList();
            assertEquals(List.of(), unwanted, "left out of the job jar");
        }
    }
}
