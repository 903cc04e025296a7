package org.turnoutstream.testing;

import org.apache.flink.configuration.Configuration;
import org.turnoutstream.local.FreePorts;
import org.turnoutstream.local.LocalProcess;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A standalone Flink 2.2 cluster on this machine: a JobManager and one TaskManager ({@code TaskManagerRunner})
 * as two child JVMs, started the way Flink's {@code jobmanager.sh}/{@code standalone-job.sh} and
 * {@code taskmanager.sh} start them (a {@code config.yaml} in a conf directory, JVM memory flags derived from
 * the process sizes by Flink's own memory model), on free loopback ports, with every file under one work
 * directory.
 *
 * <p>Two modes. A session cluster ({@link #start}: {@code StandaloneSessionClusterEntrypoint}), to which jobs
 * are submitted through the REST API. An application cluster ({@link #startApplication}:
 * {@code StandaloneApplicationClusterEntryPoint}, what {@code standalone-job} runs in Flink's image and
 * docker/compose.yaml's JobManager), whose JobManager runs the job jar's main itself: the jar sits in
 * {@code usrlib/} next to {@code $FLINK_LIB_DIR}, as the job image has it. Its JobManager can be killed,
 * stopped and started again with the same command ({@link #killJobManager}, {@link #stopJobManager},
 * {@link #startJobManagerAgain}); the TaskManager stays.
 *
 * <p>Flink's binary distribution is not on Maven Central: the classpath is the one the
 * {@code flink-cluster} module assembles from the artifacts that are ({@code target/flink/classpath.txt}).
 * The job jar is not on it: jobs are submitted through the REST API, or loaded from usrlib.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {
    public static final String PROPERTY = "turnout.flink.cluster.dir";
    private static final String HINT = "build it first: mvn -pl flink-cluster generate-resources (from the repository root)";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * What Flink's default config.yaml passes to every Flink JVM on Java 17 (env.java.default-opts.all):
     * Kryo and the RPC system reflect into these JDK internals.
     */
    static final List<String> JAVA_17_OPENS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /** The class an application cluster's JobManager runs ({@code standalone-job}); in flink-container. */
    static final String APPLICATION_ENTRYPOINT = "org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint";
    static final String SESSION_ENTRYPOINT = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";

    private final Path workDir;
    private final String classpath;
    private final Configuration flinkConfig;
    private final Application application;
    private final String restUrl;
    private final int slots;
    private LocalProcess jobManager;
    private LocalProcess taskManager;
    private int jobManagerStarts;

    private StandaloneFlinkCluster(Path workDir, String classpath, Configuration flinkConfig, Application application, String restUrl, int slots) {
        this.workDir = workDir;
        this.classpath = classpath;
        this.flinkConfig = flinkConfig;
        this.application = application;
        this.restUrl = restUrl;
        this.slots = slots;
    }

    /**
     * The job an application cluster runs: the job jar (copied into {@code usrlib/}), its main class
     * ({@code --job-classname}) and the main's arguments.
     */
    public record Application(Path jobJar, String jobClassName, List<String> args) {}

    /** The sizes of the two processes; modest, for a shared 2-core machine. */
    public record Sizing(String jobManagerProcessSize, String taskManagerProcessSize, int slots) {
        public static Sizing modest() {
            return new Sizing("768m", "1280m", 2);
        }
    }

    /**
     * A session cluster: writes {@code workDir/conf/config.yaml}, starts the JobManager, then the TaskManager,
     * and waits until the REST API reports the TaskManager's slots.
     */
    public static StandaloneFlinkCluster start(Path workDir, Sizing sizing) throws IOException {
        return start(workDir, sizing, null, Map.of());
    }

    /**
     * An application cluster running {@code application}, its config.yaml the session cluster's plus
     * {@code extraConfig}: starts the JobManager (which runs the job's main and submits the job), then the
     * TaskManager, and waits until the REST API reports the TaskManager's slots.
     */
    public static StandaloneFlinkCluster startApplication(Path workDir, Sizing sizing, Application application,
                                                          Map<String, String> extraConfig) throws IOException {
        return start(workDir, sizing, application, extraConfig);
    }

    private static StandaloneFlinkCluster start(Path workDir, Sizing sizing, Application application, Map<String, String> extraConfig) throws IOException {
        String classpath = Files.readString(classpathFile(), StandardCharsets.UTF_8).trim();
        Path conf = Files.createDirectories(workDir.resolve("conf"));
        Path logs = Files.createDirectories(workDir.resolve("log"));
        int restPort = FreePorts.pick();
        Map<String, String> config = config(workDir, sizing, restPort);
        config.putAll(extraConfig);
        writeConfig(conf.resolve("config.yaml"), config);
        writeLog4j(conf.resolve("log4j.properties"));
        if (application != null) {
            // Flink's image: $FLINK_HOME/lib (FLINK_LIB_DIR) and the job jar in $FLINK_HOME/usrlib
            Files.createDirectories(workDir.resolve("flink").resolve("lib"));
            Path usrlib = Files.createDirectories(workDir.resolve("flink").resolve("usrlib"));
            Files.copy(application.jobJar(), usrlib.resolve("turnout-job.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Configuration flinkConfig = GlobalConfiguration.loadConfiguration(conf.toString());
        StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(workDir, classpath, flinkConfig, application, "http://127.0.0.1:" + restPort, sizing.slots());
        try {
            cluster.jobManager = cluster.launchJobManager();
            TaskExecutorProcessSpec tmSpec = TaskExecutorProcessUtils.processSpecFromConfig(flinkConfig);
            List<String> tmJvm = jvmOptions(ProcessMemoryUtils.generateJvmParametersStr(tmSpec), conf, logs.resolve("taskmanager.log"));
            cluster.taskManager = LocalProcess.launch("flink-taskmanager",
                    LocalProcess.watchedJava(workDir, tmJvm, classpath, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                            args(conf, TaskExecutorProcessUtils.generateDynamicConfigsStr(tmSpec))),
                    workDir, logs.resolve("taskmanager.out"));
            cluster.awaitSlots();
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts a JobManager with this cluster's command; each start logs to its own files (jobmanager.log, jobmanager-2.log, ...). */
    private LocalProcess launchJobManager() throws IOException {
        jobManagerStarts++;
        Path conf = workDir.resolve("conf");
        JobManagerProcessSpec jmSpec = JobManagerProcessUtils.processSpecFromConfig(flinkConfig);
        List<String> jmJvm = jvmOptions(JobManagerProcessUtils.generateJvmParametersStr(jmSpec, flinkConfig), conf, jobManagerLog());
        List<String> args = new ArrayList<>(Arrays.asList(args(conf, JobManagerProcessUtils.generateDynamicConfigsStr(jmSpec))));
        Map<String, String> environment = Map.of();
        if (application != null) {
            // as standalone-job: the entrypoint's options, then the main's arguments
            args.add("--job-classname");
            args.add(application.jobClassName());
            args.addAll(application.args());
            environment = Map.of("FLINK_LIB_DIR", workDir.resolve("flink").resolve("lib").toString());
        }
        return LocalProcess.launch("flink-jobmanager",
                LocalProcess.watchedJava(workDir, jmJvm, classpath, application != null ? APPLICATION_ENTRYPOINT : SESSION_ENTRYPOINT,
                        args.toArray(new String[0])),
                workDir, jobManagerOut(), false, environment);
    }

    private Path jobManagerLog() {
        return workDir.resolve("log").resolve(jobManagerStarts <= 1 ? "jobmanager.log" : "jobmanager-" + jobManagerStarts + ".log");
    }

    private Path jobManagerOut() {
        return workDir.resolve("log").resolve(jobManagerStarts <= 1 ? "jobmanager.out" : "jobmanager-" + jobManagerStarts + ".out");
    }

    /** The log of the JobManager started last. */
    public Path currentJobManagerLog() {
        return jobManagerLog();
    }

    /** SIGKILL to the JobManager, as when its container or machine dies: no shutdown at all. Waits until it is gone. */
    public void killJobManager() {
        Process process = jobManager.process();
        process.destroyForcibly();
        awaitExit(process, Duration.ofSeconds(30));
        jobManager.close();
    }

    /** SIGTERM to the JobManager, as {@code docker stop} or {@code docker compose restart} send it; returns its exit code. */
    public int stopJobManager(Duration timeout) {
        Process process = jobManager.process();
        process.destroy();
        int exit = awaitExit(process, timeout);
        jobManager.close();
        return exit;
    }

    /**
     * Starts the JobManager again with the command it was first started with (an application cluster runs its
     * main again), and waits until its REST API answers. The TaskManager registers again by itself once it has
     * noticed the old one gone (heartbeat.timeout).
     */
    public void startJobManagerAgain() throws IOException {
        if (jobManager.isAlive()) throw new IllegalStateException("the JobManager (pid " + jobManager.pid() + ") still runs");
        jobManager = launchJobManager();
        awaitOverview("starting again", false, overview -> true, "answer");
    }

    private static int awaitExit(Process process, Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("pid " + process.pid() + " still alive after " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static Map<String, String> config(Path workDir, Sizing sizing, int restPort) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", Integer.toString(FreePorts.pick()));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(restPort));
        c.put("blob.server.port", Integer.toString(FreePorts.pick()));
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.rpc.port", "0");
        c.put("taskmanager.data.port", "0");
        c.put("taskmanager.resource-id", "turnout-tm-1");
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(sizing.slots()));
        c.put("parallelism.default", Integer.toString(sizing.slots()));
        c.put("jobmanager.memory.process.size", sizing.jobManagerProcessSize());
        c.put("taskmanager.memory.process.size", sizing.taskManagerProcessSize());
        c.put("state.backend.type", "hashmap");
        c.put("execution.checkpointing.dir", workDir.resolve("checkpoints").toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", workDir.resolve("savepoints").toUri().toString());
        c.put("io.tmp.dirs", workDir.resolve("tmp").toString());
        c.put("web.upload.dir", workDir.resolve("uploads").toString());
        c.put("web.tmpdir", workDir.resolve("web").toString());
        c.put("blob.storage.directory", workDir.resolve("blobs").toString());
        c.put("high-availability.type", "NONE");
        // a failed job should fail the test quickly instead of restarting forever
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", "2");
        c.put("restart-strategy.fixed-delay.delay", "2 s");
        return c;
    }

    private static void writeConfig(Path file, Map<String, String> config) throws IOException {
        StringBuilder yaml = new StringBuilder("# standalone Flink cluster for the Turnout Stream cluster test (generated)\n");
        config.forEach((key, value) -> yaml.append(key).append(": \"").append(value.replace("\"", "\\\"")).append("\"\n"));
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        for (String dir : List.of("checkpoints", "savepoints", "tmp", "uploads", "web", "blobs")) {
            Files.createDirectories(file.getParent().getParent().resolve(dir));
        }
    }

    /** The cluster logs as the Docker example's does: docker/flink/log4j-console.properties (console and file). */
    private static void writeLog4j(Path file) throws IOException {
        Files.copy(clusterLog4j(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** docker/flink/log4j-console.properties of this repository. */
    public static Path clusterLog4j() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docker").resolve("flink").resolve("log4j-console.properties");
            if (Files.isRegularFile(candidate)) return candidate;
        }
        throw new IllegalStateException("docker/flink/log4j-console.properties not found above " + Path.of("").toAbsolutePath());
    }

    private static List<String> jvmOptions(String memoryFlags, Path conf, Path logFile) {
        List<String> options = new ArrayList<>(Arrays.asList(memoryFlags.trim().split("\\s+")));
        options.add("-XX:+UseSerialGC");
        options.addAll(JAVA_17_OPENS);
        options.add("-Dlog.file=" + logFile);
        options.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        return options;
    }

    private static String[] args(Path conf, String dynamicConfigs) {
        List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
        if (!dynamicConfigs.isBlank()) args.addAll(Arrays.asList(dynamicConfigs.trim().split("\\s+")));
        return args.toArray(new String[0]);
    }

    /** {@code flink-cluster/target/flink/classpath.txt}, found through {@value #PROPERTY} or from the working directory. */
    public static Path classpathFile() {
        String configured = System.getProperty(PROPERTY);
        List<Path> candidates = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            candidates.add(Paths.get(configured));
        } else {
            Path cwd = Paths.get("").toAbsolutePath();
            candidates.add(cwd.resolve("flink-cluster/target"));
            if (cwd.getParent() != null) candidates.add(cwd.getParent().resolve("flink-cluster/target"));
        }
        for (Path dir : candidates) {
            Path file = dir.resolve("flink").resolve("classpath.txt");
            if (Files.isRegularFile(file)) return file;
        }
        throw new IllegalStateException("the Flink cluster classpath is missing (looked in " + candidates + "); " + HINT);
    }

    private static final Pattern TASK_MANAGERS = Pattern.compile("\"taskmanagers\"\\s*:\\s*(\\d+)");
    private static final Pattern SLOTS_TOTAL = Pattern.compile("\"slots-total\"\\s*:\\s*(\\d+)");

    private void awaitSlots() throws IOException {
        awaitOverview("starting", true, overview -> number(TASK_MANAGERS, overview) >= 1 && number(SLOTS_TOTAL, overview) >= slots,
                "offer " + slots + " slots");
    }

    /**
     * Polls the REST API's {@code /overview} every 300 ms until {@code ready} accepts its answer; fails at once when the
     * JobManager (or, with {@code taskManagerToo}, the TaskManager) exits, and after {@link #READY_TIMEOUT} with the
     * last answer and the log tails.
     */
    private void awaitOverview(String phase, boolean taskManagerToo, Predicate<String> ready, String what) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "(no answer yet)";
        while (System.nanoTime() < deadline) {
            if (!jobManager.isAlive()) {
                throw new IOException("the Flink JobManager exited while " + phase + "; " + logTails());
            }
            if (taskManagerToo && !taskManager.isAlive()) {
                throw new IOException("the Flink TaskManager exited while " + phase + "; " + logTails());
            }
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(restUrl + "/overview"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                last = response.statusCode() + " " + response.body();
                if (response.statusCode() == 200 && ready.test(response.body())) {
                    return;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the Flink cluster");
            }
            LocalProcess.pause(300);
        }
        throw new IOException("the Flink cluster at " + restUrl + " (" + phase + ") did not " + what + " within "
                + READY_TIMEOUT.toSeconds() + " s; last /overview: " + last + "; " + logTails());
    }

    private static int number(Pattern pattern, String json) {
        Matcher m = pattern.matcher(json);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    public String restUrl() {
        return restUrl;
    }

    public Path workDir() {
        return workDir;
    }

    public Path savepointDir() {
        return workDir.resolve("savepoints");
    }

    public long jobManagerPid() {
        return jobManager.pid();
    }

    public Path taskManagerLog() {
        return workDir.resolve("log").resolve("taskmanager.log");
    }

    public long taskManagerPid() {
        return taskManager.pid();
    }

    public boolean isAlive() {
        return jobManager.isAlive() && taskManager.isAlive();
    }

    /** The ends of both processes' logs (the JobManager started last), for failure messages. */
    public String logTails() {
        Path logs = workDir.resolve("log");
        return "JobManager log (" + jobManagerLog() + "):\n" + LocalProcess.tail(jobManagerLog())
                + "\nJobManager stdout:\n" + LocalProcess.tail(jobManagerOut())
                + "\nTaskManager log (" + logs.resolve("taskmanager.log") + "):\n" + LocalProcess.tail(logs.resolve("taskmanager.log"))
                + "\nTaskManager stdout:\n" + LocalProcess.tail(logs.resolve("taskmanager.out"));
    }

    /** Stops the TaskManager, then the JobManager (SIGTERM, then SIGKILL after 20 s); safe to call twice. */
    @Override
    public void close() {
        if (taskManager != null) taskManager.close();
        if (jobManager != null) jobManager.close();
    }
}
