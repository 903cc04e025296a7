package org.turnoutstream.events;

import org.turnoutstream.schemas.Topics;

import org.turnoutstream.signals.BranchReport;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.events.ConfluentSchemaCoder;
import org.turnoutstream.registry.Subjects;
import org.turnoutstream.signals.BranchSignal;
import org.turnoutstream.reference.BranchKey;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.ConnectivityKind;
import org.turnoutstream.schemas.LinkType;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential: the decoders' fast path against the full decoder and validator, on records as a real registry frames
 * them. Every record the fast path takes, the full path must accept and turn into the equal signal or report (and the
 * compact key the ids make); every well-formed, valid record written with the reader's schema must take the fast path.
 * The records: valid ones of random branches, and ones made wrong in every way the validator knows (unknown election or
 * branch, another constituency, negative or too large counts, implausible or future times), cut short, with a byte
 * more, with random bytes changed, written with a newer schema, and of branches whose ids are not ASCII.
 */
class KnownBranchRecordsTest {
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    static final String ELECTION = "2024-majlis-r2";
    static final Instant NOON = Instant.parse("2024-05-10T08:30:00Z");
    static final Duration SKEW = Duration.ofMinutes(2);
    static final long MAX_BALLOTS = 5_000;
    static final String[] CONSTITUENCIES = {"karaj", "fardis", "nazarabad-شهر"};

    static ElectionCatalog catalog;
    static ConfluentAvroDecoder<ConnectivityEvent> connectivityDecoder;
    static ConfluentAvroDecoder<TurnoutReport> turnoutDecoder;
    static ConfluentAvroEncoder<ConnectivityEvent> connectivityEncoder;
    static ConfluentAvroEncoder<TurnoutReport> turnoutEncoder;

    @BeforeAll
    static void setUp() {
        Election.Builder first = Election.builder(ELECTION);
        Election.Builder runOff = Election.builder("2024-majlis-r3");
        for (String c : CONSTITUENCIES) {
            first.constituency(c, c, "Alborz", 100_000);
            runOff.constituency(c, c, "Alborz", 100_000);
        }
        for (int n = 0; n < 300; n++) {
            first.branch(branchId(n), CONSTITUENCIES[n % 3], "branch " + n);
            runOff.branch(branchId(n), CONSTITUENCIES[n % 3], "branch " + n);
        }
        catalog = ElectionCatalog.of(first.build(), runOff.build());
        connectivityDecoder = ConfluentAvroDecoder.forConnectivityEvents(REGISTRY.config());
        turnoutDecoder = ConfluentAvroDecoder.forTurnoutReports(REGISTRY.config());
        connectivityEncoder = ConfluentAvroEncoder.forTopic(REGISTRY.config(), Topics.CONNECTIVITY, ConnectivityEvent.class);
        turnoutEncoder = ConfluentAvroEncoder.forTopic(REGISTRY.config(), Topics.TURNOUT, TurnoutReport.class);
    }

    /** Mostly ASCII ids; every seventh has a non-ASCII letter. */
    static String branchId(int n) {
        return n % 7 == 3 ? "کرج-" + n : "alb-01-" + String.format("%04d", n);
    }

    @Test
    void connectivityEventsTakeTheFastPathExactlyWhenTheFullPathAcceptsThem() throws Exception {
        Random random = new Random(5);
        KnownBranchRecords known = new KnownBranchRecords(catalog, SKEW.toMillis(), Long.MAX_VALUE);
        ConnectivityValidator validator = new ConnectivityValidator(catalog, SKEW);
        int fast = 0, valid = 0;
        for (int i = 0; i < 8_000; i++) {
            boolean wellFormed = random.nextInt(3) > 0;
            ConnectivityEvent event = randomEvent(random, wellFormed);
            boolean newer = random.nextInt(8) == 0;
            byte[] value = newer ? newerSchema(event) : connectivityEncoder.encode(event);
            boolean untouched = true;
            if (random.nextInt(4) == 0) {
                value = damaged(random, value);
                untouched = false;
            }
            long heardAt = heardAt(random, event.getEventTime().toEpochMilli());
            // the full path, as ConnectivityEventDecoder takes it
            BranchSignal expected = null;
            try {
                ConnectivityEvent decoded = connectivityDecoder.decode(value);
                if (validator.check(decoded).isEmpty()) {
                    long eventTime = decoded.getEventTime().toEpochMilli();
                    expected = BranchSignal.of(decoded, heardAt >= 0 ? heardAt : eventTime)
                            .clockAhead(validator.checks().aheadOfHeard(eventTime, heardAt));
                }
            } catch (DecodeException rejected) {
                // a dead letter
            }
            BranchSignal actual = connectivityDecoder.writtenWithReaderSchema(value) ? known.connectivitySignal(value, heardAt) : null;
            if (actual != null) {
                fast++;
                assertNotNull(expected, "the fast path took a record the full path rejects: " + event);
                assertEquals(expected, actual);
                assertEquals(BranchKey.of(actual.election, actual.branchId), actual.compactKey());
            }
            if (expected != null && untouched && !newer) {
                valid++;
                assertNotNull(actual, "a valid record written with the reader's schema missed the fast path: " + event);
            }
        }
        // a damaged record may still be a valid one (a changed byte of a time or of the round-trip time): then it may take it too
        assertTrue(valid > 2_000 && fast >= valid, fast + " records on the fast path, " + valid + " intact valid ones of the reader's schema");
    }

    @Test
    void turnoutReportsTakeTheFastPathExactlyWhenTheFullPathAcceptsThem() throws Exception {
        Random random = new Random(6);
        KnownBranchRecords known = new KnownBranchRecords(catalog, SKEW.toMillis(), MAX_BALLOTS);
        ReportValidator validator = new ReportValidator(catalog, SKEW, MAX_BALLOTS);
        int fast = 0, valid = 0;
        for (int i = 0; i < 8_000; i++) {
            TurnoutReport report = randomReport(random, random.nextInt(3) > 0);
            byte[] value = turnoutEncoder.encode(report);
            boolean untouched = true;
            if (random.nextInt(4) == 0) {
                value = damaged(random, value);
                untouched = false;
            }
            long heardAt = heardAt(random, report.getEventTime().toEpochMilli());
            BranchReport expected = null;
            try {
                TurnoutReport decoded = turnoutDecoder.decode(value);
                if (validator.check(decoded).isEmpty()) {
                    long eventTime = decoded.getEventTime().toEpochMilli();
                    expected = new BranchReport(decoded.getElection(), decoded.getBranchId(), decoded.getConstituencyId(),
                            decoded.getSequence(), decoded.getBallotsCast(), eventTime).receivedAt(heardAt >= 0 ? heardAt : eventTime)
                            .clockAhead(validator.aheadOfHeard(eventTime, heardAt));
                }
            } catch (DecodeException rejected) {
                // a dead letter
            }
            BranchReport actual = turnoutDecoder.writtenWithReaderSchema(value) ? known.report(value, heardAt) : null;
            if (actual != null) {
                fast++;
                assertNotNull(expected, "the fast path took a report the full path rejects: " + report);
                assertEquals(fields(expected), fields(actual));
            }
            if (expected != null && untouched) {
                valid++;
                assertNotNull(actual, "a valid report missed the fast path: " + report);
            }
        }
        assertTrue(valid > 2_000 && fast >= valid, fast + " reports on the fast path, " + valid + " intact valid ones");
    }

    /**
     * A batch read ahead ({@link KnownBranchRecords#prefetch}: the ids' hashes are kept for the records processed next)
     * decodes every record as a record taken alone does, also when records of the batch are not offered to the fast
     * path (another schema) or fail its checks before their branch is looked up, and when a record comes that was not
     * read ahead.
     */
    @Test
    void recordsReadAheadInABatchDecodeAsRecordsTakenAlone() throws Exception {
        Random random = new Random(7);
        KnownBranchRecords alone = new KnownBranchRecords(catalog, SKEW.toMillis(), MAX_BALLOTS);
        KnownBranchRecords batched = new KnownBranchRecords(catalog, SKEW.toMillis(), MAX_BALLOTS);
        long now = NOON.toEpochMilli();
        int decoded = 0;
        for (int round = 0; round < 400; round++) {
            int n = 1 + random.nextInt(64);
            org.turnoutstream.batching.RecordBatch<RawRecord> batch = new org.turnoutstream.batching.RecordBatch<>(64);
            boolean[] reports = new boolean[n];
            for (int i = 0; i < n; i++) {
                byte[] value;
                reports[i] = random.nextBoolean();
                if (!reports[i]) {
                    ConnectivityEvent event = randomEvent(random, random.nextInt(3) > 0);
                    value = random.nextInt(8) == 0 ? newerSchema(event) : connectivityEncoder.encode(event);
                } else {
                    value = turnoutEncoder.encode(randomReport(random, random.nextInt(3) > 0));
                }
                if (random.nextInt(6) == 0) value = damaged(random, value);
                batch.add(new org.apache.flink.streaming.runtime.streamrecord.StreamRecord<>(
                        new RawRecord("t", 0, i, now - random.nextInt(5_000), null, value)));
            }
            batched.prefetch(batch, v -> connectivityDecoder.writtenWithReaderSchema(v) || turnoutDecoder.writtenWithReaderSchema(v));
            if (random.nextInt(10) == 0) { // a record that was not in the batch comes first
                byte[] stray = connectivityEncoder.encode(randomEvent(random, true));
                assertEquals(alone.connectivitySignal(stray, now - 1), batched.connectivitySignal(stray, now - 1));
            }
            for (int i = 0; i < n; i++) {
                RawRecord record = batch.value(i);
                if (random.nextInt(5) == 0) continue; // taken by the full decoder
                if (reports[i]) {
                    BranchReport expected = alone.report(record.value, record.timestamp);
                    BranchReport actual = batched.report(record.value, record.timestamp);
                    assertEquals(expected == null ? null : fields(expected), actual == null ? null : fields(actual));
                    if (actual != null) decoded++;
                } else {
                    BranchSignal expected = alone.connectivitySignal(record.value, record.timestamp);
                    BranchSignal actual = batched.connectivitySignal(record.value, record.timestamp);
                    assertEquals(expected, actual);
                    if (actual != null) decoded++;
                }
            }
        }
        assertTrue(decoded > 3_000, decoded + " records decoded on the fast path");
    }

    static java.util.List<Object> fields(BranchReport r) {
        return java.util.List.of(r.election, r.branchId, r.constituencyId, r.sequence, r.ballotsCast, r.eventTime, r.receivedAt, r.aheadBy);
    }

    /**
     * When the centre heard a record dated {@code eventTime}: none (-1) for one in ten, a little later for most, and for one
     * in eight from a clock that reads ahead, up to ten minutes more than the allowed skew.
     */
    static long heardAt(Random random, long eventTime) {
        if (random.nextInt(10) == 0) return -1;
        if (random.nextInt(8) == 0) return eventTime - SKEW.toMillis() + 1 - random.nextInt(600_000);
        return eventTime + random.nextInt(5_000);
    }

    static ConnectivityEvent randomEvent(Random random, boolean wellFormed) {
        int n = random.nextInt(300);
        ConnectivityEvent.Builder event = ConnectivityEvent.newBuilder()
                .setElection(random.nextBoolean() ? ELECTION : "2024-majlis-r3")
                .setBranchId(branchId(n))
                .setConstituencyId(CONSTITUENCIES[n % 3])
                .setEventTime(NOON.minusSeconds(random.nextInt(3_600)))
                .setKind(ConnectivityKind.values()[random.nextInt(ConnectivityKind.values().length)])
                .setLink(random.nextInt(4) == 0 ? null : LinkType.values()[random.nextInt(LinkType.values().length)])
                .setRttMillis(random.nextBoolean() ? null : random.nextInt(2_000) - 5);
        if (!wellFormed) {
            switch (random.nextInt(6)) {
                case 0 -> event.setElection("2020-majlis-r1");
                case 1 -> event.setBranchId(branchId(n) + "x");
                case 2 -> event.setConstituencyId(CONSTITUENCIES[(n + 1) % 3]);
                case 3 -> event.setEventTime(Instant.parse("1999-12-31T23:59:59.999Z"));
                case 4 -> event.setEventTime(NOON.plus(SKEW).plusMillis(random.nextInt(3) - 1));
                default -> event.setEventTime(Instant.parse("2100-01-01T00:00:00Z").plusMillis(random.nextInt(3) - 1));
            }
        }
        return event.build();
    }

    static TurnoutReport randomReport(Random random, boolean wellFormed) {
        int n = random.nextInt(300);
        TurnoutReport.Builder report = TurnoutReport.newBuilder()
                .setElection(random.nextBoolean() ? ELECTION : "2024-majlis-r3")
                .setBranchId(branchId(n))
                .setConstituencyId(CONSTITUENCIES[n % 3])
                .setSequence(random.nextInt(1_000))
                .setBallotsCast(random.nextInt((int) MAX_BALLOTS + 1))
                .setEventTime(NOON.minusSeconds(random.nextInt(3_600)));
        if (!wellFormed) {
            switch (random.nextInt(7)) {
                case 0 -> report.setBranchId("nowhere-" + n);
                case 1 -> report.setConstituencyId(CONSTITUENCIES[(n + 2) % 3]);
                case 2 -> report.setBallotsCast(-1 - random.nextInt(3));
                case 3 -> report.setBallotsCast(MAX_BALLOTS + random.nextInt(2));
                case 4 -> report.setSequence(-1 - random.nextInt(1 << 20));
                case 5 -> report.setEventTime(NOON.plus(SKEW).plusMillis(random.nextInt(3) - 1));
                default -> report.setSequence(Long.MIN_VALUE + random.nextInt(3));
            }
        }
        return report.build();
    }

    /** Cut short, a byte more, or a few bytes of the body changed. */
    static byte[] damaged(Random random, byte[] value) {
        return switch (random.nextInt(3)) {
            case 0 -> Arrays.copyOf(value, 5 + random.nextInt(value.length - 5));
            case 1 -> Arrays.copyOf(value, value.length + 1);
            default -> {
                byte[] changed = value.clone();
                for (int k = 0; k <= random.nextInt(3); k++) changed[5 + random.nextInt(changed.length - 5)] = (byte) random.nextInt(256);
                yield changed;
            }
        };
    }

    static ConfluentSchemaCoder newerCoder;

    /** The event written with a newer schema: one more field, with a default (another schema id, the same data). */
    static byte[] newerSchema(ConnectivityEvent event) throws Exception {
        String v1 = ConnectivityEvent.getClassSchema().toString();
        Schema v2 = new Schema.Parser().parse(v1.substring(0, v1.lastIndexOf(']'))
                + ",{\"name\":\"gatewayNote\",\"type\":[\"null\",\"string\"],\"default\":null}]}");
        GenericRecord written = new GenericData.Record(v2);
        for (Schema.Field field : ConnectivityEvent.getClassSchema().getFields()) {
            Object value = event.get(field.name());
            if (value instanceof Instant instant) value = instant.toEpochMilli();
            else if (value instanceof Enum<?> symbol) value = new GenericData.EnumSymbol(v2.getField(field.name()).schema(), symbol.name());
            if (value != null && field.name().equals("link")) {
                Schema linkSchema = v2.getField("link").schema().getTypes().get(1);
                value = new GenericData.EnumSymbol(linkSchema, value.toString());
            }
            written.put(field.name(), value);
        }
        written.put("gatewayNote", "upgraded");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (newerCoder == null) newerCoder = new ConfluentSchemaCoder(REGISTRY.client(), Subjects.valueSubject(Topics.CONNECTIVITY));
        newerCoder.writeSchema(v2, out);
        BinaryEncoder body = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(v2).write(written, body);
        body.flush();
        return out.toByteArray();
    }
}
