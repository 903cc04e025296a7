package org.turnoutstream.cli;
import org.turnoutstream.reference.Election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.cli.GenerateReferenceCommand;
import picocli.CommandLine;

class ReferenceGenerateCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = new CommandLine(new GenerateReferenceCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        return cmd.execute(args);
    }

    @Test
    void writesAndReportsAlborz(@TempDir Path dir) {
        assertEquals(0, run("--out", dir.toString(), "--preset", "alborz"), err.toString());
        assertTrue(out.toString().contains("8 constituencies in 1 province(s), 2,100,000 eligible voters"), out.toString());
        assertTrue(out.toString().contains("2,700 branches"), out.toString());
        Election e = Election.load("x", dir);
        assertEquals(2_700, e.branchCount());
    }

    @Test
    void customNationalSizes(@TempDir Path dir) {
        assertEquals(0, run("--out", dir.toString(), "--preset", "NATIONAL", "--branches", "150", "--constituencies", "40",
                "--eligible-voters", "2500000", "--provinces", "10", "--seed", "5"), err.toString());
        Election e = Election.load("x", dir);
        assertEquals(150, e.branchCount());
        assertEquals(40, e.constituencies().size());
        assertEquals(10, e.provinces().size());
        assertEquals(2_500_000, e.eligibleVoters());
    }

    @Test
    void usageErrors(@TempDir Path dir) {
        assertEquals(2, run("--preset", "alborz"));
        assertTrue(err.toString().contains("--out"), err.toString());
        assertEquals(2, run("--out", dir.toString(), "--preset", "tehran"));
        assertTrue(err.toString().contains("unknown preset 'tehran'"), err.toString());
        assertEquals(2, run("--out", dir.toString(), "--preset", "alborz", "--constituencies", "3"));
        assertTrue(err.toString().contains("preset alborz has exactly 8 constituencies"), err.toString());
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("generate-reference"));
    }
}
