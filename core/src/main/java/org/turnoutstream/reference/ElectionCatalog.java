package org.turnoutstream.reference;

import java.io.Serializable;
import java.lang.ref.WeakReference;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The elections a job knows about, by election id. Immutable and Serializable; lookups are hash-map gets.
 *
 * <p>Each election is loaded from a directory holding {@value Election#CONSTITUENCIES_FILE} and
 * {@value Election#BRANCHES_FILE}. A run-off is a separate election that may reuse the first round's
 * directory; such a directory is read once and its data shared.
 */
public final class ElectionCatalog implements Serializable {
    private static final long serialVersionUID = 1L;

    private final HashMap<String, Election> elections;
    private final SortedSet<String> ids;
    /** Which loaded catalog this is: every copy shipped to a JVM resolves to one instance there ({@link #readResolve}). */
    private final UUID identity = UUID.randomUUID();

    /** The one election, when there is exactly one (null otherwise). */
    private transient Optional<Election> only;

    private static Optional<Election> onlyElection(HashMap<String, Election> elections) {
        return elections.size() == 1 ? Optional.of(elections.values().iterator().next()) : null;
    }

    /** Every branch by its {@link BranchKey} (built when first asked: a TaskManager needs it only in a timer). */
    private transient volatile HashMap<Long, ElectionBranch> byKey;

    /** A branch of one of the elections. */
    public record ElectionBranch(String electionId, Branch branch) {}

    private ElectionCatalog(HashMap<String, Election> elections) {
        this.elections = elections;
        this.only = onlyElection(elections);
        this.ids = Collections.unmodifiableSortedSet(new TreeSet<>(elections.keySet()));
        this.byKey = indexByKey(elections); // and so a clash of two branches' keys fails the job where it is built
    }

    private static HashMap<Long, ElectionBranch> indexByKey(HashMap<String, Election> elections) {
        HashMap<Long, ElectionBranch> index = new HashMap<>();
        for (Election election : elections.values()) {
            for (Branch branch : election.branches()) {
                ElectionBranch entry = new ElectionBranch(election.id(), branch);
                ElectionBranch clash = index.putIfAbsent(BranchKey.of(election.id(), branch.id()), entry);
                if (clash != null) {
                    throw new ReferenceDataException("branch '" + branch.id() + "' of election '" + election.id() + "' and branch '"
                            + clash.branch().id() + "' of election '" + clash.electionId() + "' have the same 64-bit key; rename one of them");
                }
            }
        }
        return index;
    }

    /** The branch whose {@link BranchKey} is {@code key}, with its election; empty when no branch has it. */
    public Optional<ElectionBranch> branchWithKey(long key) {
        HashMap<Long, ElectionBranch> index = byKey;
        if (index == null) {
            synchronized (this) {
                if (byKey == null) byKey = indexByKey(elections);
                index = byKey;
            }
        }
        return Optional.ofNullable(index.get(key));
    }

    /**
     * Every branch of every election by one index (elections by id, then their branches by id): its three ids in one flat
     * array, its capacity ({@link BranchCapacity}) in another, and a table that finds it from the bytes of a record
     * ({@link BranchBytesTable}, which also keeps its {@link BranchKey}); built when first asked, once per JVM.
     */
    private transient volatile Indexed indexed;

    private record Indexed(String[] ids, long[] capacities, BranchBytesTable table) {}

    private Indexed indexed() {
        Indexed current = indexed;
        if (current != null) return current;
        synchronized (this) {
            if (indexed == null) {
                List<ElectionBranch> all = new ArrayList<>();
                long[] capacities = new long[elections.values().stream().mapToInt(Election::branchCount).sum()];
                for (String id : ids) {
                    Election election = elections.get(id);
                    List<Branch> branches = election.branches();
                    for (int j = 0; j < branches.size(); j++) {
                        capacities[all.size()] = election.capacityAt(j);
                        all.add(new ElectionBranch(id, branches.get(j)));
                    }
                }
                long[] keys = new long[all.size()];
                String[] flat = new String[all.size() * 3];
                for (int i = 0; i < keys.length; i++) {
                    ElectionBranch b = all.get(i);
                    keys[i] = BranchKey.of(b.electionId(), b.branch().id());
                    flat[3 * i] = b.electionId();
                    flat[3 * i + 1] = b.branch().id();
                    flat[3 * i + 2] = b.branch().constituencyId();
                }
                indexed = new Indexed(flat, capacities, new BranchBytesTable(all, keys));
            }
            return indexed;
        }
    }

    /**
     * The branch whose election id and branch id a record carries as these UTF-8 bytes (in {@code record}, at the
     * offsets given; {@code hash}: their {@link #branchHash}), as a handle for {@link #foundIndex}, {@link #foundKey}
     * and {@link #foundInConstituency}; -1 when no branch has them. No string is made.
     */
    public long findBranch(long hash, byte[] record, int electionAt, int electionLength, int branchAt, int branchLength) {
        return indexed().table().find(hash, record, electionAt, electionLength, branchAt, branchLength);
    }

    /**
     * The hash {@link #findBranch} looks these ids up by, computed without reading the table: for reading ahead. A batch
     * of records computes this for all its records, then reads the places it gives ({@link #probeSlot}), then the entries
     * the slots point to ({@link #touchProbed}): in each pass the reads are independent, so their cache misses overlap.
     */
    public static long branchHash(byte[] record, int electionAt, int electionLength, int branchAt, int branchLength) {
        return BranchBytesTable.hashOf(record, electionAt, electionLength, branchAt, branchLength);
    }

    /** Reads the first place {@link #findBranch} reads for a {@link #branchHash}; the value is only for {@link #touchProbed}. */
    public long probeSlot(long hash) {
        return indexed().table().probe(hash);
    }

    /** Reads the second place {@link #findBranch} will read, as {@link #probeSlot} found it; the value means nothing. */
    public int touchProbed(long probed) {
        return indexed().table().touch(probed);
    }

    /** The index ({@link #electionIdAt} and the like) of a branch {@link #findBranch} found. */
    public int foundIndex(long found) {
        return BranchBytesTable.index(found);
    }

    /** The {@link BranchKey} of a branch {@link #findBranch} found. */
    public long foundKey(long found) {
        return indexed().table().key(found);
    }

    /** Whether a branch {@link #findBranch} found is in the constituency whose id a record carries as these UTF-8 bytes. */
    public boolean foundInConstituency(long found, byte[] record, int constituencyAt, int constituencyLength) {
        return indexed().table().inConstituency(found, record, constituencyAt, constituencyLength);
    }

    /** How many branches all elections have (the indexes are below: the elections by id, then each one's branches by id). */
    public int branchCount() {
        return indexed().ids().length / 3;
    }

    /** The election id of the branch at {@code index} (the catalog's own string; from one flat array, with the next two). */
    public String electionIdAt(int index) {
        return indexed().ids()[3 * index];
    }

    /** The id of the branch at {@code index}. */
    public String branchIdAt(int index) {
        return indexed().ids()[3 * index + 1];
    }

    /** The constituency id of the branch at {@code index}. */
    public String constituencyIdAt(int index) {
        return indexed().ids()[3 * index + 2];
    }

    /**
     * How many ballots the branch at {@code index} can take at most: {@link Election#capacity} of {@link #branchIdAt} in
     * {@link #electionIdAt}, read from one precomputed array.
     */
    public long capacityAt(int index) {
        return indexed().capacities()[index];
    }

    /**
     * One copy per JVM: a job ships the catalog inside every function that uses it (decoders, tallies, the constituency
     * view), so a TaskManager would otherwise hold one copy of 60,000 branches per operator and subtask (13 in the live
     * job at parallelism 2, ~300 MB of heap). Copies of the same loaded catalog share its identity and resolve to the
     * first one deserialized here, kept while anything uses it.
     */
    private Object readResolve() {
        only = onlyElection(elections);
        WeakReference<ElectionCatalog> kept = SHARED.compute(identity,
                (id, old) -> old != null && old.get() != null ? old : new WeakReference<>(this));
        ElectionCatalog shared = kept.get();
        return shared != null ? shared : this;
    }

    private static final ConcurrentHashMap<UUID, WeakReference<ElectionCatalog>> SHARED = new ConcurrentHashMap<>();

    /** Loads every election (election id -> directory); throws {@link ReferenceDataException}. */
    public static ElectionCatalog load(Map<String, Path> electionDirs) {
        HashMap<String, Election> loaded = new HashMap<>();
        HashMap<Path, Election> byDirectory = new HashMap<>();
        for (Map.Entry<String, Path> e : electionDirs.entrySet()) {
            String id = e.getKey();
            Path dir = e.getValue();
            if (id == null || id.isBlank()) throw new ReferenceDataException("empty election id for directory " + dir);
            if (dir == null) throw new ReferenceDataException("election '" + id + "': no directory");
            Path key = dir.toAbsolutePath().normalize();
            Election shared = byDirectory.get(key);
            Election election = shared != null ? shared.withId(id) : Election.load(id, dir);
            byDirectory.putIfAbsent(key, election);
            loaded.put(id, election);
        }
        return new ElectionCatalog(loaded);
    }

    /** Loads the elections of several command-line specs ({@code id=dir} each). */
    public static ElectionCatalog loadSpecs(Collection<String> specs) {
        return load(parseSpecs(specs));
    }

    public static ElectionCatalog of(Election... elections) {
        HashMap<String, Election> map = new HashMap<>();
        for (Election e : elections) {
            if (map.putIfAbsent(e.id(), e) != null) {
                throw new ReferenceDataException("duplicate election id '" + e.id() + "'");
            }
        }
        return new ElectionCatalog(map);
    }

    /**
     * Parses {@code id=dir} (split at the first '='), e.g. {@code 2024-majlis-r1=reference/alborz-synthetic}.
     * A relative directory is relative to the working directory.
     */
    public static ElectionSpec parseSpec(String spec) {
        String usage = "; expected id=dir, e.g. 2024-majlis-r1=reference/alborz-synthetic";
        if (spec == null) throw new ReferenceDataException("missing election spec" + usage);
        int eq = spec.indexOf('=');
        if (eq < 0) throw new ReferenceDataException("election spec '" + spec + "' has no '='" + usage);
        String id = spec.substring(0, eq).strip();
        String dir = spec.substring(eq + 1).strip();
        if (id.isEmpty()) throw new ReferenceDataException("election spec '" + spec + "' has an empty id" + usage);
        if (dir.isEmpty()) {
            throw new ReferenceDataException("election spec '" + spec + "' has an empty directory" + usage);
        }
        try {
            return new ElectionSpec(id, Path.of(dir));
        } catch (InvalidPathException e) {
            throw new ReferenceDataException("election spec '" + spec + "': invalid directory: " + e.getMessage(), e);
        }
    }

    /** Parses several specs, keeping their order; the same election id twice is an error. */
    public static Map<String, Path> parseSpecs(Collection<String> specs) {
        LinkedHashMap<String, Path> dirs = new LinkedHashMap<>();
        for (String s : specs) {
            ElectionSpec spec = parseSpec(s);
            Path previous = dirs.putIfAbsent(spec.electionId(), spec.directory());
            if (previous != null) {
                throw new ReferenceDataException("election id '" + spec.electionId() + "' given twice ("
                        + previous + " and " + spec.directory() + ")");
            }
        }
        return dirs;
    }

    public static Map<String, Path> parseSpecs(String... specs) {
        return parseSpecs(Arrays.asList(specs));
    }

    /** Every record asks this (validation): with one election, as most jobs run, it is one comparison, no hash lookup. */
    public Optional<Election> election(String electionId) {
        if (only != null) return only.get().id().equals(electionId) ? only : Optional.empty();
        return Optional.ofNullable(elections.get(electionId));
    }

    /** Election ids, sorted. */
    public Set<String> electionIds() {
        return ids;
    }

    @Override
    public String toString() {
        List<String> parts = ids.stream().map(elections::get).map(Election::toString).toList();
        return "ElectionCatalog" + parts;
    }
}
