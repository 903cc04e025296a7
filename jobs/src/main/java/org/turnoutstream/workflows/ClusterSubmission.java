package org.turnoutstream.workflows;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.recovery.ClusterResume;

/**
 * The live job as a cluster runs it (the job jar's main, {@code TurnoutJob}, under {@code flink run}, the REST API or
 * an application cluster): the cluster's configuration decides checkpoints and restores; {@code
 * --resume-latest-checkpoint} restores the latest retained checkpoint in application mode and is refused in session
 * mode. The embedded run's own state handling ({@code --state-dir}, {@code --no-resume}, {@code --from-savepoint}) does
 * not apply here.
 */
public final class ClusterSubmission {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSubmission.class);

    private ClusterSubmission() {}

    /** The options cannot apply to this cluster (e.g. --resume-latest-checkpoint on a session cluster); nothing was submitted. */
    public static final class Refused extends IllegalStateException {
        Refused(String message) {
            super(message);
        }
    }

    /** Defines and executes the live job on {@code env}; {@link Refused} when the options cannot apply here. */
    public static void run(StreamExecutionEnvironment env, JobOptions options) throws Exception {
        if (options.noResume || options.fromSavepoint != null || options.stateDir != null) {
            LOG.warn("--state-dir, --no-resume and --from-savepoint apply to the embedded run only: on a cluster, use its "
                    + "checkpoint settings and `flink run -s` (see the README)");
        }
        if (options.resumeLatestCheckpoint) {
            ClusterResume.Plan state;
            try {
                state = ClusterResume.plan(env.getConfiguration(), ClusterResume.Deployment.ofThisThread(env.getConfiguration()));
            } catch (IllegalStateException refused) {
                throw new Refused(refused.getMessage());
            }
            LOG.info("State: {}", state.description());
            state.retentionNote().ifPresent(note -> LOG.info("State: {}", note));
            // honoured in application mode: the embedded executor submits the job with the environment's configuration
            env.configure(state.configuration());
        }
        LiveTurnoutJob.define(env, options);
        env.execute(LiveTurnoutJob.NAME);
    }
}
