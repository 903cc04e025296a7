package org.turnoutstream.recovery;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the live job's main restores on a cluster with --resume-latest-checkpoint, over checkpoint directories laid out as
 * Flink leaves them ({@code <dir>/<job id>/chk-<n>/_metadata}). The real application cluster is in
 * LiveTurnoutJobOnApplicationClusterIT.
 */
class ClusterResumeTest {
    static final Instant NOW = Instant.parse("2026-12-06T09:00:00Z");
    static final String JOB_A = "a0e3bbbe35c4b05a2a18f4d3a5b0c001";
    static final String JOB_B = "b0e3bbbe35c4b05a2a18f4d3a5b0c002";
    static final ClusterResume.Deployment APPLICATION = new ClusterResume.Deployment(true, "application mode");
    static final ClusterResume.Deployment SESSION = new ClusterResume.Deployment(false, "a session cluster");

    @TempDir Path checkpoints;

    Configuration cluster() {
        Configuration conf = new Configuration();
        conf.set(DeploymentOptions.TARGET, "embedded");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        return conf;
    }

    @Test
    void theLatestCompletedCheckpointOfAnyEarlierJobIsRestored() throws Exception {
        checkpoint(JOB_A, 40, NOW.minusSeconds(600));
        checkpoint(JOB_A, 41, NOW.minusSeconds(590));
        Path latest = checkpoint(JOB_B, 7, NOW.minusSeconds(60)); // the JobManager restarted once already: a new job id
        Files.createDirectories(checkpoints.resolve(JOB_B).resolve("chk-8")); // cut short by the crash: no _metadata

        ClusterResume.Plan plan = ClusterResume.plan(cluster(), APPLICATION);
        String expected = "file:" + latest; // as Flink writes a local path
        assertEquals(Optional.of(expected), plan.restoredFrom());
        assertEquals(expected, plan.configuration().get(StateRecoveryOptions.SAVEPOINT_PATH));
        assertTrue(plan.description().startsWith("resuming from the latest retained checkpoint " + expected + " (checkpoint 7 of job " + JOB_B),
                plan.description());
        assertTrue(Files.exists(checkpoints.resolve(JOB_A).resolve("chk-41").resolve("_metadata")), "older runs are left alone");
    }

    @Test
    void withoutARetainedCheckpointTheJobStartsWithoutState() throws Exception {
        Files.createDirectories(checkpoints.resolve(JOB_A).resolve("shared")); // a run that died before its first checkpoint
        ClusterResume.Plan plan = ClusterResume.plan(cluster(), APPLICATION);
        assertEquals(Optional.empty(), plan.restoredFrom());
        assertFalse(plan.configuration().contains(StateRecoveryOptions.SAVEPOINT_PATH));
        assertTrue(plan.description().startsWith("no retained checkpoint under "), plan.description());
        assertTrue(plan.description().contains(": starting without state"), plan.description());

        Configuration missingDir = cluster();
        missingDir.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.resolve("not-yet").toUri().toString());
        assertEquals(Optional.empty(), ClusterResume.plan(missingDir, APPLICATION).restoredFrom());
    }

    @Test
    void aRestorePathGivenToTheClusterWinsWhateverTheMode() throws Exception {
        checkpoint(JOB_A, 40, NOW);
        Configuration conf = cluster();
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, "file:///opt/flink/savepoints/savepoint-1");
        for (ClusterResume.Deployment deployment : List.of(APPLICATION, SESSION)) {
            ClusterResume.Plan plan = ClusterResume.plan(conf, deployment);
            assertEquals(Optional.of("file:///opt/flink/savepoints/savepoint-1"), plan.restoredFrom());
            assertTrue(plan.configuration().keySet().isEmpty(), "nothing changed: " + plan.configuration());
            assertTrue(plan.description().contains("not the latest retained checkpoint"), plan.description());
        }
    }

    @Test
    void checkpointsAreMadeToOutliveTheJobManagerUnlessTheClusterAlreadyKeepsThem() throws Exception {
        ClusterResume.Plan byDefault = ClusterResume.plan(cluster(), APPLICATION);
        assertEquals(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION,
                byDefault.configuration().get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION));
        assertTrue(byDefault.retentionNote().orElseThrow().contains("NO_EXTERNALIZED_CHECKPOINTS"), byDefault.retentionNote().toString());

        Configuration retaining = cluster();
        retaining.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        ClusterResume.Plan plan = ClusterResume.plan(retaining, APPLICATION);
        assertFalse(plan.configuration().contains(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION));
        assertEquals(Optional.empty(), plan.retentionNote());
    }

    @Test
    void refusedWhereItCouldPickAnotherJobsCheckpointOrFindNone() {
        IllegalStateException session = assertThrows(IllegalStateException.class, () -> ClusterResume.plan(cluster(), SESSION));
        assertTrue(session.getMessage().contains("needs application mode") && session.getMessage().contains("another job's"), session.getMessage());

        Configuration noDir = cluster();
        noDir.removeConfig(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> ClusterResume.plan(noDir, APPLICATION));
        assertTrue(none.getMessage().contains("execution.checkpointing.dir"), none.getMessage());

        Configuration flat = cluster();
        flat.set(CheckpointingOptions.CREATE_CHECKPOINT_SUB_DIR, false);
        IllegalStateException noSubdir = assertThrows(IllegalStateException.class, () -> ClusterResume.plan(flat, APPLICATION));
        assertTrue(noSubdir.getMessage().contains("execution.checkpointing.create-subdir"), noSubdir.getMessage());
    }

    @Test
    void aClusterThatForbidsProgramConfigurationIsToldWhatToAllow() throws Exception {
        checkpoint(JOB_A, 40, NOW);
        Configuration locked = cluster();
        locked.set(DeploymentOptions.PROGRAM_CONFIG_ENABLED, false);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> ClusterResume.plan(locked, APPLICATION));
        assertTrue(refused.getMessage().contains("execution.program-config.wildcards")
                && refused.getMessage().contains("execution.state-recovery.path"), refused.getMessage());

        locked.set(DeploymentOptions.PROGRAM_CONFIG_WILDCARDS,
                List.of("execution.state-recovery.path", "execution.checkpointing.externalized-checkpoint-retention"));
        assertTrue(ClusterResume.plan(locked, APPLICATION).restoredFrom().isPresent());
    }

    @Test
    void applicationModeIsTheJobManagerRunningTheMain() {
        Configuration conf = cluster();
        ClusterResume.Deployment application = ClusterResume.Deployment.detect(conf, List.of(
                "org.turnoutstream.cli.LiveCommand", "org.apache.flink.client.program.PackagedProgram",
                "org.apache.flink.client.ClientUtils", ClusterResume.APPLICATION_BOOTSTRAP));
        assertTrue(application.application(), application.description());

        ClusterResume.Deployment restRun = ClusterResume.Deployment.detect(conf, List.of(
                "org.turnoutstream.cli.LiveCommand", "org.apache.flink.client.ClientUtils",
                "org.apache.flink.client.deployment.application.DetachedApplicationRunner",
                "org.apache.flink.runtime.webmonitor.handlers.JarRunHandler"));
        assertFalse(restRun.application());
        assertTrue(restRun.description().startsWith("a session cluster"), restRun.description());

        Configuration client = new Configuration();
        client.set(DeploymentOptions.TARGET, "remote");
        ClusterResume.Deployment flinkRun = ClusterResume.Deployment.detect(client, List.of("org.apache.flink.client.cli.CliFrontend"));
        assertFalse(flinkRun.application());
        assertTrue(flinkRun.description().contains("session cluster (execution.target remote)"), flinkRun.description());

        assertFalse(ClusterResume.Deployment.ofThisThread(conf).application(), "a unit test is no application cluster");
    }

    /** A completed checkpoint {@code chk-<id>} of job {@code jobId}, its metadata written at {@code at}. */
    Path checkpoint(String jobId, long id, Instant at) throws Exception {
        Path chk = Files.createDirectories(checkpoints.resolve(jobId).resolve("chk-" + id));
        Path metadata = Files.write(chk.resolve("_metadata"), new byte[] {1, 2, 3});
        Files.setLastModifiedTime(metadata, FileTime.from(at));
        return chk;
    }
}
