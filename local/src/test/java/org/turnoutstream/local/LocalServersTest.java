package org.turnoutstream.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalServersTest {
    /** Stands in for a server: blocks forever, like kafka.Kafka does. */
    public static final class SleepingServer {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(Long.MAX_VALUE); // the scenario: a server that never returns
        }
    }

    @Test
    void childExitsWhenItsParentIsGone(@TempDir Path dir) throws Exception {
        String testClasses = Path.of(SleepingServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        try (LocalProcess child = LocalProcess.launch("sleeper",
                LocalProcess.watchedJava(dir, List.of("-Xmx32m"), testClasses, SleepingServer.class.getName()),
                dir, dir.resolve("sleeper.log"))) {
            assertFalse(child.process().waitFor(1, TimeUnit.SECONDS), "runs while the parent is there; log:\n" + child.logTail());
            // what the OS does to the pipe when the parent JVM is killed
            child.process().getOutputStream().close();
            assertTrue(child.process().waitFor(15, TimeUnit.SECONDS), "child outlived its parent; log:\n" + child.logTail());
            assertTrue(child.logTail().contains("parent process gone"), child.logTail());
        }
    }

    @Test
    void registryStartsAnswersAndStopsIdempotently(@TempDir Path dir) throws Exception {
        SchemaRegistryServer registry = SchemaRegistryServer.start(dir, 0);
        try {
            assertTrue(registry.isAlive());
            assertTrue(registry.url().startsWith("http://127.0.0.1:" + registry.port() + "/apis/ccompat/v7"));
            HttpResponse<String> subjects = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(registry.url() + "/subjects")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, subjects.statusCode());
            assertEquals("[]", subjects.body().trim());
        } finally {
            registry.close();
            registry.close();
        }
        assertFalse(registry.isAlive());
        assertFalse(ProcessHandle.of(registry.pid()).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void missingServicesDirSaysHowToBuildIt() {
        String saved = System.getProperty(ServicesHome.PROPERTY);
        System.setProperty(ServicesHome.PROPERTY, "/nonexistent/turnout/services/target");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, ServicesHome::locate);
            assertTrue(e.getMessage().contains("mvn -pl services generate-resources"), e.getMessage());
        } finally {
            if (saved == null) {
                System.clearProperty(ServicesHome.PROPERTY);
            } else {
                System.setProperty(ServicesHome.PROPERTY, saved);
            }
        }
        assertTrue(ServicesHome.kafkaClasspathFile().toFile().isFile());
        assertTrue(ServicesHome.apicurioRunnerJar().toFile().isFile());
    }
}
