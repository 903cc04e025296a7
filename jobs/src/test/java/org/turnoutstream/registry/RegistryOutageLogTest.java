package org.turnoutstream.registry;

import org.turnoutstream.testing.PortForwarder;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.local.FreePorts;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registry that goes away and comes back, as an operator reads it in the log: one line when it becomes unreachable
 * (not one per retry, per subtask or per restart), failures that make the job restart in one line each (no stack
 * trace, no cause chain), and one line when it answers again. The registry is the real one, reached through a port
 * that first has nothing behind it and then forwards to it.
 */
class RegistryOutageLogTest {
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    @Test
    void anOutageIsOneLineWhenItStartsOneLinePerFailureAndOneWhenItEnds() throws Exception {
        int id = REGISTRY.client().register("outage-log-value", TurnoutReport.getClassSchema());
        int port = FreePorts.pick();
        RegistryConfig config = RegistryConfig.of("http://127.0.0.1:" + port + "/apis/ccompat/v7").withRetryBudget(Duration.ofMillis(800));
        List<LogEvent> log = capture();

        // two subtasks' clients, each failing after several attempts
        for (int subtask = 0; subtask < 2; subtask++) {
            ConfluentRegistryClient client = new ConfluentRegistryClient(config);
            RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class, () -> client.schemaById(id));
            assertEquals(0, e.getStackTrace().length, "no stack trace to print at every restart");
            assertNull(e.getCause(), "no cause chain either: the message says what failed");
            assertTrue(e.getMessage().contains("unavailable after") && e.getMessage().contains("unreachable since")
                    && e.getMessage().contains(config.url()), e.getMessage());
        }
        List<String> warnings = lines(log, Level.WARN);
        assertEquals(1, warnings.size(), "one line when the outage starts: " + warnings);
        assertTrue(warnings.get(0).startsWith("schema registry " + config.url() + " unreachable ("), warnings.get(0));

        URI real = URI.create(REGISTRY.url());
        try (PortForwarder ignored = new PortForwarder(port, real.getPort())) {
            ConfluentRegistryClient client = new ConfluentRegistryClient(config);
            assertEquals(TurnoutReport.getClassSchema(), client.schemaById(id));
            client.schemaById(id);
            new ConfluentRegistryClient(config).schemaById(id);
        }
        List<String> infos = lines(log, Level.INFO);
        assertEquals(1, infos.size(), "one line when it answers again: " + infos);
        assertTrue(infos.get(0).startsWith("schema registry " + config.url() + " reachable again after "), infos.get(0));
        assertEquals(1, lines(log, Level.WARN).size(), "nothing more to warn about");
    }

    static List<LogEvent> capture() {
        List<LogEvent> events = new CopyOnWriteArrayList<>();
        AbstractAppender appender = new AbstractAppender("registry-outage-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                events.add(event.toImmutable());
            }
        };
        appender.start();
        Logger logger = (Logger) LogManager.getLogger(ConfluentRegistryClient.class);
        logger.addAppender(appender);
        return events;
    }

    static List<String> lines(List<LogEvent> events, Level level) {
        return events.stream().filter(e -> e.getLevel() == level).map(e -> e.getMessage().getFormattedMessage()).toList();
    }
}
