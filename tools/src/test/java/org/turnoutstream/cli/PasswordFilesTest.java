package org.turnoutstream.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tools take the registry password from a file too; a mistake there is a usage error in one line, not a stack trace. */
class PasswordFilesTest {
    @TempDir Path work;

    private String run(int expectedExit, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = TurnoutCli.commandLine(new String[0]);
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        assertEquals(expectedExit, cli.execute(args), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
        return err.toString();
    }

    @Test
    void registerSchemasAndSimulateSayWhatIsWrongWithThePasswordFile() throws Exception {
        Path secret = work.resolve("registry-password");
        Files.writeString(secret, "s3cret-registry\n");
        String both = run(2, "register-schemas", "--registry-url", "http://127.0.0.1:9", "--registry-user", "u", "--registry-password", "x",
                "--registry-password-file", secret.toString());
        assertTrue(both.contains("--registry-password and --registry-password-file both given: give one"), both);
        assertFalse(both.contains("s3cret-registry"), both);

        Path alborz = Path.of(System.getProperty("turnout.repo.dir", "..")).resolve("reference/alborz-synthetic").toAbsolutePath();
        String missing = run(2, "simulate", "--election", "r1=" + alborz, "--bootstrap-servers", "127.0.0.1:9", "--registry-url",
                "http://127.0.0.1:9", "--registry-user", "u", "--registry-password-file", work.resolve("nope").toString());
        assertTrue(missing.contains("--registry-password-file " + work.resolve("nope") + " cannot be read: NoSuchFileException"), missing);
    }
}
