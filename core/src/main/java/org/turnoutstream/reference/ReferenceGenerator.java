package org.turnoutstream.reference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Generates SYNTHETIC reference data (constituencies and branches) and writes it as the two CSV files
 * {@link Election#load} reads. Deterministic: the same parameters and seed give byte-identical files.
 *
 * <p>Totals are exact: the constituencies' eligible voters sum to the requested total and there are
 * exactly the requested number of branches (every constituency gets at least one). Sizes vary like a real
 * country: each province has one big urban constituency (its capital, 35-60% of the province) and several
 * smaller, more rural ones; urban branches serve more voters (about 1,200-1,900) than rural ones
 * (about 550-1,100). Every branch declares its eligible voters: its constituency's, split over its branches with
 * random weights of 0.6 to 1.4 (so they add up to exactly the constituency's).
 *
 * <p>Presets: {@link Preset#NATIONAL} (defaults 60,000 branches, 200 constituencies, 60,000,000 eligible
 * voters, 31 provinces named after Iran's, with rough population shares) and {@link Preset#ALBORZ}
 * (8 constituencies named after places of Alborz province, 2,100,000 eligible voters, 2,700 branches).
 * None of the figures are real election data.
 */
public final class ReferenceGenerator {
    private ReferenceGenerator() {}

    public static final int DEFAULT_BRANCHES = 60_000;
    public static final int DEFAULT_CONSTITUENCIES = 200;
    public static final long DEFAULT_ELIGIBLE_VOTERS = 60_000_000L;
    public static final int DEFAULT_PROVINCES = 31;
    public static final long DEFAULT_SEED = 1403L;

    public static final int ALBORZ_BRANCHES = 2_700;
    public static final long ALBORZ_ELIGIBLE_VOTERS = 2_100_000L;

    public enum Preset {
        NATIONAL, ALBORZ;

        /** {@code national} or {@code alborz}, any case. */
        public static Preset fromName(String name) {
            for (Preset p : values()) {
                if (p.name().equalsIgnoreCase(name.strip())) return p;
            }
            throw new IllegalArgumentException("unknown preset '" + name + "' (expected national or alborz)");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What to generate. Build from {@link #national()} or {@link #alborz()} and the {@code with...} methods. */
    public record Params(Preset preset, String electionId, int branches, int constituencies, long eligibleVoters,
                         int provinces, long seed) {
        public Params {
            if (preset == null) throw new IllegalArgumentException("no preset");
            if (electionId == null || electionId.isBlank()) throw new IllegalArgumentException("empty election id");
        }

        /**
         * Checks the sizes fit together (so the {@code with...} methods can be applied in any order);
         * {@link #generate} calls it.
         */
        public Params validate() {
            if (provinces < 1) throw new IllegalArgumentException("provinces must be >= 1, got " + provinces);
            if (constituencies < provinces) {
                throw new IllegalArgumentException("constituencies (" + constituencies
                        + ") must be >= provinces (" + provinces + "): every province needs a constituency");
            }
            if (branches < constituencies) {
                throw new IllegalArgumentException("branches (" + branches + ") must be >= constituencies ("
                        + constituencies + "): every constituency gets a branch");
            }
            if (eligibleVoters < 0) {
                throw new IllegalArgumentException("eligible voters must be >= 0, got " + eligibleVoters);
            }
            if (preset == Preset.ALBORZ && (constituencies != ALBORZ.length || provinces != 1)) {
                throw new IllegalArgumentException("preset alborz has exactly " + ALBORZ.length
                        + " constituencies in 1 province; only branches, eligible voters and seed can change");
            }
            return this;
        }

        public static Params national() {
            return new Params(Preset.NATIONAL, "synthetic-national", DEFAULT_BRANCHES, DEFAULT_CONSTITUENCIES,
                    DEFAULT_ELIGIBLE_VOTERS, DEFAULT_PROVINCES, DEFAULT_SEED);
        }

        public static Params alborz() {
            return new Params(Preset.ALBORZ, "synthetic-alborz", ALBORZ_BRANCHES, ALBORZ.length,
                    ALBORZ_ELIGIBLE_VOTERS, 1, DEFAULT_SEED);
        }

        public static Params of(Preset preset) {
            return preset == Preset.ALBORZ ? alborz() : national();
        }

        public Params withElectionId(String v) { return new Params(preset, v, branches, constituencies, eligibleVoters, provinces, seed); }
        public Params withBranches(int v) { return new Params(preset, electionId, v, constituencies, eligibleVoters, provinces, seed); }
        public Params withConstituencies(int v) { return new Params(preset, electionId, branches, v, eligibleVoters, provinces, seed); }
        public Params withEligibleVoters(long v) { return new Params(preset, electionId, branches, constituencies, v, provinces, seed); }
        public Params withProvinces(int v) { return new Params(preset, electionId, branches, constituencies, eligibleVoters, v, seed); }
        public Params withSeed(long v) { return new Params(preset, electionId, branches, constituencies, eligibleVoters, provinces, v); }
    }

    /** Province name, id prefix, capital, rough share of the population in percent (approximate, 2016 census). */
    private record ProvinceInfo(String name, String code, String capital, double share) {}

    private static final ProvinceInfo[] PROVINCES = {
        new ProvinceInfo("Tehran", "teh", "Tehran", 16.0),
        new ProvinceInfo("Razavi Khorasan", "khr", "Mashhad", 8.0),
        new ProvinceInfo("Isfahan", "isf", "Isfahan", 6.4),
        new ProvinceInfo("Fars", "far", "Shiraz", 6.1),
        new ProvinceInfo("Khuzestan", "khz", "Ahvaz", 5.9),
        new ProvinceInfo("East Azerbaijan", "aze", "Tabriz", 4.9),
        new ProvinceInfo("West Azerbaijan", "azw", "Urmia", 4.1),
        new ProvinceInfo("Mazandaran", "maz", "Sari", 4.0),
        new ProvinceInfo("Kerman", "krm", "Kerman", 4.0),
        new ProvinceInfo("Sistan and Baluchestan", "sib", "Zahedan", 3.5),
        new ProvinceInfo("Alborz", "alb", "Karaj", 3.4),
        new ProvinceInfo("Gilan", "gil", "Rasht", 3.2),
        new ProvinceInfo("Kermanshah", "ksh", "Kermanshah", 2.5),
        new ProvinceInfo("Golestan", "gol", "Gorgan", 2.3),
        new ProvinceInfo("Hormozgan", "hrm", "Bandar Abbas", 2.2),
        new ProvinceInfo("Lorestan", "lor", "Khorramabad", 2.2),
        new ProvinceInfo("Hamadan", "ham", "Hamadan", 2.2),
        new ProvinceInfo("Kurdistan", "kur", "Sanandaj", 2.0),
        new ProvinceInfo("Markazi", "mrk", "Arak", 1.8),
        new ProvinceInfo("Qom", "qom", "Qom", 1.6),
        new ProvinceInfo("Qazvin", "qaz", "Qazvin", 1.6),
        new ProvinceInfo("Ardabil", "ard", "Ardabil", 1.6),
        new ProvinceInfo("Bushehr", "bus", "Bushehr", 1.4),
        new ProvinceInfo("Yazd", "yaz", "Yazd", 1.4),
        new ProvinceInfo("Zanjan", "zan", "Zanjan", 1.3),
        new ProvinceInfo("Chaharmahal and Bakhtiari", "chb", "Shahrekord", 1.2),
        new ProvinceInfo("North Khorasan", "khn", "Bojnurd", 1.1),
        new ProvinceInfo("South Khorasan", "khs", "Birjand", 0.97),
        new ProvinceInfo("Kohgiluyeh and Boyer-Ahmad", "kbo", "Yasuj", 0.9),
        new ProvinceInfo("Semnan", "sem", "Semnan", 0.9),
        new ProvinceInfo("Ilam", "ila", "Ilam", 0.7),
    };

    /** Alborz: id slug, name, eligible voters (at 2,100,000 in total), voters per branch before jitter. */
    private record AlborzPlace(String slug, String name, long eligible, double votersPerBranch) {}

    private static final AlborzPlace[] ALBORZ = {
        new AlborzPlace("karaj", "Karaj", 1_315_000, 820),
        new AlborzPlace("fardis", "Fardis", 250_000, 850),
        new AlborzPlace("savojbolagh", "Savojbolagh", 170_000, 650),
        new AlborzPlace("nazarabad", "Nazarabad", 115_000, 650),
        new AlborzPlace("mohammadshahr", "Mohammadshahr", 105_000, 800),
        new AlborzPlace("kamalshahr", "Kamalshahr", 85_000, 800),
        new AlborzPlace("eshtehard", "Eshtehard", 38_000, 560),
        new AlborzPlace("taleqan", "Taleqan", 22_000, 520),
    };

    /**
     * Mixed into the seed of the branch electorates' own {@link Random}: drawn apart from the constituencies' draws, they
     * change no constituency or branch count of a seed.
     */
    private static final long BRANCH_ELECTORATE_SEED = 0x6272616e63686573L; // "branches"

    /** A generated constituency before branches exist. */
    private record Draft(String id, String name, String province, long eligible, double idealBranches) {}

    /** Generates the election in memory. */
    public static Election generate(Params p) {
        p.validate();
        Random random = new Random(p.seed());
        List<Draft> drafts = p.preset() == Preset.ALBORZ ? alborz(p, random) : national(p, random);
        double[] ideal = drafts.stream().mapToDouble(Draft::idealBranches).toArray();
        long[] branches = apportion(p.branches(), ideal, 1);
        Random electorates = new Random(p.seed() ^ BRANCH_ELECTORATE_SEED);
        Election.Builder builder = Election.builder(p.electionId());
        long maxBranches = Arrays.stream(branches).max().orElse(1);
        int width = Math.max(4, Long.toString(maxBranches).length());
        for (int i = 0; i < drafts.size(); i++) {
            Draft d = drafts.get(i);
            builder.constituency(d.id(), d.name(), d.province(), d.eligible());
            String label = d.name().replace(" (synthetic)", "");
            double[] weights = new double[(int) branches[i]];
            for (int b = 0; b < weights.length; b++) weights[b] = 0.6 + 0.8 * electorates.nextDouble();
            long[] eligible = apportion(d.eligible(), weights, 0);
            for (int b = 1; b <= branches[i]; b++) {
                String n = pad(b, width);
                builder.branch(d.id() + "-" + n, d.id(), label + " branch " + n + " (synthetic)", eligible[b - 1]);
            }
        }
        return builder.build();
    }

    private static List<Draft> alborz(Params p, Random random) {
        double[] weights = Arrays.stream(ALBORZ).mapToDouble(AlborzPlace::eligible).toArray();
        long[] eligible = apportion(p.eligibleVoters(), weights, 0);
        List<Draft> drafts = new ArrayList<>();
        for (int i = 0; i < ALBORZ.length; i++) {
            AlborzPlace a = ALBORZ[i];
            double perBranch = a.votersPerBranch() * (0.95 + 0.1 * random.nextDouble());
            drafts.add(new Draft("alb-" + a.slug(), a.name(), "Alborz", eligible[i], eligible[i] / perBranch));
        }
        return drafts;
    }

    private static List<Draft> national(Params p, Random random) {
        int provinceCount = p.provinces();
        ProvinceInfo[] provinces = new ProvinceInfo[provinceCount];
        for (int i = 0; i < provinceCount; i++) {
            String nn = pad(i + 1, 2);
            provinces[i] = i < PROVINCES.length ? PROVINCES[i]
                    : new ProvinceInfo("Province " + nn, "p" + nn, "Province " + nn + " capital", 0.7);
        }
        double[] provinceWeights = new double[provinceCount];
        double[] seatWeights = new double[provinceCount];
        for (int i = 0; i < provinceCount; i++) {
            provinceWeights[i] = provinces[i].share() * (0.9 + 0.2 * random.nextDouble());
            seatWeights[i] = StrictMath.pow(provinceWeights[i], 0.75);
        }
        long[] provinceVoters = apportion(p.eligibleVoters(), provinceWeights, 0);
        long[] constituenciesPerProvince = apportion(p.constituencies(), seatWeights, 1);

        List<Draft> drafts = new ArrayList<>();
        for (int i = 0; i < provinceCount; i++) {
            ProvinceInfo province = provinces[i];
            int k = (int) constituenciesPerProvince[i];
            double[] weights = new double[k];
            double others = 0;
            for (int j = 1; j < k; j++) {
                weights[j] = StrictMath.exp(0.5 * random.nextGaussian());
                others += weights[j];
            }
            double capitalShare = 0.35 + 0.25 * random.nextDouble();
            weights[0] = k == 1 ? 1 : capitalShare / (1 - capitalShare) * others;
            long[] eligible = apportion(provinceVoters[i], weights, 0);
            int width = Math.max(2, Integer.toString(k).length());
            for (int j = 0; j < k; j++) {
                double perBranch = j == 0 ? 1_300 + 600 * random.nextDouble() : 600 + 500 * random.nextDouble();
                String name = j == 0 ? province.capital() + " (synthetic)"
                        : province.name() + " district " + pad(j + 1, width) + " (synthetic)";
                drafts.add(new Draft(province.code() + "-" + pad(j + 1, width), name, province.name(),
                        eligible[j], eligible[j] / perBranch));
            }
        }
        return drafts;
    }

    /**
     * Splits {@code total} into parts proportional to {@code weights}, each at least {@code min}, summing to
     * exactly {@code total} (largest remainder; ties go to the lower index). All-zero weights split evenly.
     */
    static long[] apportion(long total, double[] weights, long min) {
        int n = weights.length;
        long rest = total - min * n;
        if (rest < 0) throw new IllegalArgumentException(total + " cannot give " + n + " parts at least " + min);
        double sum = Arrays.stream(weights).sum();
        double[] w = sum > 0 ? weights : filled(n, 1.0);
        if (sum <= 0) sum = n;
        long[] out = new long[n];
        double[] fraction = new double[n];
        long assigned = 0;
        for (int i = 0; i < n; i++) {
            double exact = rest * (w[i] / sum);
            long floor = (long) Math.floor(exact);
            out[i] = floor;
            fraction[i] = exact - floor;
            assigned += floor;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -fraction[i]).thenComparingInt(i -> i));
        long left = rest - assigned;
        for (int j = 0; left > 0; j = (j + 1) % n, left--) out[order[j]]++;
        for (int j = n - 1; left < 0; j = (j - 1 + n) % n) {  // only after floating-point overshoot
            if (out[order[j]] > 0) {
                out[order[j]]--;
                left++;
            }
        }
        for (int i = 0; i < n; i++) out[i] += min;
        return out;
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    private static String pad(long n, int width) {
        String s = Long.toString(n);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    /**
     * Writes {@value Election#CONSTITUENCIES_FILE} and {@value Election#BRANCHES_FILE} into {@code dir}
     * (created if needed; existing files replaced), UTF-8, LF line ends, sorted by id. The branches file always has the
     * {@code eligible_voters} column, empty for a branch that does not declare its electorate.
     */
    public static void write(Election election, Path dir) {
        try {
            Files.createDirectories(dir);
            StringBuilder cs = new StringBuilder(Election.CONSTITUENCIES_HEADER).append('\n');
            for (Constituency c : election.constituencies()) {
                cs.append(Csv.record(c.id(), c.name(), c.province(), Long.toString(c.eligibleVoters())));
            }
            StringBuilder bs = new StringBuilder(Election.BRANCHES_HEADER).append('\n');
            for (Branch b : election.branches()) {
                bs.append(Csv.record(b.id(), b.constituencyId(), b.name(),
                        b.declaresEligibleVoters() ? Long.toString(b.eligibleVoters()) : ""));
            }
            writeReplacing(dir.resolve(Election.CONSTITUENCIES_FILE), cs);
            writeReplacing(dir.resolve(Election.BRANCHES_FILE), bs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write reference data to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void writeReplacing(Path file, CharSequence text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.append(text);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Generates and writes; returns what was written. */
    public static Election generateTo(Params params, Path dir) {
        Election election = generate(params);
        write(election, dir);
        return election;
    }
}
