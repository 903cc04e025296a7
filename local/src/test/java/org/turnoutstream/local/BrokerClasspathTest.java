package org.turnoutstream.local;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker runs on the classpath Maven resolved for services/: the Kafka server's own clients and Jackson, not the
 * versions the job uses (a version managed in the root POM would replace them there, and a 4.1 broker with 4.2 clients
 * creates topics whose partitions never get a leader).
 */
class BrokerClasspathTest {
    private static final Pattern JAR = Pattern.compile(".*/([a-z0-9_.-]+?)-(\\d[^/]*)\\.jar");

    @Test
    void theBrokerRunsWithTheClientsOfItsOwnRelease() throws Exception {
        Path classpath = Path.of(System.getProperty("turnout.services.dir", "../services/target")).resolve("kafka/classpath.txt");
        assertTrue(Files.isRegularFile(classpath), classpath + " (built by services/)");
        List<String> entries = Arrays.asList(Files.readString(classpath).trim().split(java.io.File.pathSeparator));
        String server = version(entries, "kafka_2.13");
        assertEquals(server, version(entries, "kafka-clients"), "kafka-clients on the broker's classpath");
        assertEquals(server, version(entries, "kafka-server"), "kafka-server on the broker's classpath");
    }

    private static String version(List<String> entries, String artifact) {
        for (String entry : entries) {
            Matcher m = JAR.matcher(entry);
            if (m.matches() && m.group(1).equals(artifact)) return m.group(2);
        }
        throw new AssertionError(artifact + " is not on the broker's classpath");
    }
}
