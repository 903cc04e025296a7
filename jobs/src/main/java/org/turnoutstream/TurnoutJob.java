package org.turnoutstream;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.config.OptionsReport;
import org.turnoutstream.config.TurnoutDefaults;
import org.turnoutstream.workflows.ClusterSubmission;
import org.turnoutstream.workflows.LiveTurnoutJob;
import picocli.CommandLine;

/**
 * Main class of the job jar, for {@code flink run turnout-jobs-*-job.jar --election ... --bootstrap-servers ...} and
 * application clusters: the live turnout job with the options of {@code turnout live} (flags, then {@code TURNOUT_*}
 * environment variables, then {@code --config FILE}), as the cluster runs it. It is the job alone: no command line
 * tool, no local-stack lookup (the embedded run with its state directory and web UI is {@code turnout live}).
 */
public final class TurnoutJob {
    private static final Logger LOG = LoggerFactory.getLogger(TurnoutJob.class);

    private TurnoutJob() {}

    public static void main(String[] args) throws Exception {
        JobOptions options = new JobOptions();
        CommandLine command = new CommandLine(options)
                .setDefaultValueProvider(TurnoutDefaults.forArgs(args, System.getenv()))
                .setCaseInsensitiveEnumValuesAllowed(true);
        try {
            command.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(LiveTurnoutJob.NAME + " did not start: " + e.getMessage() + " (`turnout live --help` lists the options)", e);
        }
        if (options.elections.isEmpty()) {
            throw new IllegalArgumentException(LiveTurnoutJob.NAME + " did not start: no election given, pass --election ID=DIR");
        }
        LOG.info("Starting {} with:", LiveTurnoutJob.NAME);
        for (String line : OptionsReport.describe(command.getCommandSpec())) LOG.info("  {}", line);
        try {
            ClusterSubmission.run(StreamExecutionEnvironment.getExecutionEnvironment(), options);
        } catch (ClusterSubmission.Refused refused) {
            LOG.error(refused.getMessage());
            throw new IllegalArgumentException(LiveTurnoutJob.NAME + " did not start: " + refused.getMessage(), refused);
        }
    }
}
