package org.turnoutstream;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.config.OptionsException;
import org.turnoutstream.config.OptionsReport;
import org.turnoutstream.workflows.ClusterSubmission;
import org.turnoutstream.reference.ReferenceDataException;
import org.turnoutstream.workflows.LiveTurnoutJob;

/**
 * Main class of the job jar, for {@code flink run turnout-jobs-*-job.jar --election ... --bootstrap-servers ...} and
 * application clusters: the live turnout job with the options of {@code turnout live} (flags, then {@code TURNOUT_*}
 * environment variables, then {@code --config FILE}), as the cluster runs it. It is the job alone: no command line
 * tool, no local-stack lookup (the embedded run with its state directory and web UI is {@code turnout live}), no picocli:
 * {@link JobOptions#parse} reads the options.
 */
public final class TurnoutJob {
    private static final Logger LOG = LoggerFactory.getLogger(TurnoutJob.class);

    private TurnoutJob() {}

    public static void main(String[] args) throws Exception {
        JobOptions options;
        try {
            options = JobOptions.parse(args, System.getenv());
        } catch (OptionsException e) {
            // a user error: the message says what is wrong, a cause and its stack trace would add nothing
            String message = LiveTurnoutJob.NAME + " did not start: " + e.getMessage() + " (`turnout live --help` lists the options)";
            LOG.error(message);
            throw new IllegalArgumentException(message);
        }
        if (options.elections.isEmpty()) {
            throw new IllegalArgumentException(LiveTurnoutJob.NAME + " did not start: no election given, pass --election ID=DIR");
        }
        LOG.info("Starting {} with:", LiveTurnoutJob.NAME);
        for (String line : OptionsReport.describe(options)) LOG.info("  {}", line);
        try {
            ClusterSubmission.run(StreamExecutionEnvironment.getExecutionEnvironment(), options);
        } catch (ClusterSubmission.Refused refused) {
            LOG.error(refused.getMessage());
            throw new IllegalArgumentException(LiveTurnoutJob.NAME + " did not start: " + refused.getMessage(), refused);
        } catch (ReferenceDataException | IllegalArgumentException e) {
            // the reference data or an option (a baseline, a polling time) is wrong: the message says what
            String message = LiveTurnoutJob.NAME + " did not start: " + e.getMessage();
            LOG.error(message);
            throw new IllegalArgumentException(message);
        }
    }
}
