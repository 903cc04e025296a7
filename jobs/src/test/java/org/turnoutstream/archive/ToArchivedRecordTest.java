package org.turnoutstream.archive;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.schemas.ArchivedRecord;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.ElectionDay;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ToArchivedRecordTest {
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();

    @Test
    void tagsTheElectionOfEachTopicsValuesAndUnknownForTheRest() throws Exception {
        String turnout = "branch.turnout.archive-test", connectivity = "branch.connectivity.archive-test";
        ToArchivedRecord toArchived = new ToArchivedRecord(Map.of(
                turnout, ConfluentAvroDecoder.forTurnoutReports(registry.config()),
                connectivity, ConfluentAvroDecoder.forConnectivityEvents(registry.config())));
        byte[] report = ConfluentAvroEncoder.forTopic(registry.config(), turnout, TurnoutReport.class).encode(ElectionDay.turnout());
        byte[] link = ConfluentAvroEncoder.forTopic(registry.config(), connectivity, ConnectivityEvent.class).encode(ElectionDay.linkDown());

        ArchivedRecord archived = toArchived.map(new RawRecord(turnout, 1, 42, 1_000, new byte[]{9}, report));
        assertEquals(ElectionDay.ELECTION, archived.getElection());
        assertArrayEquals(report, ArchiveRecords.toRaw(archived).value);
        assertEquals(ElectionDay.ELECTION, toArchived.electionOf(new RawRecord(connectivity, 0, 1, 1_000, null, link)));
        assertEquals("unknown", toArchived.electionOf(new RawRecord(turnout, 0, 2, 1_000, null, new byte[]{1, 2, 3, 4, 5, 6})));
        assertEquals("unknown", toArchived.electionOf(new RawRecord(turnout, 0, 3, 1_000, null, null)));
        assertEquals("unknown", toArchived.electionOf(new RawRecord("other.topic", 0, 4, 1_000, null, report)));
    }
}
