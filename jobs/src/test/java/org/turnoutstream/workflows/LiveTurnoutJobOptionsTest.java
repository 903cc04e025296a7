package org.turnoutstream.workflows;

import org.junit.jupiter.api.Test;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.functions.HeartbeatTimeouts;
import org.turnoutstream.schemas.LinkType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveTurnoutJobOptionsTest {

    @Test
    void aSatelliteLinkCanWaitLongerThanFibreBeforeTheBranchCountsAsDown() {
        JobOptions options = JobOptions.of(
                "--heartbeat-timeout", "45s", "--heartbeat-timeout-for", "satellite=3m", "--heartbeat-timeout-for", "MOBILE=90s");
        HeartbeatTimeouts timeouts = LiveTurnoutJob.heartbeatTimeouts(options);
        assertEquals(180_000, timeouts.millisFor(LinkType.SATELLITE));
        assertEquals(90_000, timeouts.millisFor(LinkType.MOBILE));
        assertEquals(45_000, timeouts.millisFor(LinkType.FIBER));
        assertEquals(45_000, timeouts.millisFor(null));
    }

    @Test
    void anUnknownLinkTypeIsAClearError() {
        JobOptions options = JobOptions.of("--heartbeat-timeout-for", "PIGEON=1h");
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> LiveTurnoutJob.heartbeatTimeouts(options));
        assertTrue(error.getMessage().contains("unknown link type 'PIGEON'"), error.getMessage());
    }

    @Test
    void pollingHoursComeFromPollsCloseWithTheirOffsetAndAGrace() {
        JobOptions options = JobOptions.of("--election", "2024-majlis-r1=reference/alborz-synthetic",
                "--polls-close", "2024-majlis-r1=2024-03-01T18:00:00+03:30", "--polls-close-grace", "30m");
        org.turnoutstream.functions.PollingHours hours = LiveTurnoutJob.pollingHours(options);
        long close = java.time.Instant.parse("2024-03-01T14:30:00Z").toEpochMilli();
        assertEquals(close, hours.closeOf("2024-majlis-r1").getAsLong());
        assertEquals(close + 30 * 60_000, hours.endOf("2024-majlis-r1").getAsLong());
        assertTrue(hours.endOf("2024-majlis-r2").isEmpty(), "an election without --polls-close keeps its state until CLOSED");
        assertTrue(LiveTurnoutJob.pollingHours(JobOptions.of(
                "--election", "2024-majlis-r1=reference/alborz-synthetic")).endOf("2024-majlis-r1").isEmpty());
    }

    @Test
    void aPollsCloseOfAnUnknownElectionOrWithoutOffsetIsAClearError() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> LiveTurnoutJob.pollingHours(
                JobOptions.of("--election", "2024-majlis-r1=reference/alborz-synthetic",
                        "--polls-close", "2024-majlis-r2=2024-03-01T18:00:00+03:30")));
        assertTrue(unknown.getMessage().contains("--polls-close 2024-majlis-r2=...: no such election"), unknown.getMessage());
        IllegalArgumentException noOffset = assertThrows(IllegalArgumentException.class, () -> LiveTurnoutJob.pollingHours(
                JobOptions.of("--election", "2024-majlis-r1=reference/alborz-synthetic",
                        "--polls-close", "2024-majlis-r1=2024-03-01T18:00:00")));
        assertTrue(noOffset.getMessage().contains("not an ISO-8601 time with an offset"), noOffset.getMessage());
    }
}
