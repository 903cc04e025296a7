package org.turnoutstream.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceDataException;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.reference.ReferenceGenerator.Params;
import org.turnoutstream.reference.ReferenceGenerator.Preset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code generate-reference}: writes SYNTHETIC constituencies.csv and branches.csv for tests and load runs. */
@Command(name = "generate-reference", mixinStandardHelpOptions = true,
        description = {
            "Writes SYNTHETIC reference data (constituencies.csv, branches.csv) into a directory.",
            "Every branch declares its eligible voters (its constituency's, split with random weights 0.6-1.4).",
            "Deterministic: the same options and seed give identical files. Totals are exact."
        })
public final class GenerateReferenceCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write into (created if needed).")
    Path out;

    @Option(names = "--preset", paramLabel = "national|alborz", converter = PresetConverter.class,
            description = "national (default: 60000 branches, 200 constituencies, 60000000 eligible voters, 31 provinces)"
                    + " or alborz (8 named constituencies of Alborz, 2700 branches, 2100000 eligible voters).")
    Preset preset = Preset.NATIONAL;

    @Option(names = "--branches", paramLabel = "N", description = "Number of branches (default: the preset's).")
    Integer branches;

    @Option(names = "--constituencies", paramLabel = "N", description = "Number of constituencies (default: the preset's).")
    Integer constituencies;

    @Option(names = "--eligible-voters", paramLabel = "N", description = "Total eligible voters (default: the preset's).")
    Long eligibleVoters;

    @Option(names = "--provinces", paramLabel = "N", description = "Number of provinces (default: the preset's).")
    Integer provinces;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = ReferenceGenerator.DEFAULT_SEED;

    static final class PresetConverter implements CommandLine.ITypeConverter<Preset> {
        @Override
        public Preset convert(String value) {
            try {
                return Preset.fromName(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Override
    public Integer call() {
        Params params = Params.of(preset);
        try {
            if (branches != null) params = params.withBranches(branches);
            if (constituencies != null) params = params.withConstituencies(constituencies);
            if (eligibleVoters != null) params = params.withEligibleVoters(eligibleVoters);
            if (provinces != null) params = params.withProvinces(provinces);
            params = params.withSeed(seed).validate();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        long start = System.nanoTime();
        Election generated = ReferenceGenerator.generateTo(params, out);
        // read back what was written: the files must load exactly like the data we generated
        Election loaded;
        try {
            loaded = Election.load("check", out);
        } catch (ReferenceDataException e) {
            spec.commandLine().getErr().println("generated files do not load: " + e.getMessage());
            return 1;
        }
        if (!loaded.branches().equals(generated.branches()) || loaded.eligibleVoters() != generated.eligibleVoters()) {
            spec.commandLine().getErr().println("generated files do not round-trip");
            return 1;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        PrintWriter w = spec.commandLine().getOut();
        w.printf(java.util.Locale.ROOT, "preset %s, seed %d (SYNTHETIC data)%n", params.preset(), params.seed());
        w.printf(java.util.Locale.ROOT, "wrote %s: %,d constituencies in %,d province(s), %,d eligible voters%n",
                out.resolve(Election.CONSTITUENCIES_FILE), loaded.constituencies().size(),
                loaded.provinces().size(), loaded.eligibleVoters());
        w.printf(java.util.Locale.ROOT, "wrote %s: %,d branches (%,.0f eligible voters per branch on average) in %d ms%n",
                out.resolve(Election.BRANCHES_FILE), loaded.branchCount(),
                loaded.branchCount() == 0 ? 0.0 : (double) loaded.eligibleVoters() / loaded.branchCount(), millis);
        w.flush();
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new GenerateReferenceCommand()).execute(args));
    }
}
