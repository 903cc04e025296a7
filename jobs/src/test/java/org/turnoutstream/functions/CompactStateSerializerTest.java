package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignalSerializer;
import org.turnoutstream.signals.BranchSignal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.LinkType;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.functions.OutageFixtures.*;
import static org.turnoutstream.testing.ElectionDayFixtures.karajBranch;

/** The per-branch state serializers: what they write reads back the same, copies are independent, checkpoints are small. */
class CompactStateSerializerTest {

    static <T> byte[] bytes(TypeSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws IOException {
        byte[] written = bytes(serializer, value);
        DataInputDeserializer in = new DataInputDeserializer(written);
        T read = serializer.deserialize(in);
        assertEquals(0, in.available(), "everything written is read");
        assertArrayEquals(written, bytes(serializer, read), "reads back the same");
        assertArrayEquals(written, bytes(serializer, serializer.copy(value)), "a copy is the same");
        return read;
    }

    @Test
    void theStateClassesGetTheirOwnSerializers() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        assertEquals(BranchOutageStateSerializer.INSTANCE, TypeInformation.of(BranchOutageState.class).createSerializer(config));
        assertEquals(IntegrityStateSerializer.INSTANCE, TypeInformation.of(IntegrityState.class).createSerializer(config));
        assertEquals(BranchHistorySerializer.INSTANCE, TypeInformation.of(BranchHistory.class).createSerializer(config));
        assertEquals(BranchSignalSerializer.INSTANCE, TypeInformation.of(BranchSignal.class).createSerializer(config));
        assertEquals(BranchWorkStateSerializer.INSTANCE, TypeInformation.of(BranchWorkState.class).createSerializer(config));
    }

    @Test
    void aBranchsWorkStateReadsBackWithItsTimesAgainstOneBase() throws IOException {
        BranchWorkState work = new BranchWorkState();
        work.outage = new BranchOutageState();
        work.outage.constituencyId = KARAJ;
        work.outage.started = true;
        work.outage.lastHeard = at(30, 0);
        work.outage.lastChange = at(1, 0);
        work.outage.deadline = at(31, 0);
        work.outage.cleanupAt = Long.MAX_VALUE - 1; // far from the base: the difference wraps and still reads back
        work.outage.timerAt = at(31, 0);
        work.outage.pending().add(heartbeat(17, at(30, 20)));
        work.integrity = new IntegrityState();
        work.integrity.constituencyId = KARAJ;
        work.integrity.started = true;
        work.integrity.insert(0, 7, 120, at(29, 0));
        work.integrity.insert(1, 8, 131, at(30, 0));
        work.integrity.timerAt = at(30, 5);
        work.integrity.pending().add(reportSignal(17, 9, 140, at(30, 5)));
        work.history = new BranchHistory();
        work.history.add(at(29, 0), 7, 120, new ArrayList<>());
        work.history.add(at(30, 0), 8, 131, new ArrayList<>());
        work.timerAt = at(30, 5);

        BranchWorkState read = roundTrip(BranchWorkStateSerializer.INSTANCE, work);
        assertEquals(at(30, 5), read.timerAt);
        assertEquals(Long.MAX_VALUE - 1, read.outage.cleanupAt);
        assertEquals(at(30, 20), read.outage.pending().heardAt(0));
        assertEquals(BranchOutageState.NONE, read.outage.downSince);
        assertEquals(at(29, 0), read.integrity.times[0]);
        assertEquals(reportSignal(17, 9, 140, at(30, 5)), read.integrity.pending().get(0, ELECTION, karajBranch(17), KARAJ));
        assertEquals(131, read.history.countAt(at(30, 0)));

        BranchWorkState copy = BranchWorkStateSerializer.INSTANCE.copy(work);
        assertNotSame(work.outage, copy.outage);
        copy.integrity.pending().removeFirst(1);
        assertEquals(1, work.integrity.pending().size, "the copy on write leaves the snapshot's state alone");

        int separately = bytes(BranchHistorySerializer.INSTANCE, work.history).length + bytes(BranchOutageStateSerializer.INSTANCE, work.outage).length
                + bytes(IntegrityStateSerializer.INSTANCE, work.integrity).length;
        int together = bytes(BranchWorkStateSerializer.INSTANCE, work).length;
        assertTrue(together < separately - 20, "one base instead of an epoch time each: " + together + " bytes, " + separately + " as three states");

        assertEquals(KARAJ, read.integrity.constituencyId);
        assertSame(read.outage.constituencyId, read.integrity.constituencyId, "the constituency is written once");
        work.integrity.constituencyId = "karaj-west"; // the parts may name different ones
        BranchWorkState other = roundTrip(BranchWorkStateSerializer.INSTANCE, work);
        assertEquals("karaj-west", other.integrity.constituencyId);
        assertEquals(KARAJ, other.outage.constituencyId);
        work.outage = null;
        assertEquals("karaj-west", roundTrip(BranchWorkStateSerializer.INSTANCE, work).integrity.constituencyId);

        BranchWorkState onlyHeard = new BranchWorkState();
        onlyHeard.outage = new BranchOutageState();
        assertNull(roundTrip(BranchWorkStateSerializer.INSTANCE, onlyHeard).history);
        assertNull(roundTrip(BranchWorkStateSerializer.INSTANCE, new BranchWorkState()).outage);
    }

    @Test
    void everyKindOfSignalCrossesTheShuffleUnchanged() throws IOException {
        List<BranchSignal> signals = new ArrayList<>(List.of(
                heartbeat(17, at(5, 0)).heardAt(at(5, 2)),
                reportSignal(17, 12, 4_321, at(10, 0)),
                new BranchSignal(ELECTION, karajBranch(3), null, at(7, 0), BranchSignal.Kind.LINK_DOWN, LinkType.SATELLITE)
                        .heardAt(at(6, 0)), // heard before its own clock says it happened
                new BranchSignal(ELECTION, "\u06a9\u0631\u062c-0017", "\u06a9\u0631\u062c", at(2, 0), BranchSignal.Kind.OPENED, null), // non-ASCII ids
                reportSignal(17, 13, 4_400, at(20, 0)).heardAt(at(15, 0)).clockAhead(Duration.ofMinutes(5).toMillis()), // a clock ahead
                linkDown(17, at(3, 0)).heardAt(at(1, 0)).clockAhead(Duration.ofDays(365L * 70).toMillis()), // a clock 70 years ahead
                new BranchSignal()));
        for (BranchSignal.Kind kind : BranchSignal.Kind.values()) {
            for (LinkType link : LinkType.values()) signals.add(new BranchSignal(ELECTION, karajBranch(9), KARAJ, at(1, 0), kind, link));
        }
        for (BranchSignal signal : signals) {
            BranchSignal read = roundTrip(BranchSignalSerializer.INSTANCE, signal);
            assertEquals(signal, read);
            assertNotSame(signal, BranchSignalSerializer.INSTANCE.copy(signal));
            assertEquals(signal, BranchSignalSerializer.INSTANCE.copy(signal));
        }
        BranchSignal heartbeat = signals.get(0);
        int ids = heartbeat.election.length() + heartbeat.branchId.length() + heartbeat.constituencyId.length();
        assertTrue(bytes(BranchSignalSerializer.INSTANCE, heartbeat).length <= ids + 18,
                "a heartbeat takes its ids and a few bytes, not 8 per number");
    }

    /**
     * With the election catalog, a signal of one of its branches crosses as the branch's index and reads back with the
     * catalog's ids and compact key; one without a known branch (or whose ids changed since) crosses with its ids.
     */
    @Test
    void withTheCatalogASignalOfItsBranchCrossesAsTheBranchIndex() throws IOException {
        org.turnoutstream.reference.ElectionCatalog catalog = OutageFixtures.catalog();
        BranchSignalSerializer serializer = BranchSignalSerializer.withCatalog(catalog);
        int index = -1;
        for (int i = 0; i < catalog.branchCount(); i++) if (catalog.branchIdAt(i).equals(karajBranch(17))) index = i;
        BranchSignal known = new BranchSignal(catalog.electionIdAt(index), catalog.branchIdAt(index), catalog.constituencyIdAt(index),
                at(5, 0), BranchSignal.Kind.HEARTBEAT, LinkType.DSL).heardAt(at(5, 1))
                .knownBranch(index, org.turnoutstream.reference.BranchKey.of(catalog.electionIdAt(index), catalog.branchIdAt(index)));
        BranchSignal read = roundTrip(serializer, known);
        assertEquals(known, read);
        assertEquals(index, read.catalogIndex());
        assertTrue(read.branchId() == catalog.branchIdAt(index) && read.constituencyId() == catalog.constituencyIdAt(index), "the catalog's own ids");
        assertEquals(org.turnoutstream.reference.BranchKey.of(read.election(), read.branchId()), read.compactKey());
        assertTrue(bytes(serializer, known).length + 10 <= bytes(BranchSignalSerializer.INSTANCE, known).length,
                "an index instead of the ids: " + bytes(serializer, known).length + " bytes");
        assertEquals(index, serializer.copy(known).catalogIndex());

        BranchSignal unknown = heartbeat(17, at(5, 0)); // same ids, branch not known to the signal
        assertEquals(-1, roundTrip(serializer, unknown).catalogIndex());
        assertEquals(unknown, roundTrip(serializer, unknown));
        BranchSignal changed = serializer.copy(known);
        changed.constituencyId = "fardis";
        assertEquals(-1, changed.catalogIndex(), "an id changed since");
        assertEquals(changed, roundTrip(serializer, changed));
        byte[] withIndex = bytes(serializer, known);
        assertThrows(IOException.class, () -> BranchSignalSerializer.INSTANCE.deserialize(new DataInputDeserializer(withIndex)),
                "no catalog to read the index with");
    }

    @Test
    void anIntegrityTrailKeepsItsClockSkewEpisode() throws IOException {
        IntegrityState s = new IntegrityState();
        s.constituencyId = KARAJ;
        s.started = true;
        s.clockAhead = true;
        s.insert(0, 1, 12, at(5, 0));
        IntegrityState read = roundTrip(IntegrityStateSerializer.INSTANCE, s);
        assertTrue(read.started && read.clockAhead);
        assertTrue(IntegrityStateSerializer.INSTANCE.copy(s).clockAhead);
        s.clockAhead = false;
        read = roundTrip(IntegrityStateSerializer.INSTANCE, s);
        assertTrue(read.started && !read.clockAhead);
        s.started = false;
        assertTrue(!roundTrip(IntegrityStateSerializer.INSTANCE, s).started);
    }

    @Test
    void anOutageStateWithPendingSignalsReadsBackAndCopiesIndependently() throws IOException {
        BranchOutageState s = new BranchOutageState();
        s.constituencyId = KARAJ;
        s.started = true;
        s.up = false;
        s.downSince = at(1, 0);
        s.downReason = AlertReason.LINK_DOWN;
        s.lastHeard = at(1, 0);
        s.lastChange = at(1, 5);
        s.link = LinkType.SATELLITE;
        s.timerAt = at(2, 0);
        s.pending().add(heartbeat(17, at(1, 30)));
        s.pending().add(reportSignal(17, 4, 40, at(1, 10)).heardAt(at(1, 20)));
        s.pending().add(linkUp(17, at(1, 25)));
        BranchSignal ahead = heartbeat(17, at(9, 0)).heardAt(at(1, 35)).clockAhead(at(9, 0) - at(1, 35));
        s.pending().add(ahead);

        BranchOutageState read = roundTrip(BranchOutageStateSerializer.INSTANCE, s);
        assertEquals(4, read.pending().size);
        assertEquals(ahead, read.pending().get(3, ELECTION, karajBranch(17), KARAJ), "a clock that read ahead, and by how much");
        assertEquals(at(9, 0) - at(1, 35), read.pending().aheadBy(3));
        assertEquals(BranchSignal.Kind.HEARTBEAT, read.pending().kind(3));
        assertEquals(null, read.pending().link(3));
        read.pending().removeFirst(3);
        read.pending().removeFirst(1);
        read = roundTrip(BranchOutageStateSerializer.INSTANCE, s);
        assertEquals(at(1, 20), read.pending().heardAt(0));
        assertEquals(BranchSignal.Kind.REPORT, read.pending().kind(0));
        assertEquals(reportSignal(17, 4, 40, at(1, 10)).heardAt(at(1, 20)), read.pending().get(0, ELECTION, karajBranch(17), KARAJ));
        assertEquals(LinkType.SATELLITE, read.link);
        assertEquals(BranchOutageState.NONE, read.deadline);
        read.pending().add(heartbeat(17, at(1, 40))); // a restored buffer grows
        assertEquals(5, read.pending().size);

        BranchOutageState copy = BranchOutageStateSerializer.INSTANCE.copy(s);
        assertNotSame(s.pending().signals, copy.pending().signals);
        copy.pending().removeFirst(1);
        assertEquals(4, s.pending().size, "the copy on write leaves the snapshot's state alone");
        assertTrue(bytes(BranchOutageStateSerializer.INSTANCE, new BranchOutageState()).length < 20, "an empty state is a few bytes");
    }

    @Test
    void trailsAndHistoriesOfADayReadBackAndAreSmall() throws IOException {
        Random random = new Random(1403);
        IntegrityState trail = new IntegrityState();
        trail.constituencyId = KARAJ;
        trail.started = true;
        BranchHistory history = new BranchHistory();
        List<BranchHistory.Step> steps = new ArrayList<>();
        long ballots = 0;
        for (int seq = 1; seq <= 48; seq++) { // a report every 15 minutes for 12 hours
            ballots += random.nextInt(40);
            long t = at(15L * seq, random.nextInt(30));
            int i = -trail.indexOf(seq) - 1;
            trail.insert(i, seq, ballots, t);
            trail.compact(java.time.Duration.ofDays(1).toMillis()); // all of the day in the trail
            steps.clear();
            history.add(t, seq, ballots, steps);
            if (seq > 10) history.compactBefore(at(15L * (seq - 2), 0));
        }
        trail.flags[3] = IntegrityState.RATE;
        trail.closedAt = at(720, 0);

        IntegrityState readTrail = roundTrip(IntegrityStateSerializer.INSTANCE, trail);
        assertEquals(trail.size, readTrail.size);
        assertArrayEquals(Arrays.copyOf(trail.ballots, trail.size), Arrays.copyOf(readTrail.ballots, readTrail.size));
        assertEquals(IntegrityState.RATE, readTrail.flags[3]);
        int i = -readTrail.indexOf(49) - 1;
        readTrail.insert(i, 49, ballots + 1, at(740, 0)); // a restored trail grows
        assertEquals(trail.size + 1, readTrail.size);

        BranchHistory readHistory = roundTrip(BranchHistorySerializer.INSTANCE, history);
        assertEquals(history.size(), readHistory.size());
        assertEquals(history.countAt(at(700, 0)), readHistory.countAt(at(700, 0)));
        steps.clear();
        assertEquals(BranchHistory.Outcome.DUPLICATE, readHistory.add(at(10, 0), 3, 1, steps), "the seen sequences survive");
        assertEquals(BranchHistory.Outcome.APPLIED, readHistory.add(at(730, 0), 49, ballots + 5, steps));

        int pojoLike = trail.size * (8 + 8 + 8 + 1);
        assertTrue(bytes(IntegrityStateSerializer.INSTANCE, trail).length < pojoLike / 3,
                "a day's trail takes a few bytes per report: " + bytes(IntegrityStateSerializer.INSTANCE, trail).length + " bytes");
    }
}
