package org.turnoutstream.config;

import org.junit.jupiter.api.Test;
import org.turnoutstream.local.FreePorts;
import org.turnoutstream.testing.CapturedLog;

import java.time.Duration;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kafka preflight without a broker: what it skips, what it lets pass with a warning (nothing answers, a name that
 * does not resolve yet) and what it refuses in one line without quoting the settings. A real SASL_SSL broker's refusals
 * are in SecuredElectionDayTest.
 */
class KafkaCredentialsTest {
    static Properties client(String protocol, String jaas) {
        Properties p = new Properties();
        p.setProperty("security.protocol", protocol);
        p.setProperty("sasl.mechanism", "SCRAM-SHA-512");
        if (jaas != null) p.setProperty("sasl.jaas.config", jaas);
        return p;
    }

    static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"turnout\" password=\"pw-42\";";

    @Test
    void aPlaintextClientIsNotCheckedAndASecuredOneThatNobodyAnswersOnlyWarns() {
        String nobody = "127.0.0.1:" + FreePorts.pick();
        try (CapturedLog log = CapturedLog.of(KafkaCredentials.class.getName())) {
            KafkaCredentials.check(nobody, new Properties(), Duration.ofSeconds(2));
            assertEquals(java.util.List.of(), log.lines(), "PLAINTEXT: nothing asked, nothing said");
            KafkaCredentials.check(nobody, client("SASL_PLAINTEXT", JAAS), Duration.ofSeconds(2));
            assertEquals(1, log.lines().size(), log.lines().toString());
            assertTrue(log.lines().get(0).startsWith("WARN Kafka at " + nobody + " did not answer over SASL_PLAINTEXT within 2 s; going on"
                    + " (if the broker is up, check security.protocol"), log.lines().toString());
        }
    }

    @Test
    void aHostThatDoesNotResolveYetOnlyWarns() {
        try (CapturedLog log = CapturedLog.of(KafkaCredentials.class.getName())) {
            KafkaCredentials.check("kafka.does-not-resolve.invalid:9093", client("SASL_SSL", JAAS), Duration.ofSeconds(2));
            assertEquals(java.util.List.of("WARN Kafka's bootstrap servers kafka.does-not-resolve.invalid:9093 do not resolve now; going on"), log.lines());
        }
    }

    @Test
    void aJaasSettingThatCannotBeParsedIsOneLineThatQuotesNoneOfIt() {
        KafkaCredentials.Refused refused = assertThrows(KafkaCredentials.Refused.class, () -> KafkaCredentials.check("127.0.0.1:9",
                client("SASL_SSL", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"turnout\" password=Secret1 Part2;"),
                Duration.ofSeconds(2)));
        assertEquals("sasl.jaas.config cannot be parsed (LoginModule class, then key=\"value\" pairs, ending with ;): check sasl.jaas.config"
                + " in --kafka-properties FILE (or --kafka-property)", refused.getMessage());
        assertFalse(refused.getMessage().contains("Secret1") || refused.getMessage().contains("Part2"));
    }

    @Test
    void theUserIsNamedFromTheJaasSetting() {
        assertEquals("user 'turnout'", KafkaCredentials.user(client("SASL_SSL", JAAS)));
        assertEquals("(no user: sasl.jaas.config is not set)", KafkaCredentials.user(client("SASL_SSL", null)));
        assertEquals("(no username in sasl.jaas.config)", KafkaCredentials.user(client("SASL_SSL",
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;")));
    }
}
