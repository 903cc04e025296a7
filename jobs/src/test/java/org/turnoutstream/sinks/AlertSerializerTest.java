package org.turnoutstream.sinks;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.functions.Alerts;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.testing.SchemaRegistryExtension;
import org.turnoutstream.workflows.LiveTurnoutJob;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AlertSerializerTest {
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();

    static final long T = 1_709_276_400_000L;

    @Test
    void branchAlertsAreKeyedByBranchConstituencyAlertsByConstituencyValuesInTheConfluentWireFormat() throws Exception {
        AlertSerializer serializer = new AlertSerializer("branch.alerts.ser", registry.config());
        BranchAlert outage = Alerts.branch("2024-majlis-r1", AlertKind.OUTAGE_STARTED, "alb-karaj-0001", "karaj",
                AlertReason.HEARTBEAT_TIMEOUT, T, null, "down");
        BranchAlert degraded = Alerts.constituency("2024-majlis-r1", AlertKind.CONSTITUENCY_RECOVERED, "karaj",
                AlertReason.RECOVERED, T, T + 60_000, "recovered");

        ProducerRecord<byte[], byte[]> a = serializer.serialize(outage, null, null);
        ProducerRecord<byte[], byte[]> b = serializer.serialize(degraded, null, null);
        assertEquals("branch.alerts.ser", a.topic());
        assertEquals("alb-karaj-0001", new String(a.key(), StandardCharsets.UTF_8));
        assertEquals("karaj", new String(b.key(), StandardCharsets.UTF_8));
        assertEquals(0, a.value()[0], "Confluent magic byte");

        ConfluentAvroDecoder<BranchAlert> decoder = ConfluentAvroDecoder.forClass(registry.config(), BranchAlert.class);
        assertEquals(outage, decoder.decode(a.value()));
        assertEquals(degraded, decoder.decode(b.value()));
        assertEquals(BranchAlert.getClassSchema(), registry.client().latestSchema("branch.alerts.ser-value").orElseThrow());
    }

    @Test
    void theAlertSinkIsExactlyOnceWithATransactionTimeoutTheBrokerAccepts() {
        JobOptions defaults = JobOptions.of();
        assertEquals("branch.connectivity", defaults.connectivityTopic);
        assertEquals("branch.alerts", defaults.alertsTopic);
        assertEquals("turnout-alerts", defaults.transactionalIdPrefix);
        assertEquals(Duration.ofMinutes(10), defaults.transactionTimeout);
        assertEquals(Duration.ofSeconds(60), defaults.heartbeatTimeout);
        assertEquals(0.3, defaults.degradedShare);
        assertNotNull(LiveTurnoutJob.alertSink(defaults, registry.config()));
        assertEquals(DeliveryGuarantee.EXACTLY_ONCE, LiveTurnoutJob.alertDeliveryGuarantee(defaults));
        assertEquals(DeliveryGuarantee.AT_LEAST_ONCE, LiveTurnoutJob.alertDeliveryGuarantee(
                JobOptions.of("--checkpoint-interval", "0")));

        JobOptions tooLong = JobOptions.of("--transaction-timeout", "20m");
        assertThrows(IllegalArgumentException.class, () -> LiveTurnoutJob.alertSink(tooLong, registry.config()));
    }
}
