package org.turnoutstream.cli;

import java.util.ArrayList;
import java.util.List;
import org.turnoutstream.config.TurnoutDefaults;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Says which Kafka, registry and InfluxDB endpoints a command uses and where each came from. */
final class Endpoints {
    private Endpoints() {}

    private static final String[][] ENDPOINTS = {
        {"--bootstrap-servers", "Kafka"}, {"--registry-url", "registry"}, {"--influx-url", "InfluxDB"}};

    /** e.g. {@code endpoints: Kafka 127.0.0.1:4242 (local stack), registry http://... (flag)}; null when the command has none. */
    static String describe(CommandSpec spec) {
        CommandLine cl = spec.commandLine();
        LocalStackDefaults defaults = cl.getDefaultValueProvider() instanceof LocalStackDefaults d ? d : null;
        List<String> parts = new ArrayList<>();
        boolean fromStack = false;
        for (String[] e : ENDPOINTS) {
            OptionSpec option = spec.findOption(e[0]);
            if (option == null) continue;
            String key = e[0].substring(2);
            String source;
            if (cl.getParseResult() != null && cl.getParseResult().hasMatchedOption(e[0])) source = "flag";
            else if (System.getenv(TurnoutDefaults.environmentName(e[0])) != null) source = "env " + TurnoutDefaults.environmentName(e[0]);
            else if (defaults != null && defaults.servedFromStack().contains(key)) { source = "local stack"; fromStack = true; }
            else source = "default or config file";
            parts.add(e[1] + " " + option.getValue() + " (" + source + ")");
        }
        if (parts.isEmpty()) return null;
        String line = "endpoints: " + String.join(", ", parts);
        if (fromStack) line += "; local stack from " + defaults.stackFile();
        else if (defaults != null && defaults.stackFile() == null) line += "; no running local stack found (`turnout stack up` starts one)";
        return line;
    }
}
