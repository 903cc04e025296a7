package org.turnoutstream.workflows;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.TurnoutJob;
import org.turnoutstream.events.RejectionReason;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.sinks.DeadLetterSerializer;
import org.turnoutstream.testing.FlinkClusterExtension;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN;
import static org.turnoutstream.workflows.ElectionDayScenario.MINUTE;

/**
 * The shaded job jar on a real standalone Flink cluster, as an operator deploys it: a JobManager and a
 * TaskManager in their own JVMs, the jar uploaded and run through the REST API against the real broker,
 * registry and influxd. The morning's first half is counted; the job is stopped with a savepoint (an
 * upgrade, a move to other machines); the second half arrives while it is down; the job resumes from the
 * savepoint and HQ's numbers are exact, with nothing counted or dead-lettered twice.
 *
 * <p>Runs in the integration-test phase (maven-failsafe), after {@code package} has built the jar.
 */
class LiveTurnoutJobOnClusterIT {
    static final int MINUTES = 10;
    static final long SEED = 31;
    static final Instant BREAK = POLLS_OPEN.plusMillis(5 * MINUTE);
    /** Its link dies at the break: it must still count with its last report after the restore. */
    static final String BRANCH_GONE_DARK = "alb-fardis-0001";

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkClusterExtension flink = new FlinkClusterExtension();

    @TempDir Path work;
    ClusterMorning morning;
    final List<String> jobsToCancel = new ArrayList<>();

    @BeforeEach
    void topicsDatabaseAndReferenceData() throws Exception {
        morning = new ClusterMorning(kafka, registry, influx, "cluster");
        ElectionDayScenario.writeReferenceData(work.resolve("reference"));
    }

    @AfterEach
    void cancelLeftoverJobs() {
        for (String job : jobsToCancel) {
            if (!"FINISHED".equals(flink.jobState(job)) && !"CANCELED".equals(flink.jobState(job))) flink.cancel(job);
        }
    }

    @Test
    void theJobJarCountsOnAClusterAndResumesFromASavepointWithoutDoubleCounting() throws Exception {
        assertNotEquals(ProcessHandle.current().pid(), flink.cluster().jobManagerPid());
        assertNotEquals(flink.cluster().jobManagerPid(), flink.cluster().taskManagerPid(), "JobManager and TaskManager are separate JVMs");

        ElectionDayScenario firstHalf = new ElectionDayScenario(SEED, MINUTES);
        firstHalf.sent.removeIf(r -> !r.getEventTime().isBefore(BREAK));
        ElectionDayScenario wholeMorning = new ElectionDayScenario(SEED, MINUTES);
        wholeMorning.sent.removeIf(r -> r.getBranchId().equals(BRANCH_GONE_DARK) && !r.getEventTime().isBefore(BREAK));
        List<TurnoutReport> secondHalf = new ArrayList<>(wholeMorning.sent.subList(firstHalf.sent.size(), wholeMorning.sent.size()));
        assertEquals(firstHalf.sent, wholeMorning.sent.subList(0, firstHalf.sent.size()), "the same seeded morning");
        // a gateway re-sends a report of the first half once its link is back: a duplicate, worth nothing
        TurnoutReport resent = firstHalf.sent.get(firstHalf.sent.size() / 2);
        wholeMorning.sent.add(resent);

        // ---- the first half, counted by the jar on the cluster ----
        morning.sendReports(firstHalf.sent);
        morning.sendMalformed("first-half");
        String jarId = flink.uploadJar(ClusterMorning.jobJar());
        String firstRun = flink.runJar(jarId, TurnoutJob.class.getName(), jobArgs(), null);
        jobsToCancel.add(firstRun);
        flink.awaitRunning(firstRun, Duration.ofSeconds(90));

        flink.awaitWhileRunning(Duration.ofSeconds(120), () -> morning.nationReached(firstHalf), firstRun);
        morning.assertInfluxHoldsTheTruth(firstHalf);
        flink.awaitWhileRunning(Duration.ofSeconds(60), () -> morning.deadLetters().size() == 1, firstRun);

        // ---- stopped with a savepoint (an upgrade); the second half arrives meanwhile ----
        String savepoint = flink.stopWithSavepoint(firstRun, work.resolve("savepoints"), Duration.ofSeconds(120));
        assertEquals("FINISHED", flink.awaitTerminal(firstRun, Duration.ofSeconds(60)), "stop with savepoint finishes the job");
        assertTrue(Files.exists(Paths.get(java.net.URI.create(savepoint)).resolve("_metadata")), "savepoint metadata at " + savepoint);
        morning.sendReports(secondHalf);
        morning.sendReports(List.of(resent));
        morning.sendMalformed("second-half");

        // ---- resumed from the savepoint ----
        String secondRun = flink.runJar(jarId, TurnoutJob.class.getName(), jobArgs(), savepoint);
        jobsToCancel.add(secondRun);
        assertNotEquals(firstRun, secondRun);
        flink.awaitRunning(secondRun, Duration.ofSeconds(90));
        assertEquals(savepoint, flink.restoredFrom(secondRun), "the second run restored the savepoint");

        long last = ClusterMorning.instantFor(wholeMorning.lastEventTime());
        flink.awaitWhileRunning(Duration.ofSeconds(120), () -> morning.nationReached(wholeMorning), secondRun);
        morning.assertInfluxHoldsTheTruth(wholeMorning);
        long[] fardis = morning.constituencySeries().get("fardis").get(last);
        assertArrayEquals(wholeMorning.truthAt(last).get("fardis"), fardis, "the dark branch keeps its last count across the restore");
        assertTrue(fardis[0] > 0 && fardis[1] == 1, "fardis reported before the break: " + fardis[0]);

        // the job resumed at the savepoint's offsets (both runs were told --starting-offsets earliest):
        // the first half was not read again, so its bad record was dead-lettered once
        flink.awaitWhileRunning(Duration.ofSeconds(60), () -> morning.deadLetters().size() >= 2, secondRun);
        List<ConsumerRecord<byte[], byte[]>> dead = morning.deadLetters();
        assertEquals(List.of("first-half", "second-half"), dead.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList());
        for (ConsumerRecord<byte[], byte[]> letter : dead) {
            assertEquals(RejectionReason.BAD_MAGIC_BYTE.name(),
                    new String(letter.headers().lastHeader(DeadLetterSerializer.REASON).value(), StandardCharsets.UTF_8));
        }
        assertEquals("RUNNING", flink.jobState(secondRun));
        assertTrue(flink.cluster().isAlive(), "both cluster processes still up");

        // the cluster logs with docker/flink/log4j-console.properties: after two runs with checkpoints every 2 s and a
        // savepoint, no warning repeated per checkpoint (Flink's own metric name collisions) and no Kafka reconnect chatter
        for (Path log : List.of(flink.cluster().taskManagerLog(), flink.cluster().currentJobManagerLog())) {
            List<String> repeated = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(line -> line.contains("Name collision") || line.contains("could not be established")).toList();
            assertEquals(List.of(), repeated, log.toString());
        }
        assertTrue(Files.readString(flink.cluster().taskManagerLog(), StandardCharsets.UTF_8).contains("turnout"), "the TaskManager logged the job");
    }

    /**
     * On a session cluster the latest checkpoint under the shared checkpoint directory may be another job's: the
     * main, run through the REST API, refuses --resume-latest-checkpoint and submits nothing.
     */
    /** The cluster's logging stays the cluster's: the job jar carries neither log4j nor a log4j configuration. */
    @Test
    void theJobJarLeavesLoggingToTheCluster() throws Exception {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(ClusterMorning.jobJar().toFile())) {
            List<String> logging = jar.stream().map(java.util.jar.JarEntry::getName)
                    .filter(n -> n.matches("log4j2.*\\.(properties|xml|json|ya?ml)") || n.startsWith("org/apache/logging/log4j/core/"))
                    .collect(java.util.stream.Collectors.toList());
            assertEquals(List.of(), logging);
            assertTrue(jar.getEntry("org/turnoutstream/TurnoutJob.class") != null, "the job is in it");
        }
    }

    @Test
    void resumingTheLatestCheckpointIsRefusedOnASessionCluster() throws Exception {
        int jobsBefore = flink.jobIds().size();
        String jarId = flink.uploadJar(ClusterMorning.jobJar());
        List<String> args = new ArrayList<>(List.of("--resume-latest-checkpoint"));
        args.addAll(jobArgs());
        assertThrows(IllegalStateException.class, () -> flink.runJar(jarId, TurnoutJob.class.getName(), args, null));
        String log = Files.readString(flink.cluster().currentJobManagerLog(), StandardCharsets.UTF_8);
        assertTrue(log.contains("--resume-latest-checkpoint needs application mode") && log.contains(
                "but this is a session cluster (the jar was run through its REST API or web UI; execution.target embedded)"),
                "the JobManager log says why: " + flink.cluster().logTails());
        assertEquals(jobsBefore, flink.jobIds().size(), "no job submitted");
    }

    List<String> jobArgs() {
        return morning.jobArgs(work.resolve("reference"));
    }
}
