package org.turnoutstream.deploy;

import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.reference.ElectionCatalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker/kubernetes/turnout-live.yaml, the Flink Kubernetes Operator example: it parses, runs the jar and
 * main class the job image holds with arguments the job accepts, checkpoints to durable storage, has
 * Kubernetes HA, restarts and upgrades from the latest checkpoint (last-state), sizes its pods, keeps credentials in a Secret,
 * and serves Flink's metrics to the cluster's Prometheus.
 */
class KubernetesDeploymentTest {
    static final Path FILE = DockerComposeFileTest.DOCKER.resolve("kubernetes/turnout-live.yaml");

    static Map<?, ?> deployment;
    static Map<?, ?> spec;
    static Map<?, ?> config;

    @BeforeAll
    static void load() throws IOException {
        deployment = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(FILE));
        spec = (Map<?, ?>) deployment.get("spec");
        config = (Map<?, ?>) spec.get("flinkConfiguration");
    }

    @Test
    void isAFlinkDeploymentOfTheBuildsFlinkVersion() {
        assertEquals("flink.apache.org/v1beta1", deployment.get("apiVersion"));
        assertEquals("FlinkDeployment", deployment.get("kind"));
        String[] version = EnvironmentInformation.getVersion().split("\\.");
        assertEquals("v" + version[0] + "_" + version[1], spec.get("flinkVersion"));
    }

    @Test
    void runsTheJobJarOfTheImageWithArgumentsTheJobAccepts() throws Exception {
        Map<?, ?> job = (Map<?, ?>) spec.get("job");
        String dockerfile = Files.readString(DockerComposeFileTest.DOCKER.resolve("Dockerfile.job"));
        String jarInImage = ((String) job.get("jarURI")).replaceFirst("^local://", "");
        assertTrue(dockerfile.contains(" " + jarInImage + "\n"), "the image has " + jarInImage);
        Class.forName((String) job.get("entryClass")).getMethod("main", String[].class);

        List<String> args = new ArrayList<>();
        ((List<?>) job.get("args")).forEach(a -> args.add(a.toString()));
        JobOptions options = JobOptions.of(args.toArray(new String[0]));
        assertFalse(options.elections.isEmpty(), "an election to count");
        String referenceInImage = ElectionCatalog.parseSpecs(options.elections).values().iterator().next().toString();
        assertTrue(referenceInImage.startsWith("/opt/turnout/reference/") && dockerfile.contains("COPY reference /opt/turnout/reference"),
                "reference data from the image: " + referenceInImage);
        assertTrue(Files.isDirectory(DockerComposeFileTest.REPO.resolve(referenceInImage.substring("/opt/turnout/".length()))));
        assertEquals(JobOptions.StartingOffsets.committed, options.startingOffsets, "a fresh start continues from the group's offsets");
        // polling hours: at the close (and its grace) the election's branches are closed and its state dropped
        String election = ElectionCatalog.parseSpecs(options.elections).keySet().iterator().next();
        assertTrue(options.pollsClose.containsKey(election), "--polls-close for " + election + ": " + options.pollsClose);
        java.time.OffsetDateTime.parse(options.pollsClose.get(election));
    }

    @Test
    void checkpointsHaAndLastStateUpgrades() {
        Map<?, ?> job = (Map<?, ?>) spec.get("job");
        assertEquals("last-state", job.get("upgradeMode"), "a lost JobManager and an upgrade resume from the latest checkpoint");
        assertEquals("running", job.get("state"));
        assertEquals("kubernetes", config.get("high-availability.type"));
        for (String durable : List.of("high-availability.storageDir", "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir")) {
            String dir = (String) config.get(durable);
            assertNotNull(dir, durable);
            assertTrue(dir.startsWith("s3://"), durable + " on shared durable storage, not a pod's disk: " + dir);
        }
        assertEquals("hashmap", config.get("state.backend.type"));
        assertNotNull(config.get("kubernetes.operator.periodic.savepoint.interval"));
        assertEquals("RETAIN_ON_CANCELLATION", config.get("execution.checkpointing.externalized-checkpoint-retention"));
    }

    @Test
    void sizesThePodsAndTheParallelism() {
        for (String role : List.of("jobManager", "taskManager")) {
            Map<?, ?> resource = (Map<?, ?>) ((Map<?, ?>) spec.get(role)).get("resource");
            assertNotNull(resource.get("memory"), role + " memory");
            assertNotNull(resource.get("cpu"), role + " cpu");
        }
        int parallelism = ((Number) ((Map<?, ?>) spec.get("job")).get("parallelism")).intValue();
        int slots = Integer.parseInt(config.get("taskmanager.numberOfTaskSlots").toString());
        assertTrue(parallelism >= 1 && slots >= 1, "parallelism " + parallelism + ", slots " + slots);
    }

    /** Flink's Prometheus reporter on every pod, found by the cluster's own Prometheus through the conventional annotations. */
    @Test
    void jobManagerAndTaskManagerPodsServeMetricsToPrometheus() {
        assertEquals("org.apache.flink.metrics.prometheus.PrometheusReporterFactory", config.get("metrics.reporter.prom.factory.class"));
        assertEquals("9249", config.get("metrics.reporter.prom.port"), "a string, as the operator's flinkConfiguration takes");
        // the top-level pod template is both the JobManager's and the TaskManagers'; neither role overrides it
        for (String role : List.of("jobManager", "taskManager")) {
            assertFalse(((Map<?, ?>) spec.get(role)).containsKey("podTemplate"), role + " uses the shared pod template");
        }
        Map<?, ?> podTemplate = (Map<?, ?>) spec.get("podTemplate");
        Map<?, ?> annotations = (Map<?, ?>) ((Map<?, ?>) podTemplate.get("metadata")).get("annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals("9249", annotations.get("prometheus.io/port"));
        Map<?, ?> container = (Map<?, ?>) ((List<?>) ((Map<?, ?>) podTemplate.get("spec")).get("containers")).get(0);
        assertEquals("flink-main-container", container.get("name"));
        assertTrue(((List<?>) container.get("ports")).stream().map(p -> (Map<?, ?>) p)
                        .anyMatch(p -> "metrics".equals(p.get("name")) && Integer.valueOf(9249).equals(p.get("containerPort"))),
                "the container exposes 9249 as the port metrics: " + container.get("ports"));
    }

    @Test
    void credentialsComeFromASecret() {
        Map<?, ?> container = (Map<?, ?>) ((List<?>) ((Map<?, ?>) ((Map<?, ?>) spec.get("podTemplate")).get("spec")).get("containers")).get(0);
        assertEquals("flink-main-container", container.get("name"), "the operator merges only this container name");
        boolean passwordFromSecret = false;
        for (Object item : (List<?>) container.get("env")) {
            Map<?, ?> env = (Map<?, ?>) item;
            if (env.get("name").toString().contains("PASSWORD")) {
                assertFalse(env.containsKey("value"), env.get("name") + " must not be written into the file");
                passwordFromSecret = ((Map<?, ?>) env.get("valueFrom")).containsKey("secretKeyRef");
            }
        }
        assertTrue(passwordFromSecret, "the InfluxDB password comes from a Secret");
    }
}
