package org.turnoutstream.cli;

import org.turnoutstream.cli.TurnoutCli;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The turnout command line run in the test's JVM, as a user would type it. */
public final class Cli {
    private Cli() {}

    /** Runs {@code turnout args...}, asserts its exit code, returns its standard output and error together. */
    public static String run(int expectedCode, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = TurnoutCli.commandLine(args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int code = cli.execute(args);
        assertEquals(expectedCode, code, String.join(" ", args) + "\n" + out);
        return out.toString();
    }
}
