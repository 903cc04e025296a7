package org.turnoutstream.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * For the commands that print their own progress and summary (demo, stack, bench): the libraries' log lines (Kafka,
 * Flink, Pekko) are left out below ERROR, and, where the command reports the services itself, the local services' INFO
 * lines too. Under another logging backend than log4j, its configuration is left alone.
 */
final class QuietLogs {
    private QuietLogs() {}

    /** Kafka, Flink and Pekko log errors only. */
    static void libraries() {
        set("org.apache.kafka", Level.ERROR);
        set("org.apache.flink", Level.ERROR);
        set("org.apache.pekko", Level.ERROR);
    }

    /** {@link #libraries()}, and the local services (broker, registry, InfluxDB starts and stops) warn only. */
    static void librariesAndLocalServices() {
        libraries();
        set("org.turnoutstream.local", Level.WARN);
    }

    private static void set(String logger, Level level) {
        try {
            Configurator.setLevel(logger, level);
        } catch (LinkageError noLog4jCore) {
            // another logging backend: leave its configuration alone
        }
    }
}
