package org.turnoutstream.reference;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The reference data of one election: its constituencies (each in a province) and polling branches.
 * Immutable and Serializable (Flink ships it inside the job graph); every lookup is a hash-map get.
 *
 * <p>Loaded from two CSV files with a header row:
 * {@value #CONSTITUENCIES_HEADER} and {@value #BRANCHES_HEADER}. A constituency without branches is allowed.
 * The branches' {@code eligible_voters} column is optional: a file with the header
 * {@value #BRANCHES_HEADER_WITHOUT_ELIGIBLE} loads too, and an empty cell declares nothing ({@link Branch#NOT_DECLARED});
 * each declared number is checked on its own (a constituency's branches may add up to more or fewer voters than the
 * constituency: registers differ).
 * Questions about an unknown province answer empty / zero.
 */
public final class Election implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String CONSTITUENCIES_FILE = "constituencies.csv";
    public static final String BRANCHES_FILE = "branches.csv";
    public static final String CONSTITUENCIES_HEADER = "constituency_id,name,province,eligible_voters";
    public static final String BRANCHES_HEADER = "branch_id,constituency_id,name,eligible_voters";
    /** A branches file without the optional {@code eligible_voters} column: no branch declares its electorate. */
    public static final String BRANCHES_HEADER_WITHOUT_ELIGIBLE = "branch_id,constituency_id,name";

    private final String id;
    private final Data data;

    /** Everything but the id, so that a run-off loaded from the same directory can share it. */
    private static final class Data implements Serializable {
        private static final long serialVersionUID = 1L;
        final HashMap<String, Constituency> constituencyById;
        final List<Constituency> constituencies;                      // sorted by id
        final HashMap<String, Branch> branchById;
        final BranchTable branchTable;
        final List<Branch> branches;                                  // sorted by id
        final HashMap<String, List<Branch>> branchesByConstituency;   // each sorted by id
        final List<String> provinces;                                 // sorted
        final HashMap<String, List<Constituency>> constituenciesByProvince;
        final HashMap<String, Long> eligibleByProvince;
        final HashMap<String, Integer> branchesByProvince;
        final long eligibleVoters;
        final long[] capacities;                                      // per branch, as in branches

        Data(List<Constituency> sortedConstituencies, List<Branch> sortedBranches) {
            constituencies = List.copyOf(sortedConstituencies);
            branches = List.copyOf(sortedBranches);
            constituencyById = new HashMap<>();
            constituenciesByProvince = new HashMap<>();
            eligibleByProvince = new HashMap<>();
            branchesByProvince = new HashMap<>();
            long total = 0;
            TreeMap<String, List<Constituency>> byProvince = new TreeMap<>();
            for (Constituency c : constituencies) {
                constituencyById.put(c.id(), c);
                byProvince.computeIfAbsent(c.province(), p -> new ArrayList<>()).add(c);
                eligibleByProvince.merge(c.province(), c.eligibleVoters(), Math::addExact);
                branchesByProvince.merge(c.province(), c.branchCount(), Integer::sum);
                total = Math.addExact(total, c.eligibleVoters());
            }
            eligibleVoters = total;
            byProvince.forEach((p, list) -> constituenciesByProvince.put(p, List.copyOf(list)));
            provinces = List.copyOf(byProvince.keySet());
            branchById = new HashMap<>();
            branchTable = new BranchTable(branches);
            HashMap<String, List<Branch>> grouped = new HashMap<>();
            for (Branch b : branches) {
                branchById.put(b.id(), b);
                grouped.computeIfAbsent(b.constituencyId(), k -> new ArrayList<>()).add(b);
            }
            branchesByConstituency = new HashMap<>();
            grouped.forEach((k, list) -> branchesByConstituency.put(k, List.copyOf(list)));
            capacities = new long[branches.size()];
            for (int i = 0; i < capacities.length; i++) {
                Branch b = branches.get(i);
                capacities[i] = BranchCapacity.of(b, constituencyById.get(b.constituencyId()));
            }
        }

        /**
         * Shipped as its constituencies and branches, compressed ({@link Packed}); the lookups are rebuilt where it
         * lands. Java's own form of the maps and records took ~5 MB for 60,000 branches, and Flink keeps the serialized
         * form of every function it ships in each task's configuration for the task's life: ~80 MB of heap per
         * TaskManager in the live job.
         */
        private Object writeReplace() throws IOException {
            return new Packed(this);
        }
    }

    /** {@link Data} in a job graph: its sorted constituencies and branches, gzipped. */
    private static final class Packed implements Serializable {
        private static final long serialVersionUID = 2L; // 2: with the branches' eligible voters
        private final byte[] bytes;

        Packed(Data data) throws IOException {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(buffer))) {
                out.writeInt(data.constituencies.size());
                for (Constituency c : data.constituencies) {
                    out.writeUTF(c.id());
                    out.writeUTF(c.name());
                    out.writeUTF(c.province());
                    out.writeLong(c.eligibleVoters());
                    out.writeInt(c.branchCount());
                }
                out.writeInt(data.branches.size());
                for (Branch b : data.branches) {
                    out.writeUTF(b.id());
                    out.writeUTF(b.constituencyId());
                    out.writeUTF(b.name());
                    out.writeLong(b.eligibleVoters());
                }
            }
            bytes = buffer.toByteArray();
        }

        private Object readResolve() throws IOException {
            try (DataInputStream in = new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(bytes)))) {
                List<Constituency> constituencies = new ArrayList<>();
                for (int n = in.readInt(); n > 0; n--) {
                    constituencies.add(new Constituency(in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(), in.readInt()));
                }
                List<Branch> branches = new ArrayList<>();
                for (int n = in.readInt(); n > 0; n--) {
                    branches.add(new Branch(in.readUTF(), in.readUTF(), in.readUTF(), in.readLong()));
                }
                return new Data(constituencies, branches);
            }
        }
    }

    private Election(String id, Data data) {
        this.id = id;
        this.data = data;
    }

    /** Loads and validates an election from its two CSV files; throws {@link ReferenceDataException}. */
    public static Election load(String electionId, Path constituenciesCsv, Path branchesCsv) {
        Builder builder = builder(electionId);
        List<Csv.Row> rows = Csv.read(constituenciesCsv);
        checkHeader(constituenciesCsv, rows, CONSTITUENCIES_HEADER);
        for (Csv.Row row : rows.subList(1, rows.size())) {
            String where = constituenciesCsv + ":" + row.line();
            List<String> f = checkColumns(where, row, CONSTITUENCIES_HEADER);
            builder.constituency(f.get(0), f.get(1), f.get(2), parseEligible(where, f.get(3)), where);
        }
        rows = Csv.read(branchesCsv);
        String branchesHeader = checkHeader(branchesCsv, rows, BRANCHES_HEADER, BRANCHES_HEADER_WITHOUT_ELIGIBLE);
        boolean withEligible = branchesHeader.equals(BRANCHES_HEADER);
        for (Csv.Row row : rows.subList(1, rows.size())) {
            String where = branchesCsv + ":" + row.line();
            List<String> f = checkColumns(where, row, branchesHeader);
            long eligible = withEligible && !f.get(3).isEmpty() ? parseEligible(where, f.get(3)) : Branch.NOT_DECLARED;
            builder.branch(f.get(0), f.get(1), f.get(2), eligible, where);
        }
        return builder.build();
    }

    /** Loads {@value #CONSTITUENCIES_FILE} and {@value #BRANCHES_FILE} from one directory. */
    public static Election load(String electionId, Path directory) {
        if (!java.nio.file.Files.isDirectory(directory)) {
            throw new ReferenceDataException("election '" + electionId + "': reference directory " + directory
                    + " does not exist or is not a directory");
        }
        return load(electionId, directory.resolve(CONSTITUENCIES_FILE), directory.resolve(BRANCHES_FILE));
    }

    /** Checks the first row is {@code expected} (or {@code alternative}, when given); returns the header found. */
    private static String checkHeader(Path file, List<Csv.Row> rows, String expected) {
        return checkHeader(file, rows, expected, null);
    }

    private static String checkHeader(Path file, List<Csv.Row> rows, String expected, String alternative) {
        String expectation = "'" + expected + "'" + (alternative == null ? "" : " (or '" + alternative + "')");
        if (rows.isEmpty()) {
            throw new ReferenceDataException(file + ": file is empty; expected the header row " + expectation);
        }
        Csv.Row header = rows.get(0);
        if (header.fields().equals(List.of(expected.split(",")))) return expected;
        if (alternative != null && header.fields().equals(List.of(alternative.split(",")))) return alternative;
        throw new ReferenceDataException(file + ":" + header.line() + ": wrong header '"
                + String.join(",", header.fields()) + "'; expected " + expectation);
    }

    private static List<String> checkColumns(String where, Csv.Row row, String header) {
        int expected = header.split(",").length;
        int found = row.fields().size();
        if (found < expected) {
            throw new ReferenceDataException(where + ": missing columns: expected " + expected + " (" + header
                    + ") but found " + found);
        }
        if (found > expected) {
            throw new ReferenceDataException(where + ": extra columns: expected " + expected + " (" + header
                    + ") but found " + found + " (quote fields that contain commas)");
        }
        return row.fields();
    }

    private static long parseEligible(String where, String value) {
        if (!value.matches("-?[0-9]+")) {
            throw new ReferenceDataException(where + ": eligible_voters '" + value
                    + "' is not a number (expected a whole number >= 0, digits only)");
        }
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ReferenceDataException(where + ": eligible_voters '" + value + "' is out of range");
        }
        if (n < 0) {
            throw new ReferenceDataException(where + ": eligible_voters " + value + " is negative");
        }
        return n;
    }

    public static Builder builder(String electionId) {
        return new Builder(electionId);
    }

    /** The same reference data under another election id (a run-off that reuses the directory). */
    Election withId(String electionId) {
        return new Election(checkId(electionId, "election id", null), data);
    }

    public String id() { return id; }

    /** Where a record says it comes from, as the reference data has it. */
    public enum Origin { KNOWN, UNKNOWN_BRANCH, WRONG_CONSTITUENCY }

    /**
     * Whether {@code branchId} is a branch of this election, in {@code constituencyId}: the validators ask it of every
     * record, so it reads a flat table ({@link BranchTable}) instead of the maps.
     */
    public Origin origin(String branchId, String constituencyId) {
        return data.branchTable.origin(branchId, constituencyId);
    }

    public Optional<Branch> branch(String branchId) {
        return Optional.ofNullable(data.branchById.get(branchId));
    }

    /**
     * How many ballots the branch {@code branchId} can take at most ({@link BranchCapacity}: its declared eligible voters,
     * else the default bound from its constituency), or -1 when this election has no such branch. Precomputed: one
     * lookup in the flat branch table, no allocation.
     */
    public long capacity(String branchId) {
        int index = data.branchTable.indexOf(branchId);
        return index < 0 ? -1 : data.capacities[index];
    }

    /** {@link #capacity} of the branch at {@code index} in {@link #branches()}. */
    long capacityAt(int index) {
        return data.capacities[index];
    }

    public Optional<Constituency> constituency(String constituencyId) {
        return Optional.ofNullable(data.constituencyById.get(constituencyId));
    }

    /** All constituencies, sorted by id. */
    public List<Constituency> constituencies() { return data.constituencies; }

    /** All branches, sorted by id. */
    public List<Branch> branches() { return data.branches; }

    /** The branches of one constituency, sorted by id; empty for an unknown constituency. */
    public List<Branch> branchesIn(String constituencyId) {
        return data.branchesByConstituency.getOrDefault(constituencyId, List.of());
    }

    /** Distinct provinces, sorted. */
    public List<String> provinces() { return data.provinces; }

    /** The constituencies of one province, sorted by id; empty for an unknown province. */
    public List<Constituency> constituenciesIn(String province) {
        return data.constituenciesByProvince.getOrDefault(province, List.of());
    }

    /** Eligible voters of the nation (all constituencies). */
    public long eligibleVoters() { return data.eligibleVoters; }

    /** Eligible voters of one province; 0 for an unknown province. */
    public long eligibleVoters(String province) {
        return data.eligibleByProvince.getOrDefault(province, 0L);
    }

    public int branchCount() { return data.branches.size(); }

    /** Branches in one province; 0 for an unknown province. */
    public int branchCount(String province) {
        return data.branchesByProvince.getOrDefault(province, 0);
    }

    @Override
    public String toString() {
        return "Election[" + id + ": " + data.provinces.size() + " provinces, " + data.constituencies.size()
                + " constituencies, " + branchCount() + " branches, " + eligibleVoters() + " eligible voters]";
    }

    private static String checkId(String value, String what, String where) {
        String prefix = where == null ? "" : where + ": ";
        if (value == null || value.isBlank()) {
            throw new ReferenceDataException(prefix + "empty " + what);
        }
        if (!value.equals(value.strip())) {
            throw new ReferenceDataException(prefix + what + " '" + value + "' has leading or trailing whitespace");
        }
        return value;
    }

    /** Builds an election in code (tests, the generator); validates like {@link #load}. */
    public static final class Builder {
        private final String electionId;
        private final LinkedHashMap<String, String[]> constituencies = new LinkedHashMap<>(); // id -> name, province
        private final HashMap<String, Long> eligible = new HashMap<>();
        private final HashMap<String, String> constituencyWhere = new HashMap<>();
        private final LinkedHashMap<String, Branch> branches = new LinkedHashMap<>();
        private final HashMap<String, String> branchWhere = new HashMap<>();

        private Builder(String electionId) {
            this.electionId = checkId(electionId, "election id", null);
        }

        public Builder constituency(String id, String name, String province, long eligibleVoters) {
            return constituency(id, name, province, eligibleVoters, null);
        }

        Builder constituency(String id, String name, String province, long eligibleVoters, String where) {
            String prefix = where == null ? "" : where + ": ";
            checkId(id, "constituency_id", where);
            if (name == null) throw new ReferenceDataException(prefix + "constituency '" + id + "' has no name");
            checkId(province, "province of constituency '" + id + "'", where);
            if (eligibleVoters < 0) {
                throw new ReferenceDataException(prefix + "eligible_voters " + eligibleVoters
                        + " of constituency '" + id + "' is negative");
            }
            if (constituencies.containsKey(id)) {
                throw new ReferenceDataException(prefix + "duplicate constituency_id '" + id + "'"
                        + firstAt(constituencyWhere.get(id)));
            }
            constituencies.put(id, new String[] {name, province});
            eligible.put(id, eligibleVoters);
            if (where != null) constituencyWhere.put(id, where);
            return this;
        }

        /** A branch without a declared electorate. */
        public Builder branch(String id, String constituencyId, String name) {
            return branch(id, constituencyId, name, Branch.NOT_DECLARED, null);
        }

        /** A branch with its eligible voters ({@link Branch#NOT_DECLARED}: not declared). */
        public Builder branch(String id, String constituencyId, String name, long eligibleVoters) {
            return branch(id, constituencyId, name, eligibleVoters, null);
        }

        Builder branch(String id, String constituencyId, String name, long eligibleVoters, String where) {
            String prefix = where == null ? "" : where + ": ";
            checkId(id, "branch_id", where);
            checkId(constituencyId, "constituency_id of branch '" + id + "'", where);
            if (name == null) throw new ReferenceDataException(prefix + "branch '" + id + "' has no name");
            if (eligibleVoters < Branch.NOT_DECLARED) {
                throw new ReferenceDataException(prefix + "eligible_voters " + eligibleVoters
                        + " of branch '" + id + "' is negative");
            }
            if (branches.containsKey(id)) {
                throw new ReferenceDataException(prefix + "duplicate branch_id '" + id + "'"
                        + firstAt(branchWhere.get(id)));
            }
            branches.put(id, new Branch(id, constituencyId, name, eligibleVoters));
            if (where != null) branchWhere.put(id, where);
            return this;
        }

        private static String firstAt(String where) {
            return where == null ? "" : " (first defined at " + where + ")";
        }

        public Election build() {
            HashMap<String, Integer> counts = new HashMap<>();
            for (Branch b : branches.values()) {
                if (!constituencies.containsKey(b.constituencyId())) {
                    String where = branchWhere.get(b.id());
                    throw new ReferenceDataException((where == null ? "" : where + ": ") + "branch '" + b.id()
                            + "' references unknown constituency '" + b.constituencyId() + "'");
                }
                counts.merge(b.constituencyId(), 1, Integer::sum);
            }
            List<Constituency> cs = new ArrayList<>(constituencies.size());
            constituencies.forEach((id, np) -> cs.add(
                    new Constituency(id, np[0], np[1], eligible.get(id), counts.getOrDefault(id, 0))));
            cs.sort(Comparator.comparing(Constituency::id));
            List<Branch> bs = new ArrayList<>(branches.values());
            bs.sort(Comparator.comparing(Branch::id));
            return new Election(electionId, new Data(cs, bs));
        }
    }
}
