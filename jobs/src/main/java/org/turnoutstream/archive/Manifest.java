package org.turnoutstream.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The seal of one archive bucket (an {@code election=.../hour=...} directory): {@code manifest.json}
 * lists every finished file with its size, record count, SHA-256 and the offset range per
 * topic-partition. {@link #verify} recomputes the hashes and tells what is missing, extra or changed,
 * so loss and tampering are detectable. Hidden files (the FileSink's in-progress and pending files,
 * names starting with '.' or '_') are never part of a manifest.
 *
 * <pre>
 * {"format": "turnout-archive-manifest/1", "bucket": "hour=2024-03-01T04", "sealedAt": "...",
 *  "files": [{"name": "part-...-0.avro", "bytes": 1234, "records": 20, "sha256": "ab12...",
 *             "partitions": [{"topic": "branch.turnout", "partition": 0, "minOffset": 0, "maxOffset": 19, "records": 20}]}]}
 * </pre>
 */
public final class Manifest {
    public static final String FILE_NAME = "manifest.json";
    public static final String FORMAT = "turnout-archive-manifest/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Manifest() {}

    /** One file as the manifest records it. */
    public record Entry(String name, long bytes, long records, String sha256, List<ArchiveFileSummary.PartitionRange> partitions) {}

    /** A file whose content is not what was sealed. */
    public record Changed(String name, String expectedSha256, String actualSha256, long expectedBytes, long actualBytes) {
        public String explain() {
            return name + ": " + (expectedBytes != actualBytes ? "size " + expectedBytes + " -> " + actualBytes + " bytes, " : "")
                    + "SHA-256 " + expectedSha256 + " -> " + actualSha256;
        }
    }

    /** The outcome of {@link #verify}: intact only if the manifest exists and every file matches it. */
    public record Verification(Path bucketDir, boolean manifestFound, List<String> intactFiles,
                               List<String> missing, List<String> extra, List<Changed> changed) {
        public boolean intact() {
            return manifestFound && missing.isEmpty() && extra.isEmpty() && changed.isEmpty();
        }

        public String summary() {
            if (!manifestFound) return bucketDir + ": NOT SEALED (no " + FILE_NAME + ")";
            if (intact()) return bucketDir + ": intact (" + intactFiles.size() + " file(s))";
            StringBuilder out = new StringBuilder(bucketDir + ": NOT intact");
            for (String name : missing) out.append("\n  missing: ").append(name);
            for (String name : extra) out.append("\n  extra (not in the manifest): ").append(name);
            for (Changed c : changed) out.append("\n  changed: ").append(c.explain());
            return out.toString();
        }

        @Override
        public String toString() {
            return summary();
        }
    }

    /** Writes {@code manifest.json} for the finished files now in the bucket (replacing an older one). */
    public static List<Entry> seal(Path bucketDir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (Path file : finishedFiles(bucketDir)) entries.add(describe(file));
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("bucket", bucketDir.getFileName().toString());
        root.put("sealedAt", Instant.now().toString());
        ArrayNode files = root.putArray("files");
        for (Entry e : entries) {
            ObjectNode f = files.addObject();
            f.put("name", e.name());
            f.put("bytes", e.bytes());
            f.put("records", e.records());
            f.put("sha256", e.sha256());
            ArrayNode partitions = f.putArray("partitions");
            for (ArchiveFileSummary.PartitionRange p : e.partitions()) {
                partitions.addObject().put("topic", p.topic()).put("partition", p.partition())
                        .put("minOffset", p.minOffset()).put("maxOffset", p.maxOffset()).put("records", p.records());
            }
        }
        Path tmp = bucketDir.resolve("." + FILE_NAME + ".tmp");
        JSON.writeValue(tmp.toFile(), root);
        Files.move(tmp, bucketDir.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return entries;
    }

    /** The entries of the bucket's manifest, by file name. */
    public static Map<String, Entry> read(Path bucketDir) throws IOException {
        JsonNode root = JSON.readTree(bucketDir.resolve(FILE_NAME).toFile());
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new IOException(bucketDir.resolve(FILE_NAME) + " is not a " + FORMAT + " manifest");
        }
        Map<String, Entry> entries = new TreeMap<>();
        for (JsonNode f : root.path("files")) {
            List<ArchiveFileSummary.PartitionRange> partitions = new ArrayList<>();
            for (JsonNode p : f.path("partitions")) {
                partitions.add(new ArchiveFileSummary.PartitionRange(p.path("topic").asText(), p.path("partition").asInt(),
                        p.path("minOffset").asLong(), p.path("maxOffset").asLong(), p.path("records").asLong()));
            }
            Entry e = new Entry(f.path("name").asText(), f.path("bytes").asLong(), f.path("records").asLong(),
                    f.path("sha256").asText(), List.copyOf(partitions));
            entries.put(e.name(), e);
        }
        return entries;
    }

    /** Compares the bucket's finished files with its manifest: missing, extra and changed files. */
    public static Verification verify(Path bucketDir) throws IOException {
        if (!Files.isRegularFile(bucketDir.resolve(FILE_NAME))) {
            return new Verification(bucketDir, false, List.of(), List.of(), List.of(), List.of());
        }
        Map<String, Entry> sealed = read(bucketDir);
        TreeSet<String> present = new TreeSet<>();
        for (Path file : finishedFiles(bucketDir)) present.add(file.getFileName().toString());
        List<String> intact = new ArrayList<>(), missing = new ArrayList<>(), extra = new ArrayList<>();
        List<Changed> changed = new ArrayList<>();
        for (Entry e : sealed.values()) {
            if (!present.contains(e.name())) {
                missing.add(e.name());
                continue;
            }
            Path file = bucketDir.resolve(e.name());
            String sha = sha256(file);
            long bytes = Files.size(file);
            if (sha.equals(e.sha256()) && bytes == e.bytes()) intact.add(e.name());
            else changed.add(new Changed(e.name(), e.sha256(), sha, e.bytes(), bytes));
        }
        for (String name : present) if (!sealed.containsKey(name)) extra.add(name);
        return new Verification(bucketDir, true, List.copyOf(intact), List.copyOf(missing), List.copyOf(extra), List.copyOf(changed));
    }

    /** The visible files of a bucket, sorted by name; the manifest itself and hidden files excluded. */
    public static List<Path> finishedFiles(Path bucketDir) throws IOException {
        try (Stream<Path> files = Files.list(bucketDir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> isFinishedName(f.getFileName().toString()))
                    .sorted()
                    .toList();
        }
    }

    /** Not hidden (in-progress and pending files of the FileSink start with '.'), not the manifest. */
    public static boolean isFinishedName(String name) {
        return !name.startsWith(".") && !name.startsWith("_") && !name.equals(FILE_NAME) && !name.contains(".inprogress");
    }

    static Entry describe(Path file) throws IOException {
        ArchiveFileSummary summary;
        try (InputStream in = Files.newInputStream(file)) {
            summary = ArchiveFileSummary.of(in);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " is not a readable archive file: " + e.getMessage(), e);
        }
        return new Entry(file.getFileName().toString(), Files.size(file), summary.records(), sha256(file), summary.partitions());
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
