package org.turnoutstream.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.reference.Election;
import org.turnoutstream.schemas.TurnoutReport;

/** The ground truth's series: the ballots at each whole hour and at the close, by the job's rule, whenever the reports arrive. */
class GroundTruthSeriesTest {
    /** Karaj with two branches, Fardis with one; polls 08:00-10:30 in Tehran (04:30-07:00 UTC). */
    static final Election ELECTION = Election.builder("r1")
            .constituency("karaj", "Karaj", "Alborz", 1_000)
            .constituency("fardis", "Fardis", "Alborz", 500)
            .branch("karaj-1", "karaj", "Karaj 1", 600).branch("karaj-2", "karaj", "Karaj 2", 400)
            .branch("fardis-1", "fardis", "Fardis 1", 500)
            .build();
    static final SimulationSettings SETTINGS = SimulationSettings.defaults("r1").withPolls(LocalTime.of(8, 0), LocalTime.of(10, 30));
    static final Instant POLLS_OPEN = SETTINGS.pollsOpenInstant();
    static final Instant NINE = POLLS_OPEN.plusSeconds(3600), TEN = NINE.plusSeconds(3600), CLOSE = SETTINGS.pollsCloseInstant();

    private final GroundTruth.Recorder recorder = new GroundTruth.Recorder(ElectionDayPlan.plan(ELECTION, SETTINGS));

    private void sent(String branch, long sequence, long ballots, Instant eventTime, Instant sentAt) {
        String constituency = ELECTION.branch(branch).orElseThrow().constituencyId();
        TurnoutReport report = new TurnoutReport("r1", branch, constituency, sequence, ballots, eventTime);
        recorder.accept(new SimulatedRecord(SETTINGS.turnoutTopic(), branch.getBytes(), report, null, FaultKind.NONE,
                eventTime.toEpochMilli(), sentAt.toEpochMilli()));
    }

    private void sent(String branch, long sequence, long ballots, Instant eventTime) {
        sent(branch, sequence, ballots, eventTime, eventTime);
    }

    @Test
    void eachHourCountsTheReportsOfThatHourWheneverTheyArrive() {
        sent("karaj-1", 1, 40, POLLS_OPEN.plusSeconds(1800));               // 08:30
        sent("karaj-1", 1, 99, POLLS_OPEN.plusSeconds(1800));               // a duplicate of sequence 1: the first seen wins
        sent("karaj-2", 1, 15, NINE);                                        // exactly at 09:00: counts for 09:00
        sent("karaj-1", 3, 120, TEN.plusSeconds(600));                      // 10:10
        sent("karaj-1", 2, 70, NINE.plusSeconds(1200), TEN.plusSeconds(900)); // 09:20, arrives late at 10:15
        sent("fardis-1", 1, 200, CLOSE);                                    // the close's own report
        sent("fardis-1", 2, 250, CLOSE.plusSeconds(1));                     // after the close: never counts

        GroundTruth truth = recorder.result();
        assertEquals(List.of(
                new GroundTruth.SeriesPoint("2024-03-01T05:30:00Z", Map.of("karaj", 55L, "fardis", 0L)),     // 09:00: 40 + 15
                new GroundTruth.SeriesPoint("2024-03-01T06:30:00Z", Map.of("karaj", 85L, "fardis", 0L)),     // 10:00: 70 + 15
                new GroundTruth.SeriesPoint("2024-03-01T07:00:00Z", Map.of("karaj", 135L, "fardis", 200L))), // 10:30: 120 + 15
                truth.series());
        assertEquals(135, truth.constituencies().get("karaj").ballots());
        assertEquals(200, truth.constituencies().get("fardis").ballots());
        assertEquals(335, truth.national().ballots());
    }

    @Test
    void theSeriesSurvivesJsonAndAnOlderFileWithoutOneStillReads(@TempDir Path dir) throws Exception {
        sent("karaj-1", 1, 40, POLLS_OPEN.plusSeconds(1800));
        GroundTruth truth = recorder.result();
        Path file = dir.resolve("truth.json");
        truth.write(file);
        assertEquals(truth, GroundTruth.read(file));

        ObjectMapper json = new ObjectMapper();
        ObjectNode older = (ObjectNode) json.readTree(file.toFile());
        older.remove("series");
        Path olderFile = dir.resolve("older.json");
        json.writeValue(olderFile.toFile(), older);
        GroundTruth read = GroundTruth.read(olderFile);
        assertTrue(read.series().isEmpty());
        assertEquals(truth.constituencies(), read.constituencies());
        assertEquals(truth.national(), read.national());
    }
}
