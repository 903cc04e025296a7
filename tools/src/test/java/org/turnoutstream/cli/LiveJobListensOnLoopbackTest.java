package org.turnoutstream.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Safe by default, as an operator would check it with {@code ss -ltnp}: {@code turnout live} (its own JVM, against the
 * real broker, registry and influxd) says once that it is RUNNING, with its job id, the web UI's URL and what it reads
 * and writes; the web UI answers there; and every socket (the Prometheus metrics endpoint's among them) the process listens on is bound to the loopback interface
 * (Flink's REST API accepts job and jar submission without authentication). The process logs as {@code TURNOUT_LOG_FORMAT=json}
 * makes it (the log4j configuration the {@code ./turnout} script then names): one JSON object per line.
 */
class LiveJobListensOnLoopbackTest {
    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();

    @TempDir Path work;

    @Test
    void theJobSaysWhereItsWebUiIsAndListensOnLoopbackOnly() throws Exception {
        Election election = ReferenceGenerator.generate(ReferenceGenerator.Params.national().withElectionId("2024-loopback-r1")
                .withBranches(20).withConstituencies(2).withProvinces(1).withEligibleVoters(20_000L).validate());
        ReferenceGenerator.write(election, work.resolve("reference"));
        for (String topic : List.of("loopback.turnout", "loopback.connectivity")) kafka.createTopic(topic, 1);
        for (String topic : List.of("loopback.dlq", "loopback.alerts")) kafka.createTopic(topic, 1);
        String database = influx.createDatabase("loopback");
        List<String> args = new ArrayList<>(List.of("live", "--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.url(),
                "--influx-url", influx.url(), "--influx-database", database, "--election", "2024-loopback-r1=" + work.resolve("reference"),
                "--turnout-topic", "loopback.turnout", "--connectivity-topic", "loopback.connectivity", "--dlq-topic", "loopback.dlq",
                "--alerts-topic", "loopback.alerts", "--group-id", "loopback", "--state-dir", work.resolve("state").toString(),
                "--web-ui-port", "0", "--metrics-port", "0", "--parallelism", "1"));
        LiveJobKilledAndRestartedTest.LiveProcess job = LiveJobKilledAndRestartedTest.LiveProcess.start(
                List.of("-Dlog4j2.configurationFile=log4j2-json.properties"), args, work.resolve("live.log"));
        try {
            assertTrue(job.awaitLog("turnout-live is RUNNING: job [0-9a-f]{32}; web UI http://127\\.0\\.0\\.1:\\d+;", Duration.ofSeconds(90)), job.tail());
            String log = Files.readString(work.resolve("live.log"));
            Matcher running = Pattern.compile("turnout-live is RUNNING: job ([0-9a-f]{32}); web UI (http://127\\.0\\.0\\.1:(\\d+)); metrics http://127\\.0\\.0\\.1:(\\d+)/metrics; (.*)").matcher(log);
            assertTrue(running.find());
            assertEquals(1, Pattern.compile("is RUNNING: job").matcher(log).results().count(), "said once");
            // JSON logs: every log line an ECS object; the RUNNING line among them at INFO
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            int objects = 0;
            boolean runningLine = false;
            for (String line : log.split("\n")) {
                if (!line.startsWith("{")) continue;
                com.fasterxml.jackson.databind.JsonNode event = json.readTree(line);
                objects++;
                assertTrue(event.hasNonNull("@timestamp") && event.hasNonNull("log.level") && event.hasNonNull("message"), line);
                if (event.get("message").asText().startsWith("turnout-live is RUNNING: job " + running.group(1))) {
                    runningLine = "INFO".equals(event.get("log.level").asText());
                }
            }
            assertTrue(objects > 5 && runningLine, objects + " JSON log lines; the RUNNING line among them at INFO:\n" + log);
            assertFalse(log.contains(" INFO  LiveCommand - "), "no text log lines");
            assertTrue(running.group(5).startsWith("reads loopback.turnout and loopback.connectivity from Kafka " + kafka.bootstrapServers()
                    + " (group loopback"), running.group(5));
            assertTrue(running.group(5).contains("database " + database + ", dead letters to loopback.dlq, alerts to loopback.alerts"), running.group(5));

            HttpResponse<String> overview = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(running.group(2) + "/jobs/overview"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, overview.statusCode());
            assertTrue(overview.body().contains(running.group(1)) && overview.body().contains("RUNNING"), overview.body());

            List<java.net.InetSocketAddress> listening = listeningAddresses(job.pid());
            assertTrue(listening.contains(new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(running.group(3)))),
                    "the web UI's socket: " + listening);
            assertTrue(listening.contains(new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(running.group(4)))),
                    "the metrics endpoint's socket (--metrics-port): " + listening);
            for (java.net.InetSocketAddress address : listening) {
                assertTrue(address.getAddress().isLoopbackAddress(), "turnout live listens beyond loopback on " + address + " (all: " + listening + ")");
            }
        } finally {
            job.kill();
        }
    }

    /**
     * The local addresses of the process's listening TCP sockets, as {@code ss -ltnp} shows them: its socket inodes
     * ({@code /proc/PID/fd}) matched against the listening entries of {@code /proc/net/tcp} and {@code tcp6}.
     */
    static List<java.net.InetSocketAddress> listeningAddresses(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        List<java.net.InetSocketAddress> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (!"0A".equals(f[3]) || !inodes.contains(f[9])) continue; // 0A: LISTEN
                addresses.add(address(f[1]));
            }
        }
        return addresses;
    }

    /** "0100007F:1F91" (a little-endian IPv4) or 32 hex digits (IPv6, four little-endian words) and a port, as /proc/net/tcp* write them. */
    static java.net.InetSocketAddress address(String hexAddressAndPort) {
        String[] parts = hexAddressAndPort.split(":");
        int port = Integer.parseInt(parts[1], 16);
        String hex = parts[0];
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            long w = Long.parseLong(hex.substring(word * 8, word * 8 + 8), 16);
            for (int b = 0; b < 4; b++) bytes[word * 4 + b] = (byte) (w >> (8 * b));
        }
        try {
            return new java.net.InetSocketAddress(java.net.InetAddress.getByAddress(bytes), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
