package org.turnoutstream.influx;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.local.FreePorts;
import org.turnoutstream.testing.InfluxDbExtension;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN_MILLIS;

/** What audit, demo, bench and tests read back from InfluxDB: the points as written, typed, or a message that says why not. */
class InfluxReaderTest {
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();

    private static final long TEN_MINUTES_LATER = POLLS_OPEN_MILLIS + 600_000;

    @Test
    void readsThePointsBackTypedAsWrittenWithTheirTags() throws Exception {
        String db = influx.createDatabase("reader");
        influx.write(db, "constituency_turnout,election=r1,constituency=karaj ballots=1200i,turnout_pct=12.5,final=false,note=\"first\" " + POLLS_OPEN_MILLIS,
                "constituency_turnout,election=r1,constituency=karaj ballots=2400i,turnout_pct=25.5,final=true,note=\"second\" " + TEN_MINUTES_LATER,
                "constituency_turnout,election=r1,constituency=fardis ballots=900i,turnout_pct=9.75,final=true,note=\"only\" " + TEN_MINUTES_LATER);
        InfluxReader reader = new InfluxReader(influx.url(), null, null);

        List<InfluxReader.Series> series = reader.series(db,
                "SELECT ballots, turnout_pct, final, note FROM constituency_turnout WHERE election = 'r1' GROUP BY constituency");
        assertEquals(2, series.size());
        InfluxReader.Series karaj = series.stream().filter(s -> "karaj".equals(s.tags().get("constituency"))).findFirst().orElseThrow();
        assertEquals("constituency_turnout", karaj.measurement());
        assertEquals(List.of("time", "ballots", "turnout_pct", "final", "note"), karaj.columns());
        assertEquals(List.of(Arrays.asList(POLLS_OPEN_MILLIS, 1200L, 12.5, false, "first"), Arrays.asList(TEN_MINUTES_LATER, 2400L, 25.5, true, "second")),
                karaj.values());

        List<Map<String, Object>> rows = reader.query(db, "SELECT last(ballots) AS ballots FROM constituency_turnout GROUP BY constituency");
        assertEquals(List.of(Map.of("constituency", "fardis", "time", TEN_MINUTES_LATER, "ballots", 900L),
                Map.of("constituency", "karaj", "time", TEN_MINUTES_LATER, "ballots", 2400L)), rows);
        rows.get(0).put("source", "live"); // the audit labels the rows it reads

        assertTrue(reader.query(db, "SELECT ballots FROM national_turnout").isEmpty(), "a measurement with no points: no rows");
    }

    @Test
    void changesTheServerWithExecute() throws Exception {
        InfluxReader reader = new InfluxReader(influx.url(), null, null);
        reader.createDatabase("reader_created");
        assertTrue(reader.query(null, "SHOW DATABASES").stream().anyMatch(r -> "reader_created".equals(r.get("name"))));
        reader.execute("DROP DATABASE " + InfluxReader.identifier("reader_created"));
        assertFalse(reader.query(null, "SHOW DATABASES").stream().anyMatch(r -> "reader_created".equals(r.get("name"))));
    }

    @Test
    void aFailedStatementNamesItself() {
        InfluxReader reader = new InfluxReader(influx.url(), null, null);
        IOException missing = assertThrows(IOException.class, () -> reader.query("no_such_db", "SELECT ballots FROM national_turnout"));
        assertEquals("InfluxDB query `SELECT ballots FROM national_turnout` failed: database not found: no_such_db", missing.getMessage());
        IOException syntax = assertThrows(IOException.class, () -> reader.query(null, "SELEKT 1"));
        assertTrue(syntax.getMessage().startsWith("InfluxDB query `SELEKT 1` failed: HTTP 400 "), syntax.getMessage());
    }

    @Test
    void anUnreachableServerIsNamed() {
        String url = "http://127.0.0.1:" + FreePorts.pick();
        IOException e = assertThrows(IOException.class, () -> new InfluxReader(url, "auditor", "s3cret").query("turnout", "SELECT * FROM alerts"));
        assertTrue(e.getMessage().startsWith("InfluxDB at " + url + " cannot be reached"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"));
    }

    @Test
    void passwordsInStatementsAreMaskedInMessages() throws Exception {
        assertEquals("CREATE USER \"admin\" WITH PASSWORD '******' WITH ALL PRIVILEGES",
                InfluxReader.masked("CREATE USER \"admin\" WITH PASSWORD 'it\\'s secret' WITH ALL PRIVILEGES"));
        assertEquals("SET PASSWORD FOR \"admin\" = '******'", InfluxReader.masked("SET PASSWORD FOR \"admin\" = 'hunter2'"));
        String answer = "{\"results\":[{\"statement_id\":0,\"error\":\"user already exists\"}]}";
        IOException e = assertThrows(IOException.class,
                () -> InfluxReader.parse(new ObjectMapper().readTree(answer), "CREATE USER \"a\" WITH PASSWORD 'hunter2'"));
        assertEquals("InfluxDB query `CREATE USER \"a\" WITH PASSWORD '******'` failed: user already exists", e.getMessage());
    }

    @Test
    void quotesLiteralsAndIdentifiers() {
        assertEquals("'Eslamshahr\\'s \\\\ branch'", InfluxReader.literal("Eslamshahr's \\ branch"));
        assertEquals("\"turnout \\\"live\\\"\"", InfluxReader.identifier("turnout \"live\""));
    }

}
