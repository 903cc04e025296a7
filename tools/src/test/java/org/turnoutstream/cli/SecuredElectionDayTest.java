package org.turnoutstream.cli;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.influx.InfluxReader;
import org.turnoutstream.local.InfluxDb;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.simulator.GroundTruth;
import org.turnoutstream.sinks.DeadLetterSerializer;
import org.turnoutstream.testing.BasicAuthProxy;
import org.turnoutstream.testing.CapturedLog;
import org.turnoutstream.testing.SaslSslKafka;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15: a short election day on servers configured as an HQ runs them, every part of the pipeline through them with
 * its passwords in files: a Kafka broker with a SASL_SSL listener only (SCRAM-SHA-512 users, a throwaway CA and
 * certificate), {@code influxd} with {@code auth-enabled} and a non-admin user with rights on the job's databases only, the
 * registry behind basic auth (an authenticating proxy: Apicurio 2.6 checks Basic credentials only through an OIDC server).
 * {@code register-schemas}, {@code simulate}, {@code turnout live} (its own JVM, web UI and metrics on), {@code alerts
 * tail}, {@code replay} and {@code audit} all work, and the numbers are the simulator's ground truth. Afterwards no
 * password is in any log line, the metrics, the Flink REST API's job configuration, a dead letter or alert (headers
 * included) or the replay and audit reports. A wrong password is one clear line, for each command, and changes nothing.
 */
class SecuredElectionDayTest {
    static final String ELECTION = "2024-secure-r1";
    static final String TURNOUT = "sec.branch.turnout", CONNECTIVITY = "sec.branch.connectivity", DLQ = "sec.turnout.dlq",
            ALERTS = "sec.branch.alerts", REPLAY_ALERTS = "sec.branch.alerts.replay";
    static final String KAFKA_ADMIN = "hq-admin", KAFKA_ADMIN_PASSWORD = "adm1n-K4fka-secret";
    static final String KAFKA_USER = "turnout", KAFKA_PASSWORD = "k4fka-Turnout-pw!";
    static final String JOB_USER = "turnout_job";
    static final String INFLUX_PASSWORD = "w-S3cret!pass 1";   // a space: read from its file as it is
    static final String REGISTRY_PASSWORD = "r3gistry-Pass-21";

    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();

    @TempDir static Path work;
    static SaslSslKafka kafka;
    static InfluxDb influx;
    static BasicAuthProxy proxy;
    static String registryUrl, liveDatabase, auditDatabase;
    static Path reference, kafkaProperties, influxPasswordFile, registryPasswordFile;
    static GroundTruth truth;
    /** What an operator or an attacker could read after the day: name -> text. */
    static final Map<String, String> readable = new LinkedHashMap<>();
    static String auditOutput;

    @BeforeAll
    static void aDayOnSecuredServers() throws Exception {
        kafka = SaslSslKafka.start(work.resolve("kafka"), Map.of(KAFKA_ADMIN, KAFKA_ADMIN_PASSWORD, KAFKA_USER, KAFKA_PASSWORD), KAFKA_ADMIN);
        kafka.createTopics(2, TURNOUT, CONNECTIVITY);
        kafka.createTopics(1, DLQ, ALERTS, REPLAY_ALERTS);
        influx = InfluxDb.start(work.resolve("influxd"), 0, true);
        InfluxReader admin = influx.reader();
        liveDatabase = "turnout_sec";
        auditDatabase = "turnout_sec_audit";
        admin.createDatabase(liveDatabase);
        admin.createDatabase(auditDatabase);
        admin.execute("CREATE USER " + JOB_USER + " WITH PASSWORD " + InfluxReader.literal(INFLUX_PASSWORD));
        for (String db : List.of(liveDatabase, auditDatabase)) admin.execute("GRANT ALL ON " + InfluxReader.identifier(db) + " TO " + JOB_USER);
        proxy = BasicAuthProxy.start(registry.url(), JOB_USER, REGISTRY_PASSWORD);
        registryUrl = proxy.url(registry.url());

        kafkaProperties = kafka.writeClientProperties(work.resolve("kafka-client.properties"), KAFKA_USER, KAFKA_PASSWORD);
        influxPasswordFile = Files.writeString(work.resolve("influx-password"), INFLUX_PASSWORD + "\n");
        registryPasswordFile = Files.writeString(work.resolve("registry-password"), REGISTRY_PASSWORD + "\n");
        Election election = ReferenceGenerator.generate(ReferenceGenerator.Params.national().withElectionId(ELECTION)
                .withBranches(30).withConstituencies(3).withProvinces(2).withEligibleVoters(30_000L).validate());
        reference = work.resolve("reference");
        ReferenceGenerator.write(election, reference);

        verboseLibraryLogs(true); // what the libraries log at INFO too (Kafka's client configuration, Flink's), greppped below
        try (CapturedLog log = CapturedLog.of("")) {
            readable.put("register-schemas", Cli.run(0, "register-schemas", "--registry-url", registryUrl, "--registry-user", JOB_USER,
                    "--registry-password-file", registryPasswordFile.toString()));
            Path truthFile = work.resolve("truth.json");
            readable.put("simulate", Cli.run(0, "simulate", "--election", ELECTION + "=" + reference, "--bootstrap-servers", kafka.bootstrapServers(),
                    "--kafka-properties", kafkaProperties.toString(), "--registry-url", registryUrl, "--registry-user", JOB_USER,
                    "--registry-password-file", registryPasswordFile.toString(), "--turnout-topic", TURNOUT, "--connectivity-topic", CONNECTIVITY,
                    "--polls-open", "08:00", "--polls-close", "08:40", "--max", "--seed", "15", "--duplicate-rate", "0.05", "--late-rate", "0.03",
                    "--malformed-rate", "0.05", "--outage-rate", "0.3", "--truth", truthFile.toString(), "--progress-interval", "1h"));
            truth = GroundTruth.read(truthFile);
            readable.put("in-process log (register-schemas, simulate)", String.join("\n", log.lines()));
        }

        Path infoLogging = Files.writeString(work.resolve("log4j2-info.properties"), String.join("\n", "rootLogger.level = INFO",
                "rootLogger.appenderRef.console.ref = Console", "appender.console.type = Console", "appender.console.name = Console",
                "appender.console.layout.type = PatternLayout", "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n%throwable"));
        LiveJobKilledAndRestartedTest.LiveProcess job = LiveJobKilledAndRestartedTest.LiveProcess.start(
                List.of("-Dlog4j2.configurationFile=" + infoLogging), live(kafkaProperties, "--state-dir", work.resolve("state").toString(), "--web-ui-port", "0", "--metrics-port", "0"), work.resolve("live.log"));
        try {
            assertTrue(job.awaitLog("turnout-live is RUNNING: job [0-9a-f]{32}; web UI http://127\\.0\\.0\\.1:\\d+; metrics http", Duration.ofSeconds(120)),
                    job.tail());
            Matcher running = Pattern.compile("is RUNNING: job ([0-9a-f]{32}); web UI (http://127\\.0\\.0\\.1:\\d+); metrics (http://127\\.0\\.0\\.1:\\d+/metrics);")
                    .matcher(Files.readString(work.resolve("live.log")));
            assertTrue(running.find());
            String jobId = running.group(1), webUi = running.group(2), metrics = running.group(3);
            // the day is counted to its end: the national total of the ground truth
            await("the national total of the day").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> nationalBallots() == truth.national().ballots());
            long expectedLetters = malformed();
            await("the dead letters").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> kafka.consumeAll(DLQ, true, Duration.ofMillis(300)).size() >= expectedLetters);
            readable.put("REST /jobs/<id>/config", get(webUi + "/jobs/" + jobId + "/config"));
            readable.put("REST /jobs/<id>/jobmanager/config", get(webUi + "/jobs/" + jobId + "/jobmanager/config"));
            readable.put("REST /jobmanager/config", get(webUi + "/jobmanager/config"));
            readable.put("REST /jobs/<id>", get(webUi + "/jobs/" + jobId));
            readable.put("REST /taskmanagers", get(webUi + "/taskmanagers"));
            readable.put("metrics", get(metrics));
        } finally {
            job.kill();
        }
        readable.put("live job log", Files.readString(work.resolve("live.log")));

        try (CapturedLog log = CapturedLog.of("")) {
            readable.put("alerts tail", Cli.run(0, "alerts", "tail", "--bootstrap-servers", kafka.bootstrapServers(), "--kafka-properties",
                    kafkaProperties.toString(), "--registry-url", registryUrl, "--registry-user", JOB_USER, "--registry-password-file",
                    registryPasswordFile.toString(), "--alerts-topic", ALERTS, "--from-beginning", "--max", "1", "--timeout", "60s"));
            List<String> replay = new ArrayList<>(List.of("replay"));
            replay.addAll(jobArgs(kafkaProperties, "--influx-database", liveDatabase, "--audit-database", auditDatabase, "--run-id", "sec-1",
                    "--replay-alerts-topic", REPLAY_ALERTS, "--transactional-id-prefix", "sec-1", "--checkpoint-interval", "1s",
                    "--report", work.resolve("replay-sec-1.json").toString(),
                    "--from", java.time.Instant.parse(truth.pollsOpen()).minusSeconds(3600).toString(),
                    "--to", java.time.Instant.parse(truth.pollsClose()).plusSeconds(7200).toString()));
            readable.put("replay", Cli.run(0, replay.toArray(new String[0])));
            List<String> audit = new ArrayList<>(List.of("audit"));
            audit.addAll(jobArgs(kafkaProperties, "--influx-database", liveDatabase, "--replay-report", work.resolve("replay-sec-1.json").toString(),
                    "--out", work.resolve("audit-sec-1").toString()));
            auditOutput = Cli.run(0, audit.toArray(new String[0]));
            readable.put("audit", auditOutput);
            readable.put("in-process log (alerts tail, replay, audit)", String.join("\n", log.lines()));
        }
        verboseLibraryLogs(false);
        readable.put("replay report", Files.readString(work.resolve("replay-sec-1.json")));
        try (Stream<Path> files = Files.walk(work.resolve("audit-sec-1"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) readable.put("audit report " + f.getFileName(), Files.readString(f));
        }
        readable.put("dead letters", records(DLQ));
        readable.put("alerts", records(ALERTS));
        readable.put("replay alerts", records(REPLAY_ALERTS));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) proxy.close();
        if (influx != null) influx.close();
        if (kafka != null) kafka.close();
    }

    @Test
    void everyPartWorksThroughTheSecuredServersAndCountsTheDayExactly() throws Exception {
        assertEquals(truth.national().ballots(), nationalBallots(), "the live job's national total is the ground truth");
        assertTrue(truth.national().ballots() > 0);
        assertTrue(readable.get("register-schemas").contains("registered"), readable.get("register-schemas"));
        assertTrue(readable.get("simulate").contains("sent "), readable.get("simulate"));
        long malformed = malformed();
        assertTrue(malformed > 0, "the day had malformed records: " + truth.faultsInjected());
        assertEquals(malformed, kafka.consumeAll(DLQ, true, Duration.ofMillis(300)).size(), "each malformed record one dead letter");
        assertTrue(readable.get("alerts tail").contains("  " + ELECTION + "  branch "), readable.get("alerts tail"));
        assertTrue(readable.get("replay").contains("replay sec-1 done"), readable.get("replay"));
        assertTrue(auditOutput.contains("AUDIT PASSED") && auditOutput.contains(" 0 unexplained"), auditOutput);
    }

    @Test
    void noPasswordIsInAnyLogMetricRestConfigDeadLetterOrReport() {
        Map<String, String> secrets = Map.of("Kafka user's password", KAFKA_PASSWORD, "Kafka admin's password", KAFKA_ADMIN_PASSWORD,
                "InfluxDB password", INFLUX_PASSWORD, "registry password", REGISTRY_PASSWORD, "TLS store password", kafka.tls().password(),
                "InfluxDB admin password", influx.admin().orElseThrow().password());
        List<String> found = new ArrayList<>();
        readable.forEach((where, text) -> secrets.forEach((what, secret) -> {
            for (String form : forms(secret)) if (text.contains(form)) found.add(what + " (as `" + form + "`) in " + where);
        }));
        assertEquals(List.of(), found);
        // and the places were read at all: a test that greps nothing cannot fail
        assertTrue(readable.get("REST /jobs/<id>/config").contains("\"execution-config\""), readable.get("REST /jobs/<id>/config"));
        assertTrue(readable.get("metrics").contains("flink_taskmanager_job_task_operator"), "metrics scraped");
        assertTrue(readable.get("live job log").contains("turnout-live is RUNNING")
                && readable.get("live job log").contains("sasl.jaas.config = [hidden]"), "the live job's log, at INFO, with Kafka's client settings");
        assertTrue(readable.get("in-process log (register-schemas, simulate)").contains("sasl.jaas.config = [hidden]"),
                "the simulator's Kafka client settings were logged, the JAAS configuration masked");
        assertTrue(readable.get("dead letters").contains(DeadLetterSerializer.REASON), readable.get("dead letters").lines().findFirst().orElse(""));
        assertTrue(readable.get("audit report audit.json").contains("\"pointsCompared\""));
        assertTrue(readable.keySet().containsAll(List.of("replay report", "audit report audit.html", "alerts", "in-process log (alerts tail, replay, audit)")));
    }

    @Test
    void aWrongPasswordIsOneClearLineForEachCommandAndChangesNothing() throws Exception {
        long before = nationalBallots();
        Path wrongKafka = kafka.writeClientProperties(work.resolve("wrong-kafka.properties"), KAFKA_USER, "not-the-password-9");
        String refused = "Kafka at " + kafka.bootstrapServers() + " refused the credentials of user 'turnout'";

        // the live job as an operator starts it (its own JVM, the CLI's logging): the whole output is the refusal
        LiveJobKilledAndRestartedTest.LiveProcess wrongLive = LiveJobKilledAndRestartedTest.LiveProcess.start(
                live(wrongKafka, "--state-dir", work.resolve("state-wrong").toString()), work.resolve("live-wrong.log"));
        assertEquals(2, wrongLive.awaitExit(Duration.ofSeconds(90)), wrongLive.tail());
        String wrongLiveLog = Files.readString(work.resolve("live-wrong.log"));
        assertOneLine(wrongLiveLog, "turnout-live did not start: " + refused); // on stderr; the log has it too
        List<String> warnings = wrongLiveLog.lines().filter(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (WARN|ERROR) .*")).toList();
        assertTrue(warnings.size() <= 3, "the refusal, Kafka's own line for the failed authentication: " + wrongLiveLog);
        assertFalse(wrongLiveLog.contains("unreachable"), wrongLiveLog);
        assertEquals(1, wrongLiveLog.lines().filter(l -> l.contains("failed authentication due to")).count(), "one attempt, no retries: " + wrongLiveLog);

        // the Kafka clients' own line for each failed authentication: one attempt each
        List<String> clientLines = logDuring(() -> {
            assertOneLine(Cli.run(2, simulate(wrongKafka, registryPasswordFile)), "simulate: " + refused);
            assertOneLine(Cli.run(2, "alerts", "tail", "--bootstrap-servers", kafka.bootstrapServers(), "--kafka-properties", wrongKafka.toString(),
                    "--registry-url", registryUrl, "--registry-user", JOB_USER, "--registry-password-file", registryPasswordFile.toString(),
                    "--alerts-topic", ALERTS, "--max", "1", "--timeout", "10s"), "alerts tail: " + refused);
            List<String> replay = new ArrayList<>(List.of("replay"));
            replay.addAll(jobArgs(kafkaProperties, "--influx-database", liveDatabase, "--audit-database", auditDatabase, "--run-id", "sec-wrong",
                    "--replay-alerts-topic", REPLAY_ALERTS, "--report", work.resolve("replay-sec-wrong.json").toString(), "--from", truth.pollsOpen(),
                    "--kafka-property", "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"turnout\" password=\"nope-nope\";"));
            assertOneLine(Cli.run(2, replay.toArray(new String[0])), "replay: " + refused);
            List<String> audit = new ArrayList<>(List.of("audit"));
            audit.addAll(jobArgs(wrongKafka, "--influx-database", liveDatabase, "--replay-report", work.resolve("replay-sec-1.json").toString(),
                    "--out", work.resolve("audit-wrong").toString()));
            assertOneLine(Cli.run(2, audit.toArray(new String[0])), "audit: " + refused);
        });
        assertFalse(Files.exists(work.resolve("audit-wrong")), "no report from an audit that did not run");
        assertEquals(4, clientLines.stream().filter(l -> l.contains("failed authentication due to: Authentication failed")).count(),
                "one authentication attempt each (simulate, alerts tail, replay, audit), no retries: " + clientLines);

        // a mechanism the broker does not enable: refused in one line too, not a warning (the job would restart over and over)
        Path otherMechanism = work.resolve("scram-256.properties");
        Files.writeString(otherMechanism, Files.readString(kafkaProperties).replace("SCRAM-SHA-512", "SCRAM-SHA-256"));
        assertOneLine(Cli.run(2, live(otherMechanism, "--state-dir", work.resolve("state-wrong").toString()).toArray(new String[0])),
                "turnout-live did not start: Kafka at " + kafka.bootstrapServers() + " refused the SASL_SSL handshake of user 'turnout' (SCRAM-SHA-256");

        // the registry's password: register-schemas and simulate
        Path wrongRegistry = Files.writeString(work.resolve("wrong-registry-password"), "not-the-registry-password\n");
        assertOneLine(Cli.run(2, "register-schemas", "--registry-url", registryUrl, "--registry-user", JOB_USER, "--registry-password-file",
                wrongRegistry.toString()), "register-schemas: schema registry at " + registryUrl + " refused the credentials of user 'turnout_job' (HTTP 401)");
        assertOneLine(Cli.run(2, simulate(kafkaProperties, wrongRegistry)),
                "simulate: schema registry at " + registryUrl + " refused the credentials of user 'turnout_job' (HTTP 401)");

        // and a replay with the registry's wrong password: one line before anything is read or written
        List<String> replayWrongRegistry = new ArrayList<>(List.of("replay"));
        replayWrongRegistry.addAll(jobArgs(kafkaProperties, "--influx-database", liveDatabase, "--audit-database", auditDatabase,
                "--run-id", "sec-wrong-registry", "--replay-alerts-topic", REPLAY_ALERTS, "--from", truth.pollsOpen(),
                "--report", work.resolve("replay-sec-wrong-registry.json").toString()));
        replayWrongRegistry.set(replayWrongRegistry.indexOf(registryPasswordFile.toString()), wrongRegistry.toString());
        assertOneLine(Cli.run(2, replayWrongRegistry.toArray(new String[0])),
                "replay: schema registry at " + registryUrl + " refused the credentials of user 'turnout_job' (HTTP 401)");
        assertFalse(Files.exists(work.resolve("replay-sec-wrong-registry.json")), "no report from a replay that did not run");

        // a replay into a database the job's (non-admin) user may not create: one line saying what an admin must do
        List<String> replayNoRights = new ArrayList<>(List.of("replay"));
        replayNoRights.addAll(jobArgs(kafkaProperties, "--influx-database", liveDatabase, "--audit-database", "turnout_sec_not_granted",
                "--run-id", "sec-no-rights", "--replay-alerts-topic", REPLAY_ALERTS, "--from", truth.pollsOpen(),
                "--report", work.resolve("replay-sec-no-rights.json").toString()));
        assertOneLine(Cli.run(2, replayNoRights.toArray(new String[0])), "replay: InfluxDB at " + influx.url()
                + " does not let this user create database turnout_sec_not_granted (no admin rights), and it has no read rights on it"
                + " if it exists: as an admin, CREATE DATABASE \"turnout_sec_not_granted\" and GRANT ALL ON \"turnout_sec_not_granted\" TO the user");
        assertFalse(Files.exists(work.resolve("replay-sec-no-rights.json")), "no report from a replay that did not run");

        // TLS: a client that trusts another CA than the one that signed the broker's certificate
        org.turnoutstream.testing.TlsMaterial otherCa = org.turnoutstream.testing.TlsMaterial.generate(work.resolve("other-ca"), "other-ca-pw");
        List<String> tls = logDuring(() -> assertOneLine(Cli.run(2, simulate(kafkaProperties, registryPasswordFile,
                        "--kafka-property", "ssl.truststore.location=" + otherCa.truststore(), "--kafka-property", "ssl.truststore.password=" + otherCa.password())),
                "simulate: the TLS handshake with Kafka at " + kafka.bootstrapServers() + " failed"));
        assertEquals(1, tls.stream().filter(l -> l.contains("failed authentication due to: SSL handshake failed")).count(), "one TLS attempt: " + tls);

        assertEquals(before, nationalBallots(), "nothing was counted or sent");
        assertEquals(malformed(), kafka.consumeAll(DLQ, true, Duration.ofMillis(300)).size(), "no dead letter more");
    }

    /**
     * The ways a password could be written out: as it is, URL-encoded, escaped as a properties file writes it, in an
     * HTTP Basic header (Base64 of user:password, for the users that log in with it), and its longest run of letters and
     * digits when that mixes both (a password cut or quoted differently).
     */
    static List<String> forms(String secret) {
        List<String> forms = new ArrayList<>(List.of(secret, java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8),
                secret.replace("!", "\\!").replace(" ", "\\ ")));
        for (String user : List.of(JOB_USER, KAFKA_USER, KAFKA_ADMIN, "admin")) {
            forms.add(java.util.Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        String core = "";
        for (String run : secret.split("[^A-Za-z0-9]+")) if (run.length() > core.length()) core = run;
        if (core.length() >= 6 && core.matches(".*\\d.*") && core.matches(".*[A-Za-z].*")) forms.add(core); // not a plain word
        return forms;
    }

    /** The command's output has the line, once, and no stack trace or other exception text. */
    static void assertOneLine(String output, String linePrefix) {
        List<String> matching = output.lines().filter(l -> l.startsWith(linePrefix)).toList();
        assertEquals(1, matching.size(), () -> "one line starting with '" + linePrefix + "' in:\n" + output);
        assertFalse(output.contains("\tat ") || output.contains("Exception in thread"), output);
        for (String secret : List.of(KAFKA_PASSWORD, REGISTRY_PASSWORD, "not-the-password-9", "not-the-registry-password", "nope-nope")) {
            assertFalse(output.contains(secret), "no password in:\n" + output);
        }
    }

    // ---- helpers

    /** `turnout simulate` of the test's election (seed 16: not sent when refused) with these Kafka settings and registry password. */
    static String[] simulate(Path kafkaClientProperties, Path registryPassword, String... extra) {
        List<String> args = new ArrayList<>(List.of("simulate", "--election", ELECTION + "=" + reference, "--bootstrap-servers", kafka.bootstrapServers(),
                "--kafka-properties", kafkaClientProperties.toString(), "--registry-url", registryUrl, "--registry-user", JOB_USER,
                "--registry-password-file", registryPassword.toString(), "--turnout-topic", TURNOUT, "--connectivity-topic", CONNECTIVITY,
                "--polls-open", "08:00", "--polls-close", "08:40", "--max", "--seed", "16"));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    /** Every log line (all loggers) written while {@code body} ran. */
    static List<String> logDuring(Runnable body) {
        try (CapturedLog log = CapturedLog.of("")) {
            body.run();
            return log.lines();
        }
    }

    /** `turnout live` with every password in a file (Kafka's in its client properties). */
    static List<String> live(Path kafkaClientProperties, String... extra) {
        List<String> args = new ArrayList<>(List.of("live", "--kafka-properties", kafkaClientProperties.toString()));
        args.addAll(jobArgs(null, "--influx-database", liveDatabase, "--group-id", "sec-live", "--transactional-id-prefix", "sec-live",
                "--checkpoint-interval", "2s", "--quiet-feed-after", "3s"));
        args.addAll(List.of(extra));
        return args;
    }

    /** The job's options, with every password in a file; Kafka's in {@code kafkaClientProperties} (null: given by the caller). */
    static List<String> jobArgs(Path kafkaClientProperties, String... extra) {
        List<String> args = new ArrayList<>();
        if (kafkaClientProperties != null) args.addAll(List.of("--kafka-properties", kafkaClientProperties.toString()));
        args.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers(),
                "--registry-url", registryUrl, "--registry-user", JOB_USER, "--registry-password-file", registryPasswordFile.toString(),
                "--influx-url", influx.url(), "--influx-user", JOB_USER, "--influx-password-file", influxPasswordFile.toString(),
                "--election", ELECTION + "=" + reference, "--turnout-topic", TURNOUT, "--connectivity-topic", CONNECTIVITY,
                "--dlq-topic", DLQ, "--alerts-topic", ALERTS, "--max-clock-skew", "0", "--correction-horizon", "1h", "--parallelism", "2"));
        args.addAll(List.of(extra));
        return args;
    }

    /** Kafka's and Flink's loggers at INFO (their configuration dumps), or back to the tests' WARN. */
    static void verboseLibraryLogs(boolean verbose) {
        for (String logger : List.of("org.apache.kafka", "org.apache.flink")) {
            org.apache.logging.log4j.core.config.Configurator.setLevel(logger, verbose ? org.apache.logging.log4j.Level.INFO : org.apache.logging.log4j.Level.WARN);
        }
    }

    /** The records the simulator made bad on purpose: each must be one dead letter. */
    static long malformed() {
        long n = 0;
        for (org.turnoutstream.simulator.FaultKind kind : org.turnoutstream.simulator.FaultKind.MALFORMED) n += truth.faultsInjected().getOrDefault(kind.name(), 0L);
        return n;
    }

    static long nationalBallots() throws IOException {
        List<Map<String, Object>> rows = influx.reader().query(liveDatabase, "SELECT ballots FROM national_turnout WHERE election = '"
                + ELECTION + "' ORDER BY time DESC LIMIT 1");
        return rows.isEmpty() ? -1 : ((Number) rows.get(0).get("ballots")).longValue();
    }

    /** Every record of the topic as text: headers (key=value) and the value's bytes as ISO-8859-1 (any password would show). */
    static String records(String topic) {
        StringBuilder text = new StringBuilder();
        for (ConsumerRecord<byte[], byte[]> r : kafka.consumeAll(topic, false, Duration.ofMillis(300))) {
            for (Header h : r.headers()) text.append(h.key()).append('=').append(h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8)).append(' ');
            if (r.key() != null) text.append(new String(r.key(), StandardCharsets.ISO_8859_1)).append(' ');
            if (r.value() != null) text.append(new String(r.value(), StandardCharsets.ISO_8859_1));
            text.append('\n');
        }
        return text.toString();
    }

    static String get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return response.body();
    }
}
