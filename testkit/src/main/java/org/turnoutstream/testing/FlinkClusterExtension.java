package org.turnoutstream.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * A real standalone Flink cluster (a JobManager and a TaskManager as separate JVMs, see
 * {@link StandaloneFlinkCluster}) for one test class, with a small client for the REST API a user
 * or a CI pipeline deploys through: upload a jar, run it, watch the job, stop it with a savepoint.
 *
 * <pre>{@code @RegisterExtension static final FlinkClusterExtension cluster = new FlinkClusterExtension();}</pre>
 *
 * Started before the class's first test and stopped after its last (both processes, by pid); the
 * children also stop if the test JVM dies (their stdin pipe closes, see ParentWatchdog).
 *
 * <p>{@link #application()}: an application cluster instead, which the test starts itself
 * ({@link #startApplication}) once it knows the job's arguments; stopped after the class's last test.
 */
public final class FlinkClusterExtension implements BeforeAllCallback, AfterAllCallback {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED", "SUSPENDED");

    private final StandaloneFlinkCluster.Sizing sizing;
    private final boolean session;
    private Path dir;
    private StandaloneFlinkCluster cluster;

    public FlinkClusterExtension() {
        this(StandaloneFlinkCluster.Sizing.modest());
    }

    public FlinkClusterExtension(StandaloneFlinkCluster.Sizing sizing) {
        this(sizing, true);
    }

    private FlinkClusterExtension(StandaloneFlinkCluster.Sizing sizing, boolean session) {
        this.sizing = sizing;
        this.session = session;
    }

    /** An extension for an application cluster, started by the test with {@link #startApplication}. */
    public static FlinkClusterExtension application() {
        return new FlinkClusterExtension(StandaloneFlinkCluster.Sizing.modest(), false);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = TempDirs.create("turnout-flink-cluster-");
        if (session) cluster = StandaloneFlinkCluster.start(dir, sizing);
    }

    /** Starts the application cluster running {@code application} (once per class); see {@link StandaloneFlinkCluster#startApplication}. */
    public StandaloneFlinkCluster startApplication(StandaloneFlinkCluster.Application application, java.util.Map<String, String> extraConfig)
            throws IOException {
        if (cluster != null) throw new IllegalStateException("this extension's cluster is already started");
        cluster = StandaloneFlinkCluster.startApplication(dir, sizing, application, extraConfig);
        return cluster;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) cluster.close();
        TempDirs.deleteQuietly(dir);
    }

    public StandaloneFlinkCluster cluster() {
        return cluster;
    }

    public String restUrl() {
        return cluster.restUrl();
    }

    /** {@code POST /jars/upload}; returns the jar id the run call takes. */
    public String uploadJar(Path jar) {
        String boundary = "turnout-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            body.write(("--" + boundary + "\r\n"
                    + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
                    + "Content-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
        JsonNode answer = send(HttpRequest.newBuilder(URI.create(restUrl() + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())), "upload " + jar.getFileName());
        if (!"success".equals(answer.path("status").asText())) throw new IllegalStateException("jar upload refused: " + answer);
        String filename = answer.path("filename").asText();
        return filename.substring(filename.lastIndexOf('/') + 1);
    }

    /**
     * {@code POST /jars/:id/run}: the cluster runs the jar's main, which submits the job; returns the job id.
     * With {@code savepointPath} the job starts from that savepoint.
     */
    public String runJar(String jarId, String entryClass, List<String> programArgs, String savepointPath) {
        ObjectNode request = JSON.createObjectNode();
        request.put("entryClass", entryClass);
        request.putArray("programArgsList").addAll(programArgs.stream().map(JSON.getNodeFactory()::textNode).toList());
        if (savepointPath != null) {
            request.put("savepointPath", savepointPath);
            request.put("allowNonRestoredState", false);
        }
        JsonNode answer = send(HttpRequest.newBuilder(URI.create(restUrl() + "/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString())), "run " + jarId);
        String jobId = answer.path("jobid").asText(null);
        if (jobId == null) throw new IllegalStateException("no job id in the run answer: " + answer);
        return jobId;
    }

    /** {@code GET /jobs}: the ids of the jobs the (current) JobManager knows. */
    public List<String> jobIds() {
        List<String> ids = new java.util.ArrayList<>();
        for (JsonNode job : send(HttpRequest.newBuilder(URI.create(restUrl() + "/jobs")).GET(), "jobs").path("jobs")) {
            ids.add(job.path("id").asText());
        }
        return ids;
    }

    /** Waits until the JobManager lists exactly one job (an application cluster's) and returns its id. */
    public String awaitOnlyJob(Duration timeout) {
        return poll(timeout, () -> {
            try {
                return jobIds();
            } catch (RuntimeException notYet) {
                return List.<String>of(); // the dispatcher may not answer yet
            }
        }, ids -> ids.size() == 1, ids -> "not exactly one job within " + timeout + ": " + ids + "\n" + cluster.logTails()).get(0);
    }

    /** {@code GET /jobs/:id/checkpoints}: the latest completed checkpoint's location, or null. */
    public String latestCompletedCheckpoint(String jobId) {
        JsonNode completed = send(HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "/checkpoints")).GET(),
                "checkpoints " + jobId).path("latest").path("completed");
        return completed.isMissingNode() || completed.isNull() ? null : completed.path("external_path").asText(null);
    }

    /** {@code GET /jobs/:id}. */
    public JsonNode job(String jobId) {
        return send(HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId)).GET(), "job " + jobId);
    }

    public String jobState(String jobId) {
        return job(jobId).path("state").asText();
    }

    /** Waits until the job and every one of its tasks run (a savepoint can be taken only then). */
    public void awaitRunning(String jobId, Duration timeout) {
        poll(timeout, () -> {
            JsonNode job = job(jobId);
            String state = job.path("state").asText();
            if (TERMINAL.contains(state)) {
                throw new IllegalStateException("job " + jobId + " is " + state + " instead of running: " + exceptions(jobId));
            }
            return job;
        }, FlinkClusterExtension::allTasksRunning, job -> "job " + jobId + " not running within " + timeout + ": " + job);
    }

    private static boolean allTasksRunning(JsonNode job) {
        boolean allRunning = "RUNNING".equals(job.path("state").asText()) && job.path("vertices").size() > 0;
        for (JsonNode vertex : job.path("vertices")) allRunning &= "RUNNING".equals(vertex.path("status").asText());
        return allRunning;
    }

    /**
     * {@code POST /jobs/:id/stop} with a target directory (stop with a savepoint, no drain), then polls the
     * trigger until the savepoint is complete; returns its location.
     */
    public String stopWithSavepoint(String jobId, Path targetDirectory, Duration timeout) {
        ObjectNode request = JSON.createObjectNode();
        request.put("targetDirectory", targetDirectory.toUri().toString());
        request.put("drain", false);
        JsonNode trigger = send(HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "/stop"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString())), "stop " + jobId);
        String requestId = trigger.path("request-id").asText();
        JsonNode operation = poll(timeout,
                () -> send(HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "/savepoints/" + requestId)).GET(),
                        "savepoint status " + requestId),
                status -> "COMPLETED".equals(status.path("status").path("id").asText()),
                status -> "savepoint of job " + jobId + " not complete within " + timeout + ": " + status).path("operation");
        if (operation.has("failure-cause")) {
            throw new IllegalStateException("stop with savepoint failed: " + operation.path("failure-cause"));
        }
        return operation.path("location").asText();
    }

    /** Waits for a terminal state and returns it. */
    public String awaitTerminal(String jobId, Duration timeout) {
        return poll(timeout, () -> jobState(jobId), TERMINAL::contains, state -> "job " + jobId + " still " + state + " after " + timeout);
    }

    /**
     * Asks {@code probe} every 250 ms until its answer is {@code done} and returns that answer. An exception the probe
     * throws ends the wait (the probe says waiting is hopeless); on timeout, {@code timedOut} describes the last answer.
     */
    private static <T> T poll(Duration timeout, Callable<T> probe, Predicate<T> done, Function<T, String> timedOut) {
        AtomicReference<T> last = new AtomicReference<>();
        try {
            return await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250)).until(() -> {
                T answer = probe.call();
                last.set(answer);
                return answer;
            }, done);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(timedOut.apply(last.get()), e);
        }
    }

    /** {@code PATCH /jobs/:id?mode=cancel}, for cleanup. */
    public void cancel(String jobId) {
        try {
            HTTP.send(HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "?mode=cancel"))
                    .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code GET /jobs/:id/checkpoints}: the savepoint or checkpoint the job was restored from, or null. */
    public String restoredFrom(String jobId) {
        JsonNode restored = send(HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "/checkpoints")).GET(),
                "checkpoints " + jobId).path("latest").path("restored");
        return restored.isMissingNode() || restored.isNull() ? null : restored.path("external_path").asText(null);
    }

    /** {@code GET /jobs/:id/exceptions}, for failure messages. */
    public String exceptions(String jobId) {
        try {
            return send(HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "/exceptions")).GET(), "exceptions").toString();
        } catch (RuntimeException e) {
            return "(exceptions unavailable: " + e.getMessage() + ")";
        }
    }

    private JsonNode send(HttpRequest.Builder request, String what) {
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("Flink REST " + what + ": HTTP " + response.statusCode() + " " + response.body()
                        + "\n" + cluster.logTails());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("Flink REST " + what + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Waits until {@code condition} holds (a RuntimeException counts as "not yet": a series may not exist yet), failing
     * at once, with the job's exceptions, when job {@code jobId} stops running, and after {@code timeout} with the
     * cluster's log tails.
     */
    public void awaitWhileRunning(Duration timeout, java.util.function.BooleanSupplier condition, String jobId) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
                try {
                    if (condition.getAsBoolean()) return true;
                } catch (RuntimeException notYet) {
                    // the series may not exist yet
                }
                String state = jobState(jobId);
                if (!"RUNNING".equals(state) && !"CREATED".equals(state) && !"INITIALIZING".equals(state)) {
                    throw new AssertionError("job " + jobId + " is " + state + ": " + exceptions(jobId));
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("condition not met within " + timeout + "; job " + jobState(jobId) + ", exceptions "
                    + exceptions(jobId) + "\n" + cluster().logTails());
        }
    }
}
