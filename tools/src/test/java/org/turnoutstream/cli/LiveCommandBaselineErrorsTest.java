package org.turnoutstream.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A baseline `turnout live` cannot use stops it before it starts: one line saying what is wrong, exit code 2, no stack trace. */
class LiveCommandBaselineErrorsTest {
    @TempDir Path work;

    private static final Path ALBORZ = Path.of(System.getProperty("turnout.repo.dir", "..")).resolve("reference/alborz-synthetic")
            .toAbsolutePath().normalize();

    private List<String> live(int expectedExit, String... baselineArgs) {
        StringWriter err = new StringWriter();
        CommandLine cli = TurnoutCli.commandLine(new String[0]);
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        List<String> args = new java.util.ArrayList<>(List.of("live", "--election", "r2=" + ALBORZ, "--state-dir", work.resolve("state").toString(),
                "--influx-url", "http://127.0.0.1:9", "--web-ui-port", "0"));
        args.addAll(List.of(baselineArgs));
        assertEquals(expectedExit, cli.execute(args.toArray(new String[0])), err.toString());
        // (the first line says which endpoints the command uses, as every run of `turnout live` does)
        List<String> lines = err.toString().lines().filter(l -> !l.isBlank() && !l.startsWith("endpoints: ")).toList();
        assertFalse(err.toString().contains("\tat org."), "no stack trace: " + err);
        return lines;
    }

    @Test
    void aMissingPollingTimeOrARowOrABadShareIsOneLine() throws Exception {
        assertEquals(List.of("turnout-live did not start: --baseline r2 needs --polls-open r2=TIME (e.g. 2024-03-08T08:00:00+03:30)"),
                live(2, "--baseline", "r2=round1.csv"));

        Path table = work.resolve("round1.csv");
        Files.writeString(table, "constituency_id,polls_open,polls_close,12:00,final\nalb-karaj,08:00,20:00,20,40\n");
        List<String> noRows = live(2, "--baseline", "r2=" + table, "--polls-open", "r2=2024-03-08T08:00:00+03:30",
                "--polls-close", "r2=2024-03-08T20:00:00+03:30");
        assertEquals(1, noRows.size(), noRows.toString());
        assertTrue(noRows.get(0).startsWith("turnout-live did not start: " + table + ": no row for 7 constituencies of election r2: alb-eshtehard"),
                noRows.get(0));

        assertEquals(List.of("turnout-live did not start: --projection-after 1.5: a share of the polling day, between 0 and 1"),
                live(2, "--baseline", "r2=" + table, "--projection-after", "1.5"));
    }
}
