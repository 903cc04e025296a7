package org.turnoutstream;

import org.turnoutstream.cli.LiveCommand;
import org.turnoutstream.cli.LocalStackDefaults;
import picocli.CommandLine;

/**
 * Main class of the job jar, for {@code flink run turnout-jobs-*-job.jar --election ... --bootstrap-servers ...}:
 * the live turnout job with the same options as {@code turnout live}.
 */
public final class TurnoutJob {
    private TurnoutJob() {}

    public static void main(String[] args) {
        int exit = new CommandLine(new LiveCommand())
                .setDefaultValueProvider(LocalStackDefaults.forArgs(args, System.getenv()))
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
        if (exit != 0) throw new IllegalArgumentException("turnout-live did not start (exit code " + exit + "); see the messages above");
    }
}
