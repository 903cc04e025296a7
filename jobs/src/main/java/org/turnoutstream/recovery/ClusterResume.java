package org.turnoutstream.recovery;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the live job restores when its main runs on a cluster with {@code --resume-latest-checkpoint}: the latest
 * completed checkpoint retained under the cluster's checkpoint directory, so that an application cluster without HA
 * (docker/compose.yaml's JobManager) keeps the job's state when its JobManager is restarted.
 *
 * <p>Without HA, Flink itself restores nothing when an application cluster's JobManager starts again: it runs the main
 * afresh, under a new random job id (ApplicationDispatcherBootstrap fixes the job id only with HA or
 * {@code --job-id}), so the old run's checkpoints sit in another {@code <dir>/<job id>/} that nothing reads. The main
 * therefore finds the newest {@code chk-<n>/_metadata} under {@code <dir>/<any job id>/} ({@link RetainedCheckpoints})
 * and sets it as the job's {@code execution.state-recovery.path}: in application mode the job is submitted with the
 * environment's configuration (the cluster's, plus what the main adds), whose restore path Flink's embedded executor
 * puts on the job (PipelineExecutorUtils.getStreamGraph). A restore path the cluster was given
 * ({@code standalone-job --fromSavepoint}) wins.
 *
 * <p>Application mode only: on a session cluster the newest checkpoint under the shared directory may be another
 * job's, so the option is refused there. The checkpoints are also made to outlive the JobManager: with Flink's
 * default retention (none) a JobManager stopped gracefully (SIGTERM, {@code docker compose restart}) suspends the job
 * and deletes them; RETAIN_ON_CANCELLATION keeps them then, and when the job is cancelled.
 */
public final class ClusterResume {
    /** Flink's class that runs the main inside an application cluster's JobManager. */
    static final String APPLICATION_BOOTSTRAP = "org.apache.flink.client.deployment.application.ApplicationDispatcherBootstrap";
    /** Flink's classes that run a jar's main uploaded to a session cluster through the REST API or the web UI. */
    static final List<String> WEB_SUBMISSION = List.of(
            "org.apache.flink.client.deployment.application.DetachedApplicationRunner",
            "org.apache.flink.runtime.webmonitor.handlers.JarRunHandler");

    private ClusterResume() {}

    /** How the main was started: {@code application} when an application cluster's JobManager runs it. */
    public record Deployment(boolean application, String description) {
        /** Judged from the configuration and the classes that called the main (outermost last, as a stack lists them). */
        public static Deployment detect(ReadableConfig config, List<String> callerClasses) {
            String target = config.getOptional(DeploymentOptions.TARGET).orElse("(not set)");
            if (callerClasses.contains(APPLICATION_BOOTSTRAP)) {
                return new Deployment(true, "application mode (the JobManager runs the main; execution.target " + target + ")");
            }
            if (callerClasses.stream().anyMatch(WEB_SUBMISSION::contains)) {
                return new Deployment(false, "a session cluster (the jar was run through its REST API or web UI; execution.target " + target + ")");
            }
            if (target.equals("remote") || target.endsWith("-session")) {
                return new Deployment(false, "a client submitting to a session cluster (execution.target " + target + ")");
            }
            return new Deployment(false, "not application mode (execution.target " + target + ", and no application cluster runs the main)");
        }

        /** {@link #detect} for the calling thread. */
        public static Deployment ofThisThread(ReadableConfig config) {
            List<String> callers = StackWalker.getInstance().walk(frames -> frames.map(StackWalker.StackFrame::getClassName).distinct()
                    .collect(Collectors.toList()));
            return detect(config, callers);
        }
    }

    /**
     * What to add to the job's configuration ({@code configuration}, possibly empty), what it restores, the one line
     * that says so, and a second line when the checkpoints' retention was changed.
     */
    public record Plan(Configuration configuration, Optional<String> restoredFrom, String description, Optional<String> retentionNote) {}

    /**
     * The plan for a main running on a cluster configured with {@code cluster}.
     *
     * @throws IllegalStateException when the option cannot work here: not application mode, no checkpoint directory,
     *         checkpoints not in per-job subdirectories, or a cluster that forbids the job's configuration
     */
    public static Plan plan(ReadableConfig cluster, Deployment deployment) throws IOException {
        Optional<String> given = cluster.getOptional(StateRecoveryOptions.SAVEPOINT_PATH);
        if (given.isPresent()) {
            return new Plan(new Configuration(), given, "restoring " + given.get() + ", the restore path the cluster was given ("
                    + StateRecoveryOptions.SAVEPOINT_PATH.key() + ", e.g. --fromSavepoint), not the latest retained checkpoint", Optional.empty());
        }
        if (!deployment.application()) {
            throw new IllegalStateException("--resume-latest-checkpoint needs application mode (one job per cluster, its JobManager "
                    + "started with standalone-job or run-application), but this is " + deployment.description() + ": there the latest "
                    + "checkpoint under the cluster's checkpoint directory may be another job's. Leave the option off and restore "
                    + "explicitly (flink run -s, or the REST API's savepointPath).");
        }
        String dir = cluster.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).orElseThrow(() -> new IllegalStateException(
                "--resume-latest-checkpoint: the cluster has no checkpoint directory (" + CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
                        + "), so no checkpoint is retained to resume from"));
        if (!cluster.get(CheckpointingOptions.CREATE_CHECKPOINT_SUB_DIR)) {
            throw new IllegalStateException("--resume-latest-checkpoint reads checkpoints as <dir>/<job id>/chk-<n>: "
                    + CheckpointingOptions.CREATE_CHECKPOINT_SUB_DIR.key() + " must stay true");
        }

        Configuration conf = new Configuration();
        Optional<String> retentionNote = Optional.empty();
        ExternalizedCheckpointRetention retention = cluster.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION);
        if (retention != ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION) {
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
            retentionNote = Optional.of("checkpoints are retained when the JobManager stops or the job is cancelled ("
                    + CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION.key() + " RETAIN_ON_CANCELLATION; the cluster's " + retention
                    + " deletes them when the JobManager is stopped gracefully)");
        }

        Path base = new Path(dir);
        Optional<RetainedCheckpoints.Checkpoint> latest = new RetainedCheckpoints(base).latest();
        String description;
        Optional<String> restoredFrom = Optional.empty();
        if (latest.isEmpty()) {
            description = "no retained checkpoint under " + base + ": starting without state (--resume-latest-checkpoint)";
        } else {
            RetainedCheckpoints.Checkpoint checkpoint = latest.get();
            String path = checkpoint.path().toUri().toString();
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, path);
            restoredFrom = Optional.of(path);
            description = "resuming from the latest retained checkpoint " + path + " (checkpoint " + checkpoint.id() + " of job "
                    + checkpoint.path().getParent().getName() + ", completed " + checkpoint.completedAt() + "; --resume-latest-checkpoint)";
        }
        requireProgramConfiguration(cluster, conf);
        return new Plan(conf, restoredFrom, description, retentionNote);
    }

    /** A cluster with execution.program-config.enabled false refuses a job that sets options outside its wildcards. */
    static void requireProgramConfiguration(ReadableConfig cluster, Configuration set) {
        if (cluster.get(DeploymentOptions.PROGRAM_CONFIG_ENABLED)) return;
        List<String> allowed = cluster.get(DeploymentOptions.PROGRAM_CONFIG_WILDCARDS);
        List<String> refused = set.keySet().stream().filter(key -> !allowed.contains(key)).sorted().toList();
        if (!refused.isEmpty()) {
            throw new IllegalStateException("--resume-latest-checkpoint sets " + refused + " on the job, but this cluster has "
                    + DeploymentOptions.PROGRAM_CONFIG_ENABLED.key() + " false: list them in " + DeploymentOptions.PROGRAM_CONFIG_WILDCARDS.key());
        }
    }
}
