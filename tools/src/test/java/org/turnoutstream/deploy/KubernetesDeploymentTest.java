package org.turnoutstream.deploy;

import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.reference.ElectionCatalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker/kubernetes/turnout-live.yaml, the Flink Kubernetes Operator example: it parses, runs the jar and
 * main class the job image holds with arguments the job accepts, checkpoints to durable storage, has
 * Kubernetes HA, restarts and upgrades from the latest checkpoint (last-state), sizes its pods, reads every password (and
 * the Kafka client's SASL_SSL settings) from files of Secrets mounted read-only, which its header tells how to create,
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

    /**
     * No password in the file or in a variable: every setting named like a secret is a {@code *_FILE} variable (or the
     * Kafka properties file) naming a file of a Secret mounted read-only, readable by Flink's group only; every volume is
     * mounted, every mount has its volume, and every Secret and key the pods use is created by the header's commands,
     * with placeholders only and the passwords from files.
     */
    @Test
    void everyPasswordIsAFileOfAMountedSecret() {
        Map<String, String> files = secretFiles();
        List<String> problems = new ArrayList<>();
        for (Object item : (List<?>) container().get("env")) {
            Map<?, ?> env = (Map<?, ?>) item;
            String name = env.get("name").toString();
            boolean secretName = DockerComposeFileTest.SECRET.matcher(name).matches();
            if (secretName && !name.endsWith("_FILE")) {
                problems.add(name + " holds a secret's value (" + (env.containsKey("value") ? "written here" : "from valueFrom")
                        + "): give " + name + "_FILE, a file of a mounted Secret");
            }
            if (env.get("valueFrom") instanceof Map<?, ?> from && from.get("secretKeyRef") instanceof Map<?, ?> ref
                    && DockerComposeFileTest.SECRET.matcher(ref.get("key").toString().toUpperCase(Locale.ROOT)).matches()) {
                problems.add(name + " takes the secret key " + ref.get("key") + " as a variable: mount it as a file");
            }
            if (name.endsWith("_FILE") || FILE_OPTIONS.contains(name)) {
                String path = String.valueOf(env.get("value"));
                if (!files.containsKey(path)) problems.add(name + "=" + path + " is not a file of a mounted Secret: " + files.keySet());
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));

        Map<?, ?> pod = (Map<?, ?>) ((Map<?, ?>) spec.get("podTemplate")).get("spec");
        Set<String> volumes = new LinkedHashSet<>(), mounted = new LinkedHashSet<>();
        for (Object volume : (List<?>) pod.get("volumes")) {
            Map<?, ?> v = (Map<?, ?>) volume;
            volumes.add(v.get("name").toString());
            if (v.get("secret") instanceof Map<?, ?> secret) {
                int mode = ((Number) secret.get("defaultMode")).intValue();
                assertTrue(mode == 0400 || mode == 0440, v.get("name") + ": defaultMode 0400 or 0440, not " + Integer.toOctalString(mode));
                for (Object key : (List<?>) secret.get("items")) {
                    Object itemMode = ((Map<?, ?>) key).get("mode");
                    assertTrue(itemMode == null || (((Number) itemMode).intValue() & 0037) == 0, v.get("name") + " " + key + ": no wider mode");
                }
                if (mode == 0440) {
                    assertEquals(FLINK_GID, ((Map<?, ?>) pod.get("securityContext")).get("fsGroup"),
                            "group-readable secrets need the group Flink runs as (the official image's flink, " + FLINK_GID + ")");
                }
            }
        }
        for (Object mount : (List<?>) container().get("volumeMounts")) {
            Map<?, ?> m = (Map<?, ?>) mount;
            assertTrue(volumes.contains(m.get("name").toString()), "the mount's volume exists: " + m);
            mounted.add(m.get("name").toString());
        }
        assertEquals(volumes, mounted, "every volume is mounted");

        Map<String, Set<String>> created = createdSecrets();
        Map<String, Set<String>> used = new LinkedHashMap<>();
        for (Object item : (List<?>) container().get("env")) {
            if (((Map<?, ?>) item).get("valueFrom") instanceof Map<?, ?> from && from.get("secretKeyRef") instanceof Map<?, ?> ref) {
                used.computeIfAbsent(ref.get("name").toString(), k -> new TreeSet<>()).add(ref.get("key").toString());
            }
        }
        for (String file : files.values()) {
            String[] secretAndKey = file.split("/", 2);
            used.computeIfAbsent(secretAndKey[0], k -> new TreeSet<>()).add(secretAndKey[1]);
        }
        for (var secret : used.entrySet()) {
            assertTrue(created.containsKey(secret.getKey()), "the header creates the Secret " + secret.getKey() + ": " + created.keySet());
            assertTrue(created.get(secret.getKey()).containsAll(secret.getValue()),
                    secret.getKey() + ": the header's command creates the keys " + secret.getValue() + ", not only " + created.get(secret.getKey()));
        }
        assertEquals(Set.of("turnout-influxdb", "turnout-registry", "turnout-kafka"), used.keySet(), "InfluxDB's, the registry's and Kafka's credentials");
    }

    /**
     * The job takes the arguments and the environment of the pod, with temp files standing in for the mounted Secrets:
     * it reads the InfluxDB and registry passwords from their files, and the Kafka client settings from the mounted
     * properties file (kafka-client.properties.example, as the header says to create it): SASL_SSL with SCRAM, its
     * truststore a file mounted from the same Secret, and no password in the example but a placeholder.
     */
    @Test
    void theJobReadsItsCredentialsFromTheMountedSecrets(@TempDir Path dir) throws Exception {
        Map<String, String> files = secretFiles();
        Path example = FILE.resolveSibling("kafka-client.properties.example");
        Map<String, String> env = new LinkedHashMap<>(), inPod = new LinkedHashMap<>();
        for (Object item : (List<?>) container().get("env")) {
            Map<?, ?> e = (Map<?, ?>) item;
            String name = e.get("name").toString();
            if (e.get("valueFrom") instanceof Map<?, ?> from) {
                Map<?, ?> ref = (Map<?, ?>) from.get("secretKeyRef");
                env.put(name, "stand-in " + ref.get("name") + "/" + ref.get("key"));
                continue;
            }
            String value = e.get("value").toString();
            inPod.put(name, value);
            String secretFile = files.get(value);
            if (secretFile != null) {
                Path standIn = dir.resolve(secretFile);
                Files.createDirectories(standIn.getParent());
                if (secretFile.endsWith("/client.properties")) Files.copy(example, standIn);
                else Files.writeString(standIn, "password in " + secretFile + "\nnot the password\n");
                value = standIn.toString();
            }
            env.put(name, value);
        }
        List<String> args = new ArrayList<>();
        ((List<?>) ((Map<?, ?>) spec.get("job")).get("args")).forEach(a -> args.add(a.toString()));
        JobOptions options = JobOptions.parse(args.toArray(new String[0]), env);

        assertEquals("stand-in turnout-influxdb/user", options.influxUser);
        assertEquals("password in turnout-influxdb/password", options.influxPassword(), "the InfluxDB password from its mounted file");
        assertEquals("stand-in turnout-registry/user", options.registryUser);
        assertEquals("password in turnout-registry/password", options.registryPassword(), "the registry password from its mounted file");
        assertNull(options.influxPassword, "no password inline");
        assertNull(options.registryPassword, "no password inline");
        assertTrue(options.kafkaProperties.isEmpty(), "no Kafka setting given inline: " + options.kafkaProperties);

        Properties kafka = options.kafkaClientProperties();
        assertEquals("SASL_SSL", kafka.getProperty("security.protocol"), "encrypted and authenticated");
        assertEquals("SCRAM-SHA-512", kafka.getProperty("sasl.mechanism"));
        String jaas = kafka.getProperty("sasl.jaas.config", "");
        assertTrue(jaas.startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required ") && jaas.endsWith(";"), jaas);
        assertTrue(jaas.contains("password=\"<") && jaas.contains("username=\"<"), "placeholders only in the example: " + jaas);
        String truststore = kafka.getProperty("ssl.truststore.location");
        assertTrue(files.containsKey(truststore), "the truststore " + truststore + " is a file of a mounted Secret: " + files.keySet());
        assertEquals(files.get(inPod.get("TURNOUT_KAFKA_PROPERTIES")).split("/")[0], files.get(truststore).split("/")[0],
                "the truststore comes with the properties, in one Secret");
        assertEquals("PEM", kafka.getProperty("ssl.truststore.type"), "the CA certificate as the header creates it (ca.crt, PEM)");
        for (String key : kafka.stringPropertyNames()) {
            if (DockerComposeFileTest.SECRET.matcher(key.toUpperCase(Locale.ROOT).replace('.', '_')).matches()) {
                assertTrue(kafka.getProperty(key).matches("<[^>]+>"), key + " in the example must be a <placeholder>");
            }
        }
    }

    static final Set<String> FILE_OPTIONS = Set.of("TURNOUT_KAFKA_PROPERTIES", "TURNOUT_CONFIG");
    /** The group the official Flink image runs Flink as. */
    static final Integer FLINK_GID = 9999;

    static Map<?, ?> container() {
        Map<?, ?> container = (Map<?, ?>) ((List<?>) ((Map<?, ?>) ((Map<?, ?>) spec.get("podTemplate")).get("spec")).get("containers")).get(0);
        assertEquals("flink-main-container", container.get("name"), "the operator merges only this container name");
        return container;
    }

    /** Every file of a Secret mounted read-only in the container: its path there to "SECRET/KEY". */
    static Map<String, String> secretFiles() {
        Map<String, Map<?, ?>> secrets = new LinkedHashMap<>();
        for (Object volume : (List<?>) ((Map<?, ?>) ((Map<?, ?>) spec.get("podTemplate")).get("spec")).get("volumes")) {
            Map<?, ?> v = (Map<?, ?>) volume;
            if (v.get("secret") instanceof Map<?, ?> secret) secrets.put(v.get("name").toString(), secret);
        }
        Map<String, String> files = new LinkedHashMap<>();
        for (Object mount : (List<?>) container().get("volumeMounts")) {
            Map<?, ?> m = (Map<?, ?>) mount;
            Map<?, ?> secret = secrets.get(m.get("name").toString());
            if (secret == null) continue;
            assertEquals(Boolean.TRUE, m.get("readOnly"), m.get("name") + " is mounted read-only");
            assertFalse(m.containsKey("subPath"), m.get("name") + ": a subPath mount would not see a rotated Secret");
            Object items = secret.get("items");
            assertNotNull(items, m.get("name") + ": the keys it mounts are listed (items)");
            for (Object item : (List<?>) items) {
                Map<?, ?> i = (Map<?, ?>) item;
                files.put(m.get("mountPath") + "/" + i.get("path"), secret.get("secretName") + "/" + i.get("key"));
            }
        }
        return files;
    }

    /** The header's {@code kubectl create secret generic NAME --from-...=KEY=...} commands: each Secret's keys. */
    static Map<String, Set<String>> createdSecrets() {
        StringBuilder header = new StringBuilder();
        try {
            for (String line : Files.readAllLines(FILE)) {
                if (!line.startsWith("#")) break;
                header.append(line.substring(1).replace("\\", " ")).append(' ');
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Map<String, Set<String>> created = new LinkedHashMap<>();
        String[] commands = header.toString().split("kubectl ");
        for (int i = 1; i < commands.length; i++) {
            Matcher command = Pattern.compile("^-n \\S+ create secret generic (\\S+)").matcher(commands[i].trim());
            if (!command.find()) continue;
            Set<String> keys = new TreeSet<>();
            Matcher from = Pattern.compile("--from-(literal|file)=([A-Za-z0-9._-]+)=(<[^>]*>|\\S+)").matcher(commands[i]);
            while (from.find()) {
                assertTrue(from.group(3).matches("<[^>]+>"), "a placeholder, not a value: " + from.group());
                if (DockerComposeFileTest.SECRET.matcher(from.group(2).toUpperCase(Locale.ROOT)).matches()) {
                    assertEquals("file", from.group(1), from.group() + ": a password from a file, not in the shell's history");
                }
                keys.add(from.group(2));
            }
            created.put(command.group(1), keys);
        }
        return created;
    }
}
