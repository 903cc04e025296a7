package org.turnoutstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.registry.ConfluentRegistryClient;
import org.turnoutstream.registry.Subjects;
import org.turnoutstream.local.FreePorts;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.SchemaRegistryExtension;
import picocli.CommandLine;

class RegisterSchemasCommandTest {
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    private static final String TURNOUT_SUBJECT = Subjects.valueSubject(Topics.TURNOUT);
    private static final String CONNECTIVITY_SUBJECT = Subjects.valueSubject(Topics.CONNECTIVITY);
    private static final String ALERTS_SUBJECT = Subjects.valueSubject(Topics.ALERTS);

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    @AfterEach
    void emptySubjects() {
        REGISTRY.resetSubject(TURNOUT_SUBJECT);
        REGISTRY.resetSubject(CONNECTIVITY_SUBJECT);
        REGISTRY.resetSubject(ALERTS_SUBJECT);
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new RegisterSchemasCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void registersAllThreeSubjects() {
        assertEquals(0, run("--registry-url", REGISTRY.url()), err.toString());

        ConfluentRegistryClient client = REGISTRY.client();
        int turnoutId = client.lookup(TURNOUT_SUBJECT, TurnoutReport.getClassSchema()).orElseThrow();
        int connectivityId = client.lookup(CONNECTIVITY_SUBJECT, ConnectivityEvent.getClassSchema()).orElseThrow();
        int alertsId = client.lookup(ALERTS_SUBJECT, BranchAlert.getClassSchema()).orElseThrow();
        assertEquals("branch.alerts-value", ALERTS_SUBJECT);
        String printed = out.toString();
        assertTrue(printed.contains(ALERTS_SUBJECT + ": registered org.turnoutstream.schemas.BranchAlert as id " + alertsId), printed);
        assertTrue(printed.contains(TURNOUT_SUBJECT + ": registered org.turnoutstream.schemas.TurnoutReport as id " + turnoutId), printed);
        assertTrue(printed.contains(CONNECTIVITY_SUBJECT + ": registered org.turnoutstream.schemas.ConnectivityEvent as id " + connectivityId), printed);
        assertEquals(3, printed.lines().count(), printed);

        assertEquals(0, run("--registry-url", REGISTRY.url()), "registering again is a no-op: " + err);
        assertEquals(0, run("--registry-url", REGISTRY.url(), "--check-only"), err.toString());
    }

    @Test
    void checkOnlyDetectsAnIncompatibleChange() {
        // someone registered a TurnoutReport without constituencyId; the deployed jobs cannot read that
        Schema v1 = TurnoutReport.getClassSchema();
        Schema withoutConstituency = Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false,
                v1.getFields().stream()
                        .filter(f -> !f.name().equals("constituencyId"))
                        .map(f -> new Schema.Field(f, f.schema()))
                        .collect(java.util.stream.Collectors.toList()));
        assertFalse(withoutConstituency.toString().contains("constituencyId"), "fixture edit applied");
        ConfluentRegistryClient client = REGISTRY.client();
        client.register(TURNOUT_SUBJECT, withoutConstituency); // first version: no rule to pass yet
        client.setCompatibility(TURNOUT_SUBJECT, "BACKWARD");

        assertEquals(1, run("--registry-url", REGISTRY.url(), "--check-only"));
        assertTrue(out.toString().contains(TURNOUT_SUBJECT + ": INCOMPATIBLE"), out.toString());
        assertTrue(out.toString().contains(CONNECTIVITY_SUBJECT + ": compatible"), out.toString());
        assertTrue(out.toString().contains(ALERTS_SUBJECT + ": compatible"), out.toString());
        assertEquals(Optional.empty(), client.lookup(CONNECTIVITY_SUBJECT, ConnectivityEvent.getClassSchema()),
                "check-only registers nothing");

        assertEquals(1, run("--registry-url", REGISTRY.url()), "registering is refused too");
        assertTrue(err.toString().contains("INCOMPATIBLE"), err.toString());
        assertEquals(Optional.empty(), client.lookup(TURNOUT_SUBJECT, TurnoutReport.getClassSchema()));
    }

    @Test
    void unreachableRegistryExitsWithTwo() {
        String nowhere = "http://127.0.0.1:" + FreePorts.pick() + "/apis/ccompat/v7";
        assertEquals(2, run("--registry-url", nowhere, "--registry-retry-seconds", "1"));
        assertTrue(err.toString().contains("unreachable"), err.toString());
    }

    @Test
    void passwordNeverPrinted() {
        run("--registry-url", "http://127.0.0.1:" + FreePorts.pick(), "--registry-user", "ops",
                "--registry-password", "s3cret-ballot", "--registry-retry-seconds", "0");
        assertFalse(out.toString().contains("s3cret-ballot") || err.toString().contains("s3cret-ballot"), err.toString());
    }
}
