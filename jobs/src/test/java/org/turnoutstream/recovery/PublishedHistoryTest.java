package org.turnoutstream.recovery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.influx.InfluxReader;
import org.turnoutstream.testing.InfluxDbExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN_MILLIS;

/** What a job starting without state learns from InfluxDB: per election, the first and last instant it published. */
class PublishedHistoryTest {
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();

    private static final long TEN_MINUTES_LATER = POLLS_OPEN_MILLIS + 600_000;
    private static final long AN_HOUR_LATER = POLLS_OPEN_MILLIS + 3_600_000;

    @Test
    void firstAndLastInstantOfEachElectionAcrossTheTurnoutMeasurements() throws Exception {
        String db = influx.createDatabase("published");
        influx.write(db, "constituency_turnout,election=r1,constituency=karaj ballots=10i " + POLLS_OPEN_MILLIS,
                "national_turnout,election=r1 ballots=10i " + TEN_MINUTES_LATER,
                "province_turnout,election=r2,province=alborz ballots=7i " + TEN_MINUTES_LATER,
                "national_turnout,election=r2 ballots=9i " + AN_HOUR_LATER);
        InfluxReader reader = new InfluxReader(influx.url(), null, null);

        assertEquals(Map.of("r1", TEN_MINUTES_LATER, "r2", AN_HOUR_LATER), PublishedHistory.lastInstants(reader, db));
        assertEquals(Map.of("r1", POLLS_OPEN_MILLIS, "r2", TEN_MINUTES_LATER), PublishedHistory.firstInstants(reader, db));
    }

    @Test
    void nothingPublishedWhenTheDatabaseDoesNotExist() throws Exception {
        assertEquals(Map.of(), PublishedHistory.lastInstants(new InfluxReader(influx.url(), null, null), "never_created"));
    }

}
