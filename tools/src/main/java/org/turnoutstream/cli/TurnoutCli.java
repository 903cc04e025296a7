package org.turnoutstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Map;

/** The `turnout` command line: one entry point for the jobs and the tools around them. */
@Command(name = "turnout", mixinStandardHelpOptions = true, version = "turnout-stream 0.1.0",
        description = "Turnout Stream: live election turnout and branch connectivity on Kafka, Flink and InfluxDB.",
        subcommands = {DemoCommand.class, StackCommand.class, LiveCommand.class, SimulateCommand.class, BenchCommand.class,
                RegisterSchemasCommand.class, AlertsCommand.class,
                ArchiveCommand.class, ReplayCommand.class, AuditCommand.class,
                GenerateReferenceCommand.class, CommandLine.HelpCommand.class})
public class TurnoutCli {

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }

    public static CommandLine commandLine(String[] args) {
        return commandLine(args, System.getenv());
    }

    /** The command line with the defaults of {@code environment} ({@code TURNOUT_*}, {@code TURNOUT_CONFIG}, {@code TURNOUT_STACK_DIR}). */
    public static CommandLine commandLine(String[] args, Map<String, String> environment) {
        return new CommandLine(new TurnoutCli())
                .setDefaultValueProvider(LocalStackDefaults.forArgs(args, environment))
                .setCaseInsensitiveEnumValuesAllowed(true);
    }
}
