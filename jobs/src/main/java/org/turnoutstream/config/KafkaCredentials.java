package org.turnoutstream.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks Kafka once, before a job or a tool starts, whether it accepts the clients' TLS and SASL settings. A refused
 * password is not retriable: a job would fail in its sources' enumerators and restart over and over, a tool would print
 * a stack trace. Refused here, it is one line that names the user (never the password) and what to check. Only clients
 * with security settings are checked (PLAINTEXT has nothing to refuse); a broker that does not answer, or a host name
 * that does not resolve yet, is not an error here (a job waits for it, as in an outage): a warning says so, with the
 * likely cause.
 */
public final class KafkaCredentials {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCredentials.class);
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");
    private static final String CHECK_JAAS = "check sasl.jaas.config in --kafka-properties FILE (or --kafka-property)";

    private KafkaCredentials() {}

    /** Kafka refused the client's credentials, its SASL or TLS handshake failed, or the settings are unusable; the message is the one line to show. */
    public static final class Refused extends IllegalArgumentException {
        Refused(String message) {
            super(message);
        }
    }

    /** {@link #check(String, Properties)} with the options' bootstrap servers and client properties. */
    public static void check(JobOptions options) {
        check(options.bootstrapServers, options.kafkaClientProperties());
    }

    /**
     * Connects with {@code client}'s settings (its security protocol, SASL and TLS settings) to {@code bootstrapServers}
     * and describes the cluster: {@link Refused} when authentication fails.
     */
    public static void check(String bootstrapServers, Properties client) {
        check(bootstrapServers, client, TIMEOUT);
    }

    static void check(String bootstrapServers, Properties client, Duration timeout) {
        String protocol = client.getProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT").trim().toUpperCase(Locale.ROOT);
        if (protocol.equals("PLAINTEXT")) return;
        Properties props = new Properties();
        props.putAll(client);
        // no reporters: KafkaReachability would call a refused password an unreachable cluster
        props.remove(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "turnout-credentials-check");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        String mechanism = client.getProperty("sasl.mechanism", "GSSAPI");
        try (Admin admin = Admin.create(props)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis())).clusterId()
                    .get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SaslAuthenticationException) {
                throw new Refused("Kafka at " + bootstrapServers + " refused the credentials of " + user(client) + " (" + mechanism
                        + " over " + protocol + ": " + cause.getMessage() + "): " + CHECK_JAAS);
            }
            if (cause instanceof SslAuthenticationException) {
                throw new Refused("the TLS handshake with Kafka at " + bootstrapServers + " failed (" + rootMessage(cause)
                        + "): check ssl.truststore.location (the CA that signed the broker's certificate) and that the broker's"
                        + " certificate names the host in --bootstrap-servers");
            }
            if (cause instanceof AuthenticationException) {
                // e.g. a mechanism the broker does not enable, or SASL against a listener without it
                throw new Refused("Kafka at " + bootstrapServers + " refused the " + protocol + " handshake of " + user(client) + " ("
                        + mechanism + ": " + cause.getMessage() + "): check security.protocol and sasl.mechanism against the broker's listener");
            }
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                noAnswer(bootstrapServers, protocol, timeout);
                return;
            }
            LOG.warn("could not check Kafka's credentials at {}: {}", bootstrapServers, cause == null ? e.getMessage() : cause.getMessage());
        } catch (TimeoutException e) {
            noAnswer(bootstrapServers, protocol, timeout); // (the admin client's own timeout comes first, as an ExecutionException)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka's credentials", e);
        } catch (KafkaException e) {
            String message = rootMessage(e);
            if (message.contains("No resolvable bootstrap urls")) {
                // DNS not there yet (e.g. a Service name at a pod's start): the job's clients keep trying, as in an outage
                LOG.warn("Kafka's bootstrap servers {} do not resolve now; going on", bootstrapServers);
                return;
            }
            if (message.toLowerCase(Locale.ROOT).contains("jaas")) {
                // Kafka's JAAS parser quotes pieces of the value, which may be the password: a fixed line instead
                throw new Refused("sasl.jaas.config cannot be parsed (LoginModule class, then key=\"value\" pairs, ending with ;): " + CHECK_JAAS);
            }
            throw new Refused("cannot connect to Kafka at " + bootstrapServers + " with the given settings: " + message);
        }
    }

    private static void noAnswer(String bootstrapServers, String protocol, Duration timeout) {
        LOG.warn("Kafka at {} did not answer over {} within {} s; going on (if the broker is up, check security.protocol in"
                + " --kafka-properties against its listener)", bootstrapServers, protocol, timeout.toSeconds());
    }

    /** {@code user 'NAME'} from a JAAS configuration's {@code username="NAME"}, else what is missing. */
    static String user(Properties client) {
        String jaas = client.getProperty("sasl.jaas.config");
        if (jaas == null) return "(no user: sasl.jaas.config is not set)";
        Matcher m = USERNAME.matcher(jaas);
        return m.find() ? "user '" + m.group(1) + "'" : "(no username in sasl.jaas.config)";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + root.getMessage();
    }
}
