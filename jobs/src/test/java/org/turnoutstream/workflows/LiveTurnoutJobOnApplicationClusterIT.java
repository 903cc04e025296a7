package org.turnoutstream.workflows;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.TurnoutJob;
import org.turnoutstream.testing.StandaloneFlinkCluster;
import org.turnoutstream.testing.FlinkClusterExtension;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN;
import static org.turnoutstream.workflows.ElectionDayScenario.MINUTE;

/**
 * The job jar as docker/compose.yaml runs it: an application cluster (its JobManager runs {@code standalone-job
 * --job-classname org.turnoutstream.TurnoutJob --resume-latest-checkpoint ...}, the jar in usrlib, no HA, checkpoints
 * in a file directory) and a TaskManager, each its own JVM, on the real broker, registry and influxd. The JobManager
 * dies (SIGKILL: the container or its machine lost) and is started again with the same command, then is stopped
 * gracefully (SIGTERM: {@code docker compose restart}) and started again. Each time the new job resumes from the
 * latest checkpoint the previous one retained (its log says so, and Flink's REST API shows the job restored from it),
 * so HQ's numbers are exact and the dead-letter topic (exactly once) holds each bad record once: the restored Kafka
 * offsets were used, nothing was read twice, although every start is told {@code --starting-offsets earliest}.
 *
 * <p>The cluster keeps Flink's default checkpoint retention (none, which deletes the checkpoints when the JobManager
 * is stopped gracefully): the option itself makes the job retain them; docker/compose.yaml also sets it.
 *
 * <p>Runs in the integration-test phase (maven-failsafe), after {@code package} has built the jar.
 */
class LiveTurnoutJobOnApplicationClusterIT {
    static final int MINUTES = 9;
    static final long SEED = 47;
    /** The JobManager is killed once the reports before this are counted... */
    static final Instant KILL = POLLS_OPEN.plusMillis(3 * MINUTE);
    /** ...and stopped gracefully once those before this are. */
    static final Instant STOP = POLLS_OPEN.plusMillis(6 * MINUTE);
    static final Pattern RESUMING = Pattern.compile("State: resuming from the latest retained checkpoint (\\S+) \\(checkpoint (\\d+) of job (\\w+)");

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkClusterExtension flink = FlinkClusterExtension.application();

    @TempDir Path work;

    @Test
    void aJobManagerKilledOrStoppedAndStartedAgainResumesTheJobFromItsLatestRetainedCheckpoint() throws Exception {
        ClusterMorning morning = new ClusterMorning(kafka, registry, influx, "app");
        ElectionDayScenario.writeReferenceData(work.resolve("reference"));
        ElectionDayScenario wholeMorning = new ElectionDayScenario(SEED, MINUTES);
        ElectionDayScenario beforeKill = before(KILL);
        ElectionDayScenario beforeStop = before(STOP);
        List<String> args = new ArrayList<>(List.of("--resume-latest-checkpoint"));
        args.addAll(morning.jobArgs(work.resolve("reference")));

        // ---- first start: nothing retained yet ----
        morning.sendReports(beforeKill.sent);
        morning.sendMalformed("before-kill");
        StandaloneFlinkCluster cluster = flink.startApplication(
                new StandaloneFlinkCluster.Application(ClusterMorning.jobJar(), TurnoutJob.class.getName(), args),
                Map.of("execution.checkpointing.num-retained", "3",
                        // the TaskManager notices a dead JobManager by its heartbeats: 50 s by default
                        "heartbeat.interval", "2 s",
                        "heartbeat.timeout", "10 s"));
        Path checkpoints = cluster.workDir().resolve("checkpoints");
        String firstJob = flink.awaitOnlyJob(Duration.ofSeconds(60));
        assertTrue(Pattern.compile("State: no retained checkpoint under file:\\S*/checkpoints: starting without state").matcher(log(cluster)).find(),
                "first start: " + stateLines(cluster));
        flink.awaitRunning(firstJob, Duration.ofSeconds(90));
        flink.awaitWhileRunning(Duration.ofSeconds(90), () -> morning.nationReached(beforeKill), firstJob);
        morning.assertInfluxHoldsTheTruth(beforeKill);
        // committed with a checkpoint taken after the bad record was read: that checkpoint holds offsets past it
        flink.awaitWhileRunning(Duration.ofSeconds(60), () -> committedDeadLetters(morning).equals(List.of("before-kill")), firstJob);
        assertNotNull(flink.latestCompletedCheckpoint(firstJob));

        // ---- SIGKILL: the container dies; reports keep arriving meanwhile ----
        long killedPid = cluster.jobManagerPid();
        cluster.killJobManager();
        assertFalse(ProcessHandle.of(killedPid).map(ProcessHandle::isAlive).orElse(false), "the JobManager is gone");
        morning.sendReports(beforeStop.sent.subList(beforeKill.sent.size(), beforeStop.sent.size()));
        morning.sendMalformed("before-stop");

        String secondJob = startAgainAndAwaitRestore(cluster, firstJob, "after SIGKILL");
        flink.awaitWhileRunning(Duration.ofSeconds(90), () -> morning.nationReached(beforeStop), secondJob);
        morning.assertInfluxHoldsTheTruth(beforeStop);
        flink.awaitWhileRunning(Duration.ofSeconds(60), () -> committedDeadLetters(morning).equals(List.of("before-kill", "before-stop")), secondJob);

        // ---- SIGTERM: a graceful stop (docker compose restart) suspends the job; its checkpoints stay ----
        cluster.stopJobManager(Duration.ofSeconds(60));
        try (var runs = Files.list(checkpoints.resolve(secondJob))) {
            assertTrue(runs.anyMatch(chk -> chk.getFileName().toString().startsWith("chk-") && Files.exists(chk.resolve("_metadata"))),
                    "the second job's checkpoints outlive its graceful stop");
        }
        morning.sendReports(wholeMorning.sent.subList(beforeStop.sent.size(), wholeMorning.sent.size()));
        morning.sendMalformed("after-stop");

        String thirdJob = startAgainAndAwaitRestore(cluster, secondJob, "after SIGTERM");
        flink.awaitWhileRunning(Duration.ofSeconds(90), () -> morning.nationReached(wholeMorning), thirdJob);
        morning.assertInfluxHoldsTheTruth(wholeMorning);
        flink.awaitWhileRunning(Duration.ofSeconds(60),
                () -> committedDeadLetters(morning).equals(List.of("before-kill", "before-stop", "after-stop")), thirdJob);
        assertEquals("RUNNING", flink.jobState(thirdJob));
        assertTrue(cluster.isAlive(), "both cluster processes up");
    }

    /**
     * Starts the JobManager again with its first command; asserts that its main resumed from the latest checkpoint of
     * {@code previousJob} (log line) and that Flink restored the new job from it (REST). Returns the new job's id.
     */
    String startAgainAndAwaitRestore(StandaloneFlinkCluster cluster, String previousJob, String when) throws IOException {
        cluster.startJobManagerAgain();
        String job = flink.awaitOnlyJob(Duration.ofSeconds(60));
        assertNotEquals(previousJob, job, "without HA every start is a new job id");
        Matcher resuming = RESUMING.matcher(log(cluster));
        assertTrue(resuming.find(), when + ": " + stateLines(cluster));
        String checkpoint = resuming.group(1);
        assertEquals(previousJob, resuming.group(3), when + ": the previous job's checkpoint");
        assertTrue(checkpoint.endsWith("/" + previousJob + "/chk-" + resuming.group(2)), checkpoint);
        flink.awaitRunning(job, Duration.ofSeconds(90));
        assertEquals(checkpoint, flink.restoredFrom(job), when + ": Flink restored the job from that checkpoint");
        return job;
    }

    /** The reports sent before {@code instant}: a prefix of the whole morning. */
    static ElectionDayScenario before(Instant instant) {
        ElectionDayScenario day = new ElectionDayScenario(SEED, MINUTES);
        day.sent.removeIf(r -> !r.getEventTime().isBefore(instant));
        return day;
    }

    /** The keys of the committed dead letters (read_committed: what a downstream consumer sees). */
    static List<String> committedDeadLetters(ClusterMorning morning) {
        List<String> keys = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> letter : kafka.consumeAll(morning.deadLetterTopic, true, Duration.ofMillis(300))) {
            keys.add(new String(letter.key(), StandardCharsets.UTF_8));
        }
        return keys;
    }

    static String log(StandaloneFlinkCluster cluster) throws IOException {
        return Files.readString(cluster.currentJobManagerLog(), StandardCharsets.UTF_8);
    }

    static String stateLines(StandaloneFlinkCluster cluster) throws IOException {
        return log(cluster).lines().filter(l -> l.contains("State:") || l.contains("resume-latest-checkpoint") || l.contains("ERROR"))
                .toList() + "\n" + cluster.logTails();
    }
}
