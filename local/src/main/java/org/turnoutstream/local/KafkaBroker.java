package org.turnoutstream.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka broker in a child JVM, built from the Maven artifacts the services
 * module resolved. For local runs and integration tests only: one replica; without security, or with a
 * SASL_SSL client listener ({@link SaslSsl}) as a production broker would have.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final LocalProcess process;
    private final String bootstrapServers;

    private KafkaBroker(LocalProcess process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats a fresh log directory under {@code workDir}, starts the broker and waits until it
     * answers a describe-cluster request.
     *
     * @param port the PLAINTEXT port, 0 for a free one
     */
    public static KafkaBroker start(Path workDir, int port) throws IOException {
        return start(workDir, port, false);
    }

    /**
     * As {@link #start(Path, int)}; a log directory formatted by an earlier run is reused (so a stopped
     * broker restarts on its data). Detached, the broker outlives this JVM (see {@link LocalProcess}).
     */
    public static KafkaBroker start(Path workDir, int port, boolean detached) throws IOException {
        return start(workDir, port, detached, null);
    }

    /**
     * The client listener's security: TLS with the server key and chain in {@code keystore} (PKCS12, one password for the
     * store and the key) and SASL with SCRAM-SHA-512, whose users (name to password) are created when the log directory
     * is formatted. The broker's own traffic (inter-broker, controller, its readiness check here) stays on plaintext
     * listeners bound to 127.0.0.1, which no client is given.
     */
    public record SaslSsl(Path keystore, String keystorePassword, Map<String, String> scramUsers) {
        public SaslSsl {
            for (Map.Entry<String, String> user : scramUsers.entrySet()) {
                // StorageTool's --add-scram syntax: SCRAM-SHA-512=[name=N,password=P]
                if ((user.getKey() + user.getValue()).matches(".*[,\\[\\]=\"].*")) {
                    throw new IllegalArgumentException("a SCRAM user name or password here may not contain , [ ] = or \"");
                }
            }
        }
    }

    /**
     * As {@link #start(Path, int, boolean)}; with {@code saslSsl}, {@code port} is the SASL_SSL client listener's and
     * {@link #bootstrapServers()} names it. Its users are created only when the log directory is formatted (the first start).
     */
    public static KafkaBroker start(Path workDir, int port, boolean detached, SaslSsl saslSsl) throws IOException {
        Files.createDirectories(workDir);
        int brokerPort = port == 0 ? FreePorts.pick() : port;
        int controllerPort = FreePorts.pick(); // never the broker's (FreePorts gives a port once)
        int internalPort = saslSsl == null ? brokerPort : FreePorts.pick();
        String classpath = Files.readString(ServicesHome.kafkaClasspathFile(), StandardCharsets.UTF_8).trim();
        Path config = workDir.resolve("server.properties");
        writeConfig(config, workDir.resolve("data"), brokerPort, controllerPort, internalPort, saslSsl);

        if (!Files.exists(workDir.resolve("data").resolve("meta.properties"))) format(workDir, classpath, config, saslSsl);

        LocalProcess process = LocalProcess.launch("kafka-broker",
                LocalProcess.java(detached, workDir,
                        List.of("-Xmx512m", "-XX:+UseSerialGC", "-Dkafka.logs.dir=" + workDir.resolve("logs")),
                        classpath, "kafka.Kafka", config.toString()),
                workDir, workDir.resolve("kafka.log"), detached);
        String bootstrap = "127.0.0.1:" + brokerPort;
        try {
            awaitReady(process, "127.0.0.1:" + internalPort);
        } catch (RuntimeException | IOException e) {
            process.close();
            throw e;
        }
        if (saslSsl != null) LOG.info("Kafka broker's SASL_SSL (SCRAM-SHA-512) listener at {}", bootstrap);
        return new KafkaBroker(process, bootstrap);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
    }

    public Path logFile() {
        return process.logFile();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the broker; safe to call more than once. */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers + ", pid " + process.pid() + "]";
    }

    private static void writeConfig(Path config, Path dataDir, int brokerPort, int controllerPort, int internalPort, SaslSsl saslSsl)
            throws IOException {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        if (saslSsl == null) {
            p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
            p.setProperty("inter.broker.listener.name", "PLAINTEXT");
            p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        } else {
            p.setProperty("listeners", "CLIENT://127.0.0.1:" + brokerPort + ",INTERNAL://127.0.0.1:" + internalPort
                    + ",CONTROLLER://127.0.0.1:" + controllerPort);
            // the inter-broker listener must be advertised (transaction markers go through it, even on one node)
            p.setProperty("advertised.listeners", "CLIENT://127.0.0.1:" + brokerPort + ",INTERNAL://127.0.0.1:" + internalPort);
            p.setProperty("inter.broker.listener.name", "INTERNAL");
            p.setProperty("listener.security.protocol.map", "CLIENT:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.setProperty("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.setProperty("listener.name.client.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            p.setProperty("ssl.keystore.type", "PKCS12");
            p.setProperty("ssl.keystore.location", saslSsl.keystore().toAbsolutePath().toString());
            p.setProperty("ssl.keystore.password", saslSsl.keystorePassword());
            p.setProperty("ssl.key.password", saslSsl.keystorePassword());
        }
        p.setProperty("log.dirs", dataDir.toString());
        p.setProperty("num.partitions", "1");
        // one node: every internal topic must live with a single replica
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("min.insync.replicas", "1");
        // tests create consumer groups constantly; the default 3 s delay only slows them down
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", "false");
        // Record timestamps are when the centre heard a branch; simulated and replayed days carry the times of
        // their own (past or future) day. Time-based retention would delete a past day minutes after it was
        // written, and Kafka 4 refuses timestamps more than an hour ahead: keep everything, accept any time.
        p.setProperty("log.retention.ms", "-1");
        p.setProperty("log.message.timestamp.before.max.ms", Long.toString(Long.MAX_VALUE));
        p.setProperty("log.message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE));
        try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            p.store(out, "local single-node broker for Turnout Stream");
        }
    }

    private static void format(Path workDir, String classpath, Path config, SaslSsl saslSsl) throws IOException {
        Path log = workDir.resolve("kafka-format.log");
        List<String> command = new ArrayList<>(List.of(LocalProcess.javaExecutable(), "-Xmx256m", "-XX:+UseSerialGC", "-cp", classpath,
                "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
        if (saslSsl != null) {
            saslSsl.scramUsers().forEach((name, password) ->
                    command.addAll(List.of("--add-scram", "SCRAM-SHA-512=[name=" + name + ",password=" + password + "]")));
        }
        LocalProcess format = LocalProcess.launch("kafka-storage-format", command, workDir, log);
        try {
            if (!format.process().waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IOException("formatting the Kafka log dir took over " + READY_TIMEOUT.toSeconds()
                        + " s; log tail:\n" + format.logTail());
            }
            int exit = format.process().exitValue();
            if (exit != 0) {
                throw new IOException("formatting the Kafka log dir failed (exit " + exit + "); log tail:\n" + format.logTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while formatting the Kafka log dir", e);
        } finally {
            format.close();
        }
    }

    private static void awaitReady(LocalProcess process, String bootstrap) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        try (Admin admin = Admin.create(props)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException("Kafka broker exited with code " + process.process().exitValue()
                            + " while starting; log tail (" + process.logFile() + "):\n" + process.logTail());
                }
                try {
                    int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000))
                            .nodes().get(4, TimeUnit.SECONDS).size();
                    if (nodes > 0) {
                        LOG.info("Kafka broker ready at {}", bootstrap);
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException notYet) {
                    // the broker is still starting: keep polling until the deadline
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the Kafka broker", e);
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("Kafka broker at " + bootstrap + " not ready within "
                            + READY_TIMEOUT.toSeconds() + " s; log tail (" + process.logFile() + "):\n" + process.logTail());
                }
                LocalProcess.pause(200);
            }
        }
    }
}
