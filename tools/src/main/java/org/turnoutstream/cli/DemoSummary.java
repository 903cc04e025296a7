package org.turnoutstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import org.turnoutstream.cli.DemoReadings.Row;
import org.turnoutstream.cli.DemoReadings.Snapshot;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.simulator.FaultKind;
import org.turnoutstream.simulator.GroundTruth;
import org.turnoutstream.simulator.SimulationRunner;
import org.turnoutstream.simulator.SimulationSettings;

/**
 * What {@code demo --json FILE} writes (format turnout-demo-summary/1): the settings, the endpoints, the records and
 * faults sent, ground truth vs InfluxDB, the dead letters, the outages, the pipeline health and the exit code. Filled in
 * as the run goes, so a run that fails still says how far it got.
 */
final class DemoSummary {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final ObjectNode summary = JSON.createObjectNode();
    private ObjectNode pipelineHealth;

    /** A summary written to {@code file}, or kept to itself when it is null. */
    DemoSummary(Path file) {
        this.file = file;
    }

    /** Creates the directory {@link #write} writes into. */
    void createDirectory() throws IOException {
        if (file != null && file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
    }

    void settings(String election, long seed, double speed, SimulationSettings day, LocalTime pollsOpen, LocalTime pollsClose,
                  Duration reportInterval, Duration heartbeatInterval, Path workDir) {
        summary.put("format", "turnout-demo-summary/1").put("election", election).put("seed", seed).put("speed", speed)
                .put("date", day.date().toString()).put("pollsOpen", pollsOpen.toString()).put("pollsClose", pollsClose.toString())
                .put("zone", day.zone().getId()).put("reportInterval", reportInterval.toString()).put("heartbeatInterval", heartbeatInterval.toString())
                .put("workDir", workDir.toString());
    }

    /** The first round the run-off is compared with: sent, counted, and its national ballots in the truth and InfluxDB. */
    void firstRound(String election, SimulationSettings day, long records, long truthBallots, Row counted) {
        ObjectNode node = summary.putObject("firstRound").put("election", election).put("date", day.date().toString()).put("recordsSent", records)
                .put("truthBallots", truthBallots);
        if (counted == null) node.putNull("influxdbBallots");
        else node.put("influxdbBallots", counted.ballots());
        node.put("match", counted != null && counted.ballots() == truthBallots);
    }

    /** The run-off against round 1: the job's comparison against the simulator's reference model. */
    void participation(DemoParticipation.Result result) {
        ObjectNode node = summary.putObject("participation").put("match", result.matches()).put("figures", result.figures())
                .put("instants", result.instants());
        ArrayNode differences = node.putArray("differences");
        result.differences().stream().limit(20).forEach(differences::add);
    }

    /** Where a service of the run listens ({@code kafka}, {@code registry}, {@code influxdb}, {@code webUi}, ...). */
    void endpoint(String name, String url) {
        ObjectNode endpoints = summary.get("endpoints") instanceof ObjectNode existing ? existing : summary.putObject("endpoints");
        endpoints.put(name, url);
    }

    /** The figures of the end of the run: the same ones the check and the lines printed use. */
    void results(SimulationRunner.Result result, double feedSeconds, Snapshot snapshot, boolean totalsMatch, long deadLetters, long malformedSent,
                 long detectedOutages, DemoDay day) {
        summary.put("recordsSent", result.records()).put("feedSeconds", Math.round(feedSeconds * 10) / 10.0);
        ObjectNode faults = summary.putObject("faults");
        for (FaultKind kind : FaultKind.values()) {
            if (kind != FaultKind.NONE) faults.put(kind.name(), result.faults().getOrDefault(kind, 0L));
        }
        ObjectNode totals = summary.putObject("totals");
        totals.put("match", totalsMatch);
        totals.set("national", comparison(result.truth().national(), snapshot.national()));
        ObjectNode constituencies = totals.putObject("constituencies");
        result.truth().constituencies().forEach((id, truth) ->
                constituencies.set(id, JSON.createObjectNode().put("name", day.constituencyName(id)).setAll(comparison(truth, snapshot.constituencies().get(id)))));
        summary.putObject("deadLetters").put("topic", Topics.DEAD_LETTER).put("onTopic", deadLetters).put("malformedSent", malformedSent)
                .put("match", deadLetters == malformedSent);
        ObjectNode outages = summary.putObject("outages");
        outages.put("planned", day.outages().size());
        if (detectedOutages < 0) outages.putNull("detected"); // InfluxDB did not answer
        else outages.put("detected", detectedOutages);
        outages.put("branchLinks", day.branchLinkOutages());
        ArrayNode regions = outages.putArray("regions");
        day.regionOutages().forEach((c, list) -> regions.addObject().put("constituency", c).put("name", day.constituencyName(c))
                .put("from", day.localTime(list.get(0).start().toEpochMilli())).put("to", day.localTime(list.get(0).end().toEpochMilli()))
                .put("branches", list.size()));
    }

    /** Ground truth and InfluxDB side by side; influxdb null when InfluxDB has no point for it. */
    private static ObjectNode comparison(GroundTruth.Totals truth, Row influxdb) {
        ObjectNode node = JSON.createObjectNode();
        node.putObject("truth").put("ballots", truth.ballots()).put("branchesReporting", truth.branchesReporting());
        if (influxdb == null) node.putNull("influxdb");
        else node.putObject("influxdb").put("ballots", influxdb.ballots()).put("branchesReporting", influxdb.reporting());
        return node;
    }

    /** The pipeline health is being asked of Prometheus at {@code url}: a run that stops now says so. */
    void pipelineHealthFrom(String prometheusUrl) {
        pipelineHealth = summary.putObject("pipelineHealth").put("prometheus", prometheusUrl);
    }

    void pipelineHealth(DemoPipelineHealth health) {
        pipelineHealth.put("deadLetters", health.deadLetters());
        health.deadLettersByReason().forEach(pipelineHealth.putObject("deadLettersByReason")::put);
        pipelineHealth.put("lateReports", health.lateReports()).put("beyondHorizon", health.beyondHorizon());
        health.alertsByKind().forEach(pipelineHealth.putObject("alertsByKind")::put);
        pipelineHealth.putObject("checkpoints").put("completed", health.checkpointsCompleted()).put("failed", health.checkpointsFailed());
    }

    void pipelineHealthError(String error) {
        pipelineHealth.put("error", error);
    }

    /** The summary with the exit code (and what went wrong, if something did); a file that cannot be written is reported on {@code err}, not fatal. */
    void write(int exitCode, String error, PrintWriter err) {
        if (file == null) return;
        summary.put("exitCode", exitCode);
        if (error != null) summary.put("error", error);
        try {
            JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), summary);
        } catch (IOException e) {
            err.println("demo: cannot write the JSON summary " + file + ": " + e.getMessage());
        }
    }
}
