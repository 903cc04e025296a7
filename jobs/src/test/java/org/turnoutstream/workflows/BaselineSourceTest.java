package org.turnoutstream.workflows;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BaselineSourceTest {
    @Test
    void aTableAnElectionsLiveSeriesOrASeriesElsewhere() {
        assertEquals(new BaselineSource.Table(Path.of("round1/published.CSV")), BaselineSource.parse(" round1/published.CSV "));
        assertEquals(new BaselineSource.Series("2024-r1", null, ""), BaselineSource.parse("2024-r1"));
        assertEquals(new BaselineSource.Series("2024-r1", "firstround", ""), BaselineSource.parse("2024-r1@firstround"));
        assertEquals(new BaselineSource.Series("2024-r1", "turnout_audit", "replay-20240302"), BaselineSource.parse("2024-r1@turnout_audit/replay-20240302"));
        assertEquals("turnout", new BaselineSource.Series("r1", null, "").databaseOr("turnout"));
        for (String bad : new String[] {"", "@db", "r1@", "r1@db/"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BaselineSource.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--baseline"), e.getMessage());
        }
    }
}
