package org.turnoutstream.deploy;

import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.turnoutstream.config.JobOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docker/compose.yaml as an operator would get it: it parses, every image is pinned (and names no registry
 * host), every long-running service has a health check, every variable it reads is documented in
 * .env.example and none is a password, every password is a Compose secret (a git-ignored file that
 * docker/secrets/generate.sh writes) mounted where the service reads it, the job and the images without
 * *_FILE support read them from there, every mounted path exists in the repository, the job image
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
    /** Where Compose mounts a service's secret (short syntax, or long syntax without an absolute target). */
    static final String SECRETS_DIR = "/run/secrets/";
    static final Pattern SECRET_PATH = Pattern.compile("/run/secrets/([A-Za-z0-9._-]+)");
    /** A password option given its value on the command line ({@code --influx-password x}), not its file. */
    static final Pattern INLINE_PASSWORD = Pattern.compile("--[a-z-]*password(?![a-z-])");

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
    void everyVariableIsInEnvExampleAndNoneIsAPassword() throws IOException {
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
            if (SECRET.matcher(name).matches()) {
                problems.add(name + " is a secret: a Compose secret (a file in docker/secrets/ read through a *_FILE variable), not " + m.group());
            }
            if (operator != null && operator.endsWith("?")) required.add(name);
        }
        for (String name : required) {
            String value = exampleValues.get(name);
            if (value == null) problems.add(name + " is required but .env.example has no line " + name + "=...");
            else if (!value.matches("<[^>]+>")) problems.add(name + " in .env.example must be a <placeholder>, not a usable value: " + value);
        }
        for (String name : mentioned) {
            if (SECRET.matcher(name).matches()) problems.add(".env.example sets " + name + ": passwords are files in docker/secrets/");
        }
        assertTrue(required.containsAll(Set.of("INFLUXDB_ADMIN_USER", "INFLUXDB_JOB_USER", "INFLUXDB_GRAFANA_USER", "GRAFANA_ADMIN_USER",
                        "TURNOUT_ALERT_WEBHOOK_URL")),
                "every user (and the webhook) is required, without a default: " + required);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /**
     * No password in the file or in any service's environment: every setting named like a secret is a {@code *_FILE}
     * variable (Grafana's own: {@code *__FILE}) naming the file of a Compose secret the service mounts; every secret is
     * declared at the top level as a file in docker/secrets/ and used; every {@code /run/secrets/...} a service names
     * (environment, command, entrypoint) is mounted in it; and InfluxDB is initialised with the very files the job and
     * Grafana log in with.
     */
    @Test
    void everyPasswordIsAFileOfAMountedSecret() {
        Map<String, String> declared = declaredSecrets();
        assertFalse(declared.isEmpty(), "top-level secrets");
        List<String> problems = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        for (var service : services.entrySet()) {
            String name = service.getKey();
            Map<String, String> mounted = mountedSecrets(service.getValue());
            for (String secret : mounted.values()) {
                if (!declared.containsKey(secret)) problems.add(name + " mounts the secret " + secret + ", not declared at the top level");
                used.add(secret);
            }
            for (var variable : environment(service.getValue()).entrySet()) {
                if (!SECRET.matcher(variable.getKey()).matches()) continue;
                if (!variable.getKey().endsWith("_FILE")) {
                    problems.add(name + ": " + variable.getKey() + " holds a secret's value; give the file instead (" + variable.getKey() + "_FILE)");
                } else if (!mounted.containsKey(variable.getValue())) {
                    problems.add(name + ": " + variable.getKey() + "=" + variable.getValue() + " is not a secret mounted in " + name + " " + mounted.keySet());
                }
            }
            String named = String.valueOf(environment(service.getValue()).values()) + service.getValue().get("command") + service.getValue().get("entrypoint");
            Matcher path = SECRET_PATH.matcher(named);
            while (path.find()) {
                if (!mounted.containsKey(path.group())) problems.add(name + " reads " + path.group() + ", which is not mounted in it " + mounted.keySet());
            }
            Matcher inline = INLINE_PASSWORD.matcher(service.getValue().get("command") + " " + service.getValue().get("entrypoint"));
            while (inline.find()) problems.add(name + " gives " + inline.group() + " on its command line (ps shows it): give the -file form");
        }
        assertEquals(declared.keySet(), used, "every declared secret is mounted somewhere, and only those");
        assertTrue(problems.isEmpty(), String.join("\n", problems));

        Map<String, String> influx = environment(services.get("influxdb"));
        Map<String, String> job = environment(services.get("jobmanager"));
        Map<String, String> grafana = environment(services.get("grafana"));
        assertEquals(influx.get("INFLUXDB_USER_PASSWORD_FILE"), job.get("TURNOUT_INFLUX_PASSWORD_FILE"),
                "the job logs in with the password InfluxDB created its writer with");
        assertEquals(variables(influx.get("INFLUXDB_USER")), variables(job.get("TURNOUT_INFLUX_USER")), "... as that user");
        assertEquals(influx.get("INFLUXDB_READ_USER_PASSWORD_FILE"), grafana.get("TURNOUT_INFLUX_PASSWORD_FILE"),
                "Grafana reads with the password InfluxDB created its reader with");
        assertEquals(variables(influx.get("INFLUXDB_READ_USER")), variables(grafana.get("TURNOUT_INFLUX_USER")), "... as that user");
        assertNotNull(influx.get("INFLUXDB_ADMIN_PASSWORD_FILE"), "the admin's password too (else the image prints a random one in its log)");
        assertNotNull(grafana.get("GF_SECURITY_ADMIN_PASSWORD__FILE"), "Grafana's admin password from a file (its /run.sh reads GF_*__FILE)");
        assertEquals(Map.of(), mountedSecrets(services.get("taskmanager")),
                "the TaskManagers need no secret: the job's main (in the JobManager) reads the password");
    }

    /**
     * The live job takes the JobManager's command and environment with the secret where Compose mounts it (a temp file
     * stands in for it here): it reads the InfluxDB password from that file, and only from it.
     */
    @Test
    void theJobReadsItsInfluxPasswordFromTheMountedSecret(@TempDir Path secrets) throws IOException {
        Map<String, Object> jobManager = services.get("jobmanager");
        List<String> args = new ArrayList<>(List.of(interpolate(string(jobManager.get("command"))).trim().split("\\s+")));
        assertEquals(List.of("standalone-job", "--job-classname", "org.turnoutstream.TurnoutJob"), args.subList(0, 3), "Flink's part");
        args.subList(0, 3).clear();
        Map<String, String> env = new LinkedHashMap<>();
        for (var variable : environment(jobManager).entrySet()) env.put(variable.getKey(), standIn(interpolate(variable.getValue()), secrets));
        JobOptions options = JobOptions.parse(args.toArray(new String[0]), env);

        assertEquals("http://influxdb:8086", options.influxUrl);
        assertEquals("stand-in-INFLUXDB_JOB_USER", options.influxUser);
        assertEquals(secrets.resolve("influxdb-job-password"), options.influxPasswordFile, "the job takes the mounted file");
        assertEquals("password of influxdb-job-password", options.influxPassword(), "the file's first line");
        assertNull(options.influxPassword, "no password inline");
        assertTrue(options.resumeLatestCheckpoint && !options.elections.isEmpty(), "the command's own options: " + args);

        Files.delete(secrets.resolve("influxdb-job-password"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, options::influxPassword,
                "without the secret mounted the job has no password");
        assertTrue(missing.getMessage().contains("--influx-password-file"), missing.getMessage());
    }

    /**
     * The influxdb:1.8 image reads its init passwords only from variables, and Grafana's provisioning expands
     * TURNOUT_INFLUX_PASSWORD: both run x-password-files, which sets every {@code NAME} from {@code NAME_FILE} (a secret)
     * and then runs the image's own entrypoint. Run here with sh, temp files standing in for the secrets and
     * {@code env -0} for the image's entrypoint.
     */
    @Test
    void imagesWithoutFileSupportGetTheirPasswordsFromTheSecretsThroughTheWrapper(@TempDir Path secrets) throws Exception {
        Map<String, List<String>> imageEntrypoints = Map.of("influxdb", List.of("/entrypoint.sh", "influxd"), "grafana", List.of("/run.sh"));
        Map<String, Set<String>> expected = Map.of(
                "influxdb", Set.of("INFLUXDB_ADMIN_PASSWORD", "INFLUXDB_USER_PASSWORD", "INFLUXDB_READ_USER_PASSWORD"),
                "grafana", Set.of("TURNOUT_INFLUX_PASSWORD"));
        for (String name : List.of("influxdb", "grafana")) {
            Map<String, Object> service = services.get(name);
            List<?> entrypoint = (List<?>) service.get("entrypoint");
            assertEquals(4, entrypoint.size(), name + ": sh -c SCRIPT NAME: " + entrypoint);
            assertEquals(List.of("/bin/sh", "-c"), entrypoint.subList(0, 2), name);
            assertEquals(imageEntrypoints.get(name), service.get("command"), name + " then runs the image's own entrypoint and command");
            String script = interpolate(string(entrypoint.get(2)));

            Map<String, String> env = new LinkedHashMap<>();
            for (var variable : environment(service).entrySet()) env.put(variable.getKey(), standIn(interpolate(variable.getValue()), secrets));
            Map<String, String> seen = run(script, string(entrypoint.get(3)), env, 0);
            for (String variable : expected.get(name)) {
                String file = environment(service).get(variable + "_FILE");
                assertNotNull(file, name + ": " + variable + "_FILE");
                assertEquals("password of " + file.substring(SECRETS_DIR.length()), seen.get(variable), name + ": " + variable + " from its file's first line");
                assertFalse(seen.containsKey(variable + "_FILE"), name + ": " + variable + "_FILE is gone");
            }
            Set<String> passwords = new LinkedHashSet<>();
            seen.keySet().stream().filter(k -> k.endsWith("PASSWORD")).forEach(passwords::add);
            assertEquals(expected.get(name), passwords, name + ": exactly these passwords are set");
            if (name.equals("grafana")) {
                assertEquals(secrets.resolve("grafana-admin-password").toString(), seen.get("GF_SECURITY_ADMIN_PASSWORD__FILE"),
                        "left to Grafana's /run.sh");
                Set<String> provisioned = new LinkedHashSet<>();
                try (var files = Files.list(REPO.resolve("grafana/provisioning/datasources"))) {
                    for (Path file : files.toList()) {
                        Matcher reference = VARIABLE.matcher(Files.readString(file));
                        while (reference.find()) provisioned.add(reference.group(1));
                    }
                }
                assertTrue(provisioned.contains("TURNOUT_INFLUX_PASSWORD"), "the datasource's password: " + provisioned);
                for (String variable : provisioned) assertNotNull(seen.get(variable), "Grafana's datasources read " + variable);
            }
        }

        // a secret missing or empty stops the container before the image starts, naming the variable and never a value
        Map<String, Object> influx = services.get("influxdb");
        String script = interpolate(string(((List<?>) influx.get("entrypoint")).get(2)));
        Map<String, String> env = new LinkedHashMap<>();
        for (var variable : environment(influx).entrySet()) env.put(variable.getKey(), standIn(interpolate(variable.getValue()), secrets));
        Files.writeString(secrets.resolve("influxdb-job-password"), "");
        String empty = String.join("\n", run(script, "password-files", env, 1).values());
        assertTrue(empty.contains("INFLUXDB_USER_PASSWORD_FILE") && empty.contains("empty"), empty);
        Files.delete(secrets.resolve("influxdb-job-password"));
        String missing = String.join("\n", run(script, "password-files", env, 1).values());
        assertTrue(missing.contains("INFLUXDB_USER_PASSWORD_FILE"), missing);
        assertFalse(missing.contains("password of"), "no password in the message: " + missing);
    }

    /**
     * The secret files are git-ignored, and docker/secrets/generate.sh writes one for every secret the file declares:
     * a random password on one line, readable by the containers' users, in a directory only its owner can enter; run
     * again, it keeps them.
     */
    @Test
    void theSecretFilesAreIgnoredByGitAndTheScriptWritesEveryOne(@TempDir Path dir) throws Exception {
        Set<String> files = new LinkedHashSet<>();
        for (var secret : declaredSecrets().entrySet()) files.add(secret.getValue().substring("./secrets/".length()));
        List<String> ignore = Files.readAllLines(REPO.resolve(".gitignore")).stream().map(String::trim).toList();
        assertTrue(ignore.contains("docker/secrets/*"), ".gitignore ignores docker/secrets/: " + ignore);
        for (String line : ignore) {
            if (line.startsWith("!docker/secrets/")) {
                String kept = line.substring("!docker/secrets/".length());
                assertFalse(files.contains(kept), "a secret file is kept in git: " + line);
                assertTrue(Files.isRegularFile(DOCKER.resolve("secrets").resolve(kept)), line + " exists");
            }
        }

        Path script = DOCKER.resolve("secrets/generate.sh");
        assertTrue(Files.isExecutable(script), script + " is executable");
        Path target = dir.resolve("secrets");
        Process process = new ProcessBuilder("bash", script.toString(), target.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), output);
        Set<String> written = new LinkedHashSet<>();
        try (var listing = Files.list(target)) {
            listing.forEach(f -> written.add(f.getFileName().toString()));
        }
        assertEquals(files, written, "one file per declared secret");
        Map<String, String> passwords = new LinkedHashMap<>();
        for (String file : files) {
            List<String> lines = Files.readAllLines(target.resolve(file));
            assertEquals(1, lines.size(), file);
            assertTrue(lines.get(0).matches("[0-9a-f]{32,}"), file + ": a long random password, nothing that needs quoting");
            assertFalse(output.contains(lines.get(0)), "the script does not print the password");
            passwords.put(file, lines.get(0));
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve(file))),
                    file + ": readable by the containers' users (flink, grafana), who are not the host's");
        }
        assertEquals(files.size(), Set.copyOf(passwords.values()).size(), "a different password each");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)), "no other host user enters the directory");

        Files.writeString(target.resolve(files.iterator().next()), "chosen by hand\n");
        passwords.put(files.iterator().next(), "chosen by hand");
        Process again = new ProcessBuilder("bash", script.toString(), target.toString()).redirectErrorStream(true).start();
        String againOutput = new String(again.getInputStream().readAllBytes());
        assertEquals(0, again.waitFor(), againOutput);
        for (String file : files) assertEquals(passwords.get(file), Files.readAllLines(target.resolve(file)).get(0), file + " is kept");
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

    /** The top-level secrets: name to file, each a file in docker/secrets/ named like the secret. */
    static Map<String, String> declaredSecrets() {
        Map<String, String> declared = new LinkedHashMap<>();
        Object secrets = compose.get("secrets");
        if (secrets == null) return declared;
        for (var secret : ((Map<?, ?>) secrets).entrySet()) {
            String name = string(secret.getKey());
            Map<?, ?> definition = (Map<?, ?>) secret.getValue();
            assertEquals(Set.of("file"), keys(definition), name + ": a file, nothing else (no environment, no external)");
            assertEquals("./secrets/" + name, string(definition.get("file")), name + ": its file in docker/secrets/");
            declared.put(name, string(definition.get("file")));
        }
        return declared;
    }

    /** A service's mounted secrets: the path in the container to the secret's name. */
    static Map<String, String> mountedSecrets(Map<String, Object> service) {
        Map<String, String> mounted = new LinkedHashMap<>();
        Object secrets = service.get("secrets");
        if (secrets == null) return mounted;
        for (Object secret : (List<?>) secrets) {
            if (secret instanceof Map<?, ?> longSyntax) {
                String source = string(longSyntax.get("source"));
                String target = longSyntax.get("target") == null ? source : string(longSyntax.get("target"));
                mounted.put(target.startsWith("/") ? target : SECRETS_DIR + target, source);
            } else {
                mounted.put(SECRETS_DIR + string(secret), string(secret));
            }
        }
        return mounted;
    }

    /** A service's environment as written (map or KEY=VALUE list), before interpolation. */
    static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> environment = new LinkedHashMap<>();
        Object env = service.get("environment");
        if (env instanceof Map<?, ?> map) {
            map.forEach((k, v) -> environment.put(string(k), string(v)));
        } else if (env instanceof List<?> list) {
            for (Object item : list) {
                String[] pair = string(item).split("=", 2);
                environment.put(pair[0], pair.length > 1 ? pair[1] : "");
            }
        }
        return environment;
    }

    /** The variables a value reads. */
    static List<String> variables(String value) {
        List<String> names = new ArrayList<>();
        Matcher m = VARIABLE.matcher(value == null ? "" : value);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /**
     * A value as Compose passes it with docker/.env set: a variable with a default takes it, a required one
     * {@code stand-in-NAME}, an optional one without default nothing; {@code $$} is a literal {@code $}.
     */
    static String interpolate(String value) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder result = new StringBuilder();
        while (m.find()) {
            String operator = m.group(2);
            String replacement = operator == null ? "" : operator.endsWith("-") ? m.group(3) : "stand-in-" + m.group(1);
            m.appendReplacement(result, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(result);
        return result.toString().replace("$$", "$");
    }

    /** For a value that is a secret's path: a file in {@code dir} standing in for it, holding "password of NAME" and a second line. */
    static String standIn(String value, Path dir) throws IOException {
        if (value == null || !value.startsWith(SECRETS_DIR)) return value;
        String name = value.substring(SECRETS_DIR.length());
        Path file = dir.resolve(name);
        if (!Files.exists(file)) Files.writeString(file, "password of " + name + "\nnot the password\n");
        return file.toString();
    }

    /**
     * Runs {@code script} with sh as {@code sh -c SCRIPT NAME env -0} in exactly {@code environment} (plus PATH): on
     * success the environment {@code env} printed (NUL-separated, so that a value of several lines shows), else the
     * exit code and stderr.
     */
    static Map<String, String> run(String script, String name, Map<String, String> environment, int expectedExit) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", script, name, "env", "-0");
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        builder.environment().putAll(environment);
        Path out = Files.createTempFile("wrapper", ".out"), err = Files.createTempFile("wrapper", ".err");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            int exit = process.waitFor();
            String stderr = Files.readString(err);
            if (expectedExit == 0) assertEquals(0, exit, "the wrapper failed: " + stderr);
            else assertTrue(exit != 0, "the wrapper should fail; it printed " + Files.readString(out));
            Map<String, String> result = new LinkedHashMap<>();
            if (exit != 0) {
                result.put("exit", String.valueOf(exit));
                result.put("stderr", stderr);
                return result;
            }
            for (String entry : Files.readString(out).split("\0")) {
                int equals = entry.indexOf('=');
                if (equals > 0) result.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
            return result;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
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
