package org.turnoutstream.workflows;

import org.junit.jupiter.api.Test;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.functions.HeartbeatTimeouts;
import org.turnoutstream.schemas.LinkType;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveTurnoutJobOptionsTest {

    @Test
    void aSatelliteLinkCanWaitLongerThanFibreBeforeTheBranchCountsAsDown() {
        JobOptions options = CommandLine.populateCommand(new JobOptions(),
                "--heartbeat-timeout", "45s", "--heartbeat-timeout-for", "satellite=3m", "--heartbeat-timeout-for", "MOBILE=90s");
        HeartbeatTimeouts timeouts = LiveTurnoutJob.heartbeatTimeouts(options);
        assertEquals(180_000, timeouts.millisFor(LinkType.SATELLITE));
        assertEquals(90_000, timeouts.millisFor(LinkType.MOBILE));
        assertEquals(45_000, timeouts.millisFor(LinkType.FIBER));
        assertEquals(45_000, timeouts.millisFor(null));
    }

    @Test
    void anUnknownLinkTypeIsAClearError() {
        JobOptions options = CommandLine.populateCommand(new JobOptions(), "--heartbeat-timeout-for", "PIGEON=1h");
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> LiveTurnoutJob.heartbeatTimeouts(options));
        assertTrue(error.getMessage().contains("unknown link type 'PIGEON'"), error.getMessage());
    }
}
