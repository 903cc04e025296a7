package org.turnoutstream.cli;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.config.OptionsReport;
import org.turnoutstream.workflows.ClusterSubmission;
import org.turnoutstream.reference.ReferenceDataException;
import org.turnoutstream.workflows.LiveTurnoutJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Callable;

@Command(name = "live", mixinStandardHelpOptions = true, modelTransformer = JobOptionsMixin.class,
        description = {"Runs the live turnout job: branch.turnout (Avro, Confluent wire format) -> per constituency,",
                "province and nation turnout points in InfluxDB; bad records -> turnout.dlq.",
                "Runs on an embedded Flink MiniCluster here, or on a cluster when submitted with `flink run` (the job jar's main)."})
public class LiveCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(LiveCommand.class);

    /** The job's options, added to this command's by {@link JobOptionsMixin}. */
    final JobOptions options = new JobOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (options.elections.isEmpty()) {
            spec.commandLine().getErr().println("No election given: pass --election ID=DIR (e.g. --election 2024-majlis-r1=reference/alborz-synthetic).");
            return 2;
        }
        String endpoints = Endpoints.describe(spec);
        if (endpoints != null) {
            spec.commandLine().getErr().println(endpoints);
            spec.commandLine().getErr().flush();
        }
        LOG.info("Starting {} with:", LiveTurnoutJob.NAME);
        for (String line : OptionsReport.describe(options)) LOG.info("  {}", line);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (env instanceof LocalStreamEnvironment) {
            // embedded: checkpoints on disk, resumed by the next start (on a cluster, its configuration decides)
            EmbeddedState.Plan state = EmbeddedState.plan(options.effectiveStateDir(), options.noResume, options.fromSavepoint, Instant.now());
            LOG.info("State: {}", state.description());
            EmbeddedNetwork.Plan network = EmbeddedNetwork.plan(options.webUiBind, options.webUiPort, options.metricsBind, options.metricsPort);
            if (!network.loopbackOnly()) {
                LOG.warn("The REST API and web UI listen on {} (--web-ui-bind): Flink's REST API accepts job and jar submission without"
                        + " authentication, so anyone who can reach {} can run code on this machine", network.bind(), network.url());
            }
            Configuration conf = new Configuration(state.configuration());
            conf.addAll(network.configuration());
            env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            if (options.resumeLatestCheckpoint) {
                LOG.info("--resume-latest-checkpoint is for a cluster in application mode: the embedded run resumes from its state directory anyway");
            }
            try {
                LiveTurnoutJob.define(env, options);
            } catch (ReferenceDataException | IllegalArgumentException e) {
                return didNotStart(e);
            }
            runAndSayWhenRunning(env, network);
            return 0;
        }
        try {
            ClusterSubmission.run(env, options);
        } catch (ClusterSubmission.Refused refused) {
            LOG.error(refused.getMessage());
            spec.commandLine().getErr().println(refused.getMessage());
            return 2;
        } catch (ReferenceDataException | IllegalArgumentException e) {
            return didNotStart(e);
        }
        return 0;
    }

    /** What is wrong with the options or the reference data (a baseline, a directory, a time): one line, no stack trace; exit 2. */
    private int didNotStart(RuntimeException e) {
        String message = LiveTurnoutJob.NAME + " did not start: " + e.getMessage();
        LOG.error(message);
        spec.commandLine().getErr().println(message);
        return 2;
    }

    /**
     * Runs the embedded job; once it is RUNNING, one line says so: its id, where its web UI is, what it reads and writes.
     * Returns when the job ends (a bounded run) and throws its failure as {@code env.execute} would.
     */
    private void runAndSayWhenRunning(StreamExecutionEnvironment env, EmbeddedNetwork.Plan network) throws Exception {
        String webUi = network.url() + network.metricsUrl().map(url -> "; metrics " + url).orElse("");
        JobClient job = env.executeAsync(LiveTurnoutJob.NAME);
        long deadline = System.nanoTime() + RUNNING_WAIT.toNanos();
        JobStatus status = job.getJobStatus().get();
        while (status != JobStatus.RUNNING && !status.isGloballyTerminalState() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = job.getJobStatus().get();
        }
        if (status == JobStatus.RUNNING) {
            LOG.info("{} is RUNNING: job {}; web UI {}; {}", LiveTurnoutJob.NAME, job.getJobID(), webUi, OptionsReport.flow(options));
        } else if (!status.isGloballyTerminalState()) {
            LOG.warn("{} (job {}) is still {} after {} s; web UI {}", LiveTurnoutJob.NAME, job.getJobID(), status, RUNNING_WAIT.toSeconds(), webUi);
        }
        StackScrape scrape = StackScrape.register(spec, options, network);
        try {
            job.getJobExecutionResult().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        } finally {
            scrape.close();
        }
    }

    private static final Duration RUNNING_WAIT = Duration.ofMinutes(2);
}
