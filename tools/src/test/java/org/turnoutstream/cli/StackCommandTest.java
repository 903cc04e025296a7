package org.turnoutstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.local.LocalStack;
import org.turnoutstream.local.LocalStackState;
import picocli.CommandLine;

/** `turnout stack up`, `status`, `up` again, `down` in a temp work dir: detached processes, found again by pid. */
class StackCommandTest {

    @TempDir Path work;
    private LocalStackState state;

    private record Run(int exit, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TurnoutCli.commandLine(args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        System.out.println("$ turnout " + String.join(" ", args) + "\n" + out + err);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    @Timeout(240)
    void upStatusDown() throws Exception {
        Run up = run("stack", "up", "--work-dir", work.toString(), "--prometheus", "--prometheus-port", "0");
        assertEquals(0, up.exit(), up.err());
        state = LocalStackState.read(work).orElseThrow();
        assertEquals(List.of("kafka", "registry", "influxdb", "prometheus"), state.services().stream().map(LocalStackState.Service::name).toList());
        for (LocalStackState.Service s : state.services()) {
            assertTrue(up.out().contains(s.endpoint()), "endpoint printed: " + s.endpoint());
            assertTrue(ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false), s.name() + " running");
            assertTrue(s.port() > 0);
            // detached: not a child tied to this JVM through the watchdog
            assertFalse(ProcessHandle.of(s.pid()).orElseThrow().info().commandLine().orElse("").contains("ParentWatchdog"), s.name());
        }

        Run status = run("stack", "status", "--work-dir", work.toString());
        assertEquals(0, status.exit(), status.out());
        assertTrue(status.out().contains("all services healthy"));
        assertTrue(status.out().contains("branch.turnout-value"), "the schemas are registered");
        assertTrue(status.out().contains("ready; scrape targets in "), "Prometheus answers: " + status.out());

        // with the stack's Prometheus up, turnout live exports its metrics by default, for that Prometheus to scrape
        LocalStackDefaults defaults = new LocalStackDefaults(Map.of(), null, work);
        LiveCommand live = new LiveCommand();
        new CommandLine(live).setDefaultValueProvider(defaults).parseArgs("--election", "e=dir");
        assertEquals(LocalStackDefaults.STACK_METRICS_PORTS, live.options.metricsPort);
        assertEquals(state.endpoint("prometheus"), defaults.stackPrometheus().orElseThrow().endpoint());

        Run again = run("stack", "up", "--work-dir", work.toString());
        assertEquals(0, again.exit());
        assertTrue(again.out().contains("already up"), again.out());

        Run down = run("stack", "down", "--work-dir", work.toString());
        assertEquals(0, down.exit(), down.out());
        for (LocalStackState.Service s : state.services()) {
            assertFalse(ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false), s.name() + " gone");
        }
        assertFalse(Files.exists(LocalStackState.file(work)), "stack.json removed");
        assertEquals(3, run("stack", "status", "--work-dir", work.toString()).exit());
        state = null;
    }

    @AfterEach
    void stopLeftovers() {
        if (state != null) LocalStack.stop(state, java.time.Duration.ofSeconds(10), System.out::println);
    }
}
