package org.turnoutstream.deploy;

import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docker/compose.yaml as an operator would get it: it parses, every image is pinned (and names no registry
 * host), every long-running service has a health check, every variable it reads is documented in
 * .env.example and no secret has a default, every mounted path exists in the repository, the job image
 * packages the jar and main class that {@code mvn package} builds, and Prometheus scrapes Flink's metrics
 * for Grafana. No Docker engine runs here, so this is
 * the structure; {@code scripts/check-deploy.sh} also runs docker-compose's own validation when installed.
 */
class DockerComposeFileTest {
    static final Path REPO = Path.of(System.getProperty("turnout.repo.dir", "..")).toAbsolutePath().normalize();
    static final Path DOCKER = REPO.resolve("docker");
    static final Pattern VARIABLE = Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");
    static final Pattern PINNED_IMAGE = Pattern.compile("[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9][A-Za-z0-9._-]*");
    static final Pattern SECRET = Pattern.compile(".*(PASSWORD|SECRET|TOKEN|_KEY).*");
    static final Set<String> ONE_SHOT = Set.of("kafka-init", "schemas-init", "simulator");

    static String text;
    static Map<String, Object> compose;
    static Map<String, Map<String, Object>> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        text = Files.readString(DOCKER.resolve("compose.yaml"));
        compose = (Map<String, Object>) withMergeKeys(new Load(LoadSettings.builder().build()).loadFromString(text));
        services = (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void bringsUpTheWholePipeline() {
        assertEquals(Set.of("kafka", "kafka-init", "schema-registry", "schemas-init", "influxdb", "grafana", "prometheus",
                "jobmanager", "taskmanager", "simulator"), services.keySet());
        assertFalse(compose.containsKey("version"), "Compose Specification: no top-level version");
        assertEquals(List.of("simulate"), services.get("simulator").get("profiles"), "the simulator only with --profile simulate");
        assertTrue(string(services.get("jobmanager").get("command")).startsWith("standalone-job --job-classname org.turnoutstream.TurnoutJob"),
                "the JobManager runs the job in application mode");
        assertEquals("taskmanager", services.get("taskmanager").get("command"));
        assertFalse(services.get("taskmanager").containsKey("container_name"), "a fixed container name would stop --scale taskmanager=N");
        assertFalse(services.get("taskmanager").containsKey("ports"), "published ports would stop --scale taskmanager=N");
    }

    /**
     * No HA in Compose: a JobManager started again (a crash, an OOM kill, {@code docker compose restart}) runs the main
     * afresh, which resumes from the latest checkpoint retained in the volume (LiveTurnoutJobOnApplicationClusterIT
     * runs this on a real application cluster).
     */
    @Test
    void aRestartedJobManagerResumesTheJobFromItsLatestRetainedCheckpoint() {
        Map<String, Object> jobManager = services.get("jobmanager");
        String command = string(jobManager.get("command"));
        assertTrue(List.of(command.split("\\s+")).contains("--resume-latest-checkpoint"), "the option is on: " + command);
        assertTrue(command.indexOf("${TURNOUT_RESTORE_ARGS:-}") < command.indexOf("--resume-latest-checkpoint"),
                "Flink's own options (--fromSavepoint) come before the job's: " + command);
        assertNotNull(new picocli.CommandLine(new org.turnoutstream.cli.LiveCommand()).getCommandSpec().findOption("--resume-latest-checkpoint"),
                "the job has the option");

        Map<?, ?> flink = (Map<?, ?>) new Load(LoadSettings.builder().build())
                .loadFromString(string(((Map<?, ?>) jobManager.get("environment")).get("FLINK_PROPERTIES")));
        assertEquals(((Map<?, ?>) services.get("taskmanager").get("environment")).get("FLINK_PROPERTIES"),
                ((Map<?, ?>) jobManager.get("environment")).get("FLINK_PROPERTIES"), "one Flink configuration");
        assertEquals("file:///opt/flink/checkpoints", string(flink.get("execution.checkpointing.dir")));
        assertTrue(((List<?>) jobManager.get("volumes")).contains("flink-checkpoints:/opt/flink/checkpoints"), "checkpoints in a volume");
        assertEquals("RETAIN_ON_CANCELLATION", string(flink.get("execution.checkpointing.externalized-checkpoint-retention")),
                "checkpoints outlive a JobManager stopped gracefully (Flink's default deletes them then)");
        assertFalse(flink.containsKey("high-availability.type"), "no HA: with HA Flink would restore by itself");
        assertFalse("false".equals(string(flink.get("execution.checkpointing.create-subdir"))), "checkpoints under <dir>/<job id>/");
        assertFalse("false".equals(string(flink.get("execution.program-config.enabled"))), "the job may set its restore path");
    }

    /**
     * Flink's own Prometheus reporter on the JobManager and every TaskManager, scraped by the prometheus service
     * (docker/prometheus/prometheus.yml) on the reporter's port, which Grafana reads.
     */
    @Test
    void prometheusScrapesFlinksMetricsForGrafana() throws IOException {
        String port = null;
        for (String name : List.of("jobmanager", "taskmanager")) {
            Map<?, ?> flink = (Map<?, ?>) new Load(LoadSettings.builder().build())
                    .loadFromString(string(((Map<?, ?>) services.get(name).get("environment")).get("FLINK_PROPERTIES")));
            assertEquals("org.apache.flink.metrics.prometheus.PrometheusReporterFactory", string(flink.get("metrics.reporter.prom.factory.class")),
                    name + " has Flink's Prometheus reporter");
            port = string(flink.get("metrics.reporter.prom.port"));
            assertEquals("9249", port, name + ": the reporter's port");
            assertFalse(String.valueOf(services.get(name).get("ports")).contains(port), name + ": metrics stay inside the Compose network");
        }

        Map<String, Object> prometheus = services.get("prometheus");
        assertTrue(string(prometheus.get("image")).startsWith("prom/prometheus:v"), "Prometheus: " + prometheus.get("image"));
        assertEquals(List.of("127.0.0.1:${PROMETHEUS_HOST_PORT:-9090}:9090"), prometheus.get("ports"), "Prometheus' UI on loopback");
        List<?> volumes = (List<?>) prometheus.get("volumes");
        assertTrue(volumes.contains("prometheus-data:/prometheus"), "its data in a named volume: " + volumes);
        String configMount = volumes.stream().map(DockerComposeFileTest::string)
                .filter(v -> v.contains(":/etc/prometheus/prometheus.yml")).findFirst()
                .orElseGet(() -> fail("the configuration is mounted at /etc/prometheus/prometheus.yml: " + volumes));
        assertTrue(configMount.endsWith(":ro"), "read-only: " + configMount);
        Path configFile = DOCKER.resolve(configMount.split(":")[0]).normalize();
        assertEquals(DOCKER.resolve("prometheus/prometheus.yml"), configFile);

        Map<?, ?> config = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(configFile));
        assertEquals("10s", string(((Map<?, ?>) config.get("global")).get("scrape_interval")));
        Set<String> staticTargets = new LinkedHashSet<>();
        Map<?, ?> taskManagers = null;
        for (Object item : (List<?>) config.get("scrape_configs")) {
            Map<?, ?> job = (Map<?, ?>) item;
            if (job.get("static_configs") instanceof List<?> staticConfigs) {
                for (Object staticConfig : staticConfigs) {
                    ((List<?>) ((Map<?, ?>) staticConfig).get("targets")).forEach(t -> staticTargets.add(string(t)));
                }
            }
            if (job.get("dns_sd_configs") instanceof List<?> dnsConfigs) {
                for (Object dns : dnsConfigs) {
                    if (((List<?>) ((Map<?, ?>) dns).get("names")).contains("taskmanager")) taskManagers = (Map<?, ?>) dns;
                }
            }
        }
        assertTrue(staticTargets.contains("jobmanager:" + port), "the JobManager is scraped: " + staticTargets);
        assertNotNull(taskManagers, "the TaskManagers are found by DNS, so that every one of --scale taskmanager=N is scraped");
        assertEquals("A", string(taskManagers.get("type")));
        assertEquals(port, string(taskManagers.get("port")), "the TaskManagers are scraped on the reporter's port");

        Map<?, ?> grafana = services.get("grafana");
        assertEquals("http://prometheus:9090", ((Map<?, ?>) grafana.get("environment")).get("TURNOUT_PROMETHEUS_URL"),
                "Grafana's Prometheus datasource URL (grafana/provisioning/datasources)");
        assertTrue(((Map<?, ?>) grafana.get("depends_on")).containsKey("prometheus"), "Grafana starts after Prometheus");
    }

    @Test
    void everyImageIsPinnedAndNamesNoRegistryHost() {
        for (var service : services.entrySet()) {
            String image = string(service.getValue().get("image"));
            assertNotNull(image, service.getKey() + " has an image");
            assertTrue(PINNED_IMAGE.matcher(image).matches(), service.getKey() + ": image with a tag: " + image);
            assertFalse(image.endsWith(":latest"), service.getKey() + ": a pinned version, not latest: " + image);
            String firstPart = image.split("/")[0];
            assertFalse(image.contains("/") && (firstPart.contains(".") || firstPart.contains(":")),
                    service.getKey() + ": image name only, no registry host: " + image);
        }
        assertEquals("apache/kafka:" + rootPomProperty("kafka.server.version"), services.get("kafka").get("image"),
                "the broker version the tests run");
    }

    @Test
    void theJobImageIsBuiltFromTheShadedJarOnTheFlinkVersionOfTheBuild() throws Exception {
        Map<?, ?> build = (Map<?, ?>) services.get("jobmanager").get("build");
        Path dockerfile = DOCKER.resolve(string(build.get("context"))).resolve(string(build.get("dockerfile"))).normalize();
        assertTrue(Files.isRegularFile(dockerfile), "Dockerfile at " + dockerfile);
        String content = Files.readString(dockerfile);
        assertTrue(content.contains("FROM flink:" + EnvironmentInformation.getVersion() + "-java17"),
                "the image's Flink is the build's (" + EnvironmentInformation.getVersion() + ")");
        String jar = "jobs/target/turnout-jobs-0.1.0-SNAPSHOT-job.jar";
        assertTrue(content.contains("COPY " + jar + " /opt/flink/usrlib/"), "the shaded jar goes to usrlib");
        assertTrue(Files.readString(dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore")).contains("!" + jar),
                "the jar is not ignored by the build context");
        String cliJar = "tools/target/turnout-tools-0.1.0-SNAPSHOT-cli.jar";
        assertTrue(content.contains("COPY " + cliJar + " /opt/turnout/turnout-cli.jar"), "the CLI jar goes to /opt/turnout");
        assertTrue(Files.readString(dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore")).contains("!" + cliJar),
                "the CLI jar is not ignored by the build context");
        assertTrue(Files.isRegularFile(REPO.resolve(jar)), jar + " is what `mvn package` built (the module and version in the Dockerfile are current)");
        String toolsPom = Files.readString(REPO.resolve("tools/pom.xml"));
        assertTrue(toolsPom.contains("<artifactId>turnout-tools</artifactId>") && toolsPom.contains("<shadedClassifierName>cli</shadedClassifierName>"),
                "tools/ builds " + cliJar);
        assertTrue(content.contains("COPY reference /opt/turnout/reference") && Files.isDirectory(REPO.resolve("reference/alborz-synthetic")));
        Class.forName("org.turnoutstream.TurnoutJob").getMethod("main", String[].class);
        Class.forName("org.turnoutstream.cli.TurnoutCli").getMethod("main", String[].class);
        for (String name : List.of("jobmanager", "taskmanager", "schemas-init", "simulator")) {
            assertEquals(build, services.get(name).get("build"), name + " uses the job image");
        }
    }

    @Test
    void everyLongRunningServiceHasAHealthCheckAndInitStepsRunOnce() {
        for (var service : services.entrySet()) {
            if (ONE_SHOT.contains(service.getKey())) {
                assertEquals("no", service.getValue().get("restart"), service.getKey() + " runs once");
                continue;
            }
            Map<?, ?> health = (Map<?, ?>) service.getValue().get("healthcheck");
            assertNotNull(health, service.getKey() + " has a healthcheck");
            List<?> test = (List<?>) health.get("test");
            assertTrue(test.size() == 2 && "CMD-SHELL".equals(test.get(0)) && !string(test.get(1)).isBlank(), service.getKey() + ": " + test);
            for (String key : List.of("interval", "timeout", "retries")) assertNotNull(health.get(key), service.getKey() + " healthcheck " + key);
            // the application cluster must stay down after a stop with savepoint (exit 0), until restarted from it
            assertEquals(service.getKey().equals("jobmanager") ? "on-failure" : "unless-stopped", service.getValue().get("restart"), service.getKey());
        }
    }

    @Test
    void servicesStartInOrder() {
        Set<String> conditions = Set.of("service_started", "service_healthy", "service_completed_successfully");
        for (var service : services.entrySet()) {
            Object dependsOn = service.getValue().get("depends_on");
            if (dependsOn == null) continue;
            for (var dependency : ((Map<?, ?>) dependsOn).entrySet()) {
                assertTrue(services.containsKey(string(dependency.getKey())), service.getKey() + " depends on a defined service");
                String condition = string(((Map<?, ?>) dependency.getValue()).get("condition"));
                assertTrue(conditions.contains(condition), service.getKey() + " -> " + dependency.getKey() + ": " + condition);
                if (ONE_SHOT.contains(string(dependency.getKey()))) {
                    assertEquals("service_completed_successfully", condition, service.getKey() + " waits for " + dependency.getKey() + " to finish");
                }
            }
        }
        Map<?, ?> job = (Map<?, ?>) services.get("jobmanager").get("depends_on");
        assertEquals(Set.of("kafka-init", "schemas-init", "influxdb"), keys(job), "the job starts once topics, schemas and the database exist");
        assertEquals("service_started", ((Map<?, ?>) ((Map<?, ?>) services.get("taskmanager").get("depends_on")).get("jobmanager")).get("condition"),
                "TaskManagers cannot wait for a healthy JobManager: its job needs their slots to run");
    }

    @Test
    void everyVariableIsInEnvExampleAndNoSecretHasADefault() throws IOException {
        String example = Files.readString(DOCKER.resolve(".env.example"));
        Map<String, String> exampleValues = new LinkedHashMap<>();
        Set<String> mentioned = new LinkedHashSet<>();
        for (String line : example.split("\n")) {
            Matcher set = Pattern.compile("^([A-Z][A-Z0-9_]*)=(.*)$").matcher(line.trim());
            if (set.matches()) exampleValues.put(set.group(1), set.group(2));
            Matcher any = Pattern.compile("\\b([A-Z][A-Z0-9_]{2,})=").matcher(line);
            while (any.find()) mentioned.add(any.group(1));
        }
        List<String> problems = new ArrayList<>();
        Matcher m = VARIABLE.matcher(text);
        Set<String> required = new LinkedHashSet<>();
        while (m.find()) {
            String name = m.group(1), operator = m.group(2);
            if (!mentioned.contains(name)) problems.add(name + " is used but not in .env.example");
            boolean hasDefault = operator != null && operator.endsWith("-");
            if (SECRET.matcher(name).matches() && !(operator != null && operator.endsWith("?"))) {
                problems.add(name + " is a secret and must be required (${" + name + ":?message}), not " + m.group());
            }
            if (hasDefault && SECRET.matcher(name).matches()) problems.add(name + " is a secret with a default");
            if (operator != null && operator.endsWith("?")) required.add(name);
        }
        for (String name : required) {
            String value = exampleValues.get(name);
            if (value == null) problems.add(name + " is required but .env.example has no line " + name + "=...");
            else if (!value.matches("<[^>]+>")) problems.add(name + " in .env.example must be a <placeholder>, not a usable value: " + value);
        }
        assertTrue(required.containsAll(Set.of("INFLUXDB_ADMIN_PASSWORD", "INFLUXDB_JOB_PASSWORD", "INFLUXDB_GRAFANA_PASSWORD", "GRAFANA_ADMIN_PASSWORD")),
                "every password is required: " + required);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void mountedPathsExistAndNamedVolumesAreDeclared() {
        Set<String> declared = keys((Map<?, ?>) compose.get("volumes"));
        Set<String> used = new LinkedHashSet<>();
        for (var service : services.entrySet()) {
            Object volumes = service.getValue().get("volumes");
            if (volumes == null) continue;
            for (Object volume : (List<?>) volumes) {
                String source = string(volume).split(":")[0];
                if (source.startsWith(".") || source.startsWith("/")) {
                    Path onHost = DOCKER.resolve(source).normalize();
                    assertTrue(onHost.startsWith(REPO) && Files.exists(onHost), service.getKey() + " mounts " + source + ", which must exist in the repository");
                } else {
                    assertTrue(declared.contains(source), service.getKey() + " uses the named volume " + source + ", declared at the top level");
                    used.add(source);
                }
            }
        }
        assertEquals(declared, used, "no unused named volume");
        assertTrue(((List<?>) services.get("grafana").get("volumes")).contains("../grafana/provisioning:/etc/grafana/provisioning:ro"),
                "Grafana is provisioned from grafana/provisioning");
        assertTrue(((List<?>) services.get("jobmanager").get("volumes")).equals(services.get("taskmanager").get("volumes")),
                "JobManager and TaskManagers share the checkpoint and savepoint volumes");
        assertTrue(((List<?>) services.get("jobmanager").get("volumes")).contains(
                        "./flink/log4j-console.properties:/opt/flink/conf/log4j-console.properties:ro"),
                "the cluster logs with docker/flink/log4j-console.properties (the one the standalone-cluster tests use)");
    }

    @Test
    void portsArePublishedOnLoopbackOnly() {
        for (var service : services.entrySet()) {
            Object ports = service.getValue().get("ports");
            if (ports == null) continue;
            for (Object port : (List<?>) ports) {
                assertTrue(string(port).startsWith("127.0.0.1:"), service.getKey() + " publishes " + port + " beyond this machine");
            }
        }
    }

    @Test
    void brokerKeepsDefaultTimestampsAndRetainsAnElectionDay() {
        Map<?, ?> env = (Map<?, ?>) services.get("kafka").get("environment");
        for (Object key : env.keySet()) {
            assertFalse(string(key).contains("TIMESTAMP"), "record timestamps stay at the broker defaults (the job's liveness reads them): " + key);
        }
        Matcher retention = VARIABLE.matcher(string(env.get("KAFKA_LOG_RETENTION_MS")));
        assertTrue(retention.matches(), "retention is configurable");
        long defaultMillis = Long.parseLong(retention.group(3));
        assertTrue(defaultMillis >= 14L * 24 * 3600 * 1000, "at least two weeks of retention for replays: " + defaultMillis);
        assertEquals("false", string(env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE")), "topics come from kafka-init, with their partitions");
    }

    /**
     * Applies YAML merge keys ({@code <<: *anchor}), which Compose resolves but YAML 1.2 parsers leave as
     * a plain key: the merged mapping's entries come first, the mapping's own override them.
     */
    static Object withMergeKeys(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> merged = new LinkedHashMap<>();
            Object base = map.get("<<");
            if (base instanceof Map<?, ?> baseMap) {
                ((Map<?, ?>) withMergeKeys(baseMap)).forEach((k, v) -> merged.put(string(k), v));
            } else if (base != null) {
                fail("unsupported merge key value: " + base);
            }
            map.forEach((k, v) -> {
                if (!"<<".equals(k)) merged.put(string(k), withMergeKeys(v));
            });
            return merged;
        }
        if (node instanceof List<?> list) return list.stream().map(DockerComposeFileTest::withMergeKeys).toList();
        return node;
    }

    static Set<String> keys(Map<?, ?> map) {
        Set<String> keys = new LinkedHashSet<>();
        map.keySet().forEach(k -> keys.add(string(k)));
        return keys;
    }

    static String string(Object value) {
        return value == null ? null : value.toString();
    }

    static String rootPomProperty(String name) {
        try {
            Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(Files.readString(REPO.resolve("pom.xml")));
            if (m.find()) return m.group(1).trim();
        } catch (IOException e) {
            fail("cannot read the root pom: " + e);
        }
        return fail("no property " + name + " in the root pom");
    }
}
