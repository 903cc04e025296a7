package org.turnoutstream.cli;

import org.turnoutstream.archive.ArchiveBuckets;
import org.turnoutstream.archive.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** `turnout archive seal|verify`: the manifests of the audit archive that the live job writes with --archive-dir. */
@Command(name = "archive", mixinStandardHelpOptions = true,
        description = "Seals (manifest.json: size, records, SHA-256 per file) and verifies the hour buckets of the audit archive.",
        subcommands = {ArchiveCommand.Seal.class, ArchiveCommand.Verify.class})
public class ArchiveCommand {

    /** Every {@code election=*}/{@code hour=*} directory under the archive's base, sorted. */
    static List<Path> buckets(Path base) throws IOException {
        if (!Files.isDirectory(base)) throw new IllegalArgumentException("no archive directory at " + base);
        List<Path> buckets = new ArrayList<>();
        try (Stream<Path> elections = Files.list(base)) {
            for (Path election : elections.filter(Files::isDirectory).sorted().toList()) {
                if (!election.getFileName().toString().startsWith(ArchiveBuckets.ELECTION_PREFIX)) continue;
                try (Stream<Path> hours = Files.list(election)) {
                    hours.filter(h -> Files.isDirectory(h) && ArchiveBuckets.hourOf(h.getFileName().toString()) != null)
                            .sorted().forEach(buckets::add);
                }
            }
        }
        return buckets;
    }

    /** A local directory or a file: URI (manifests are local-filesystem only). */
    static Path localDir(String dir) {
        if (dir.startsWith("file:")) return Paths.get(URI.create(dir));
        if (dir.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("archive seal/verify work on a local directory (or file:// URI), not " + dir
                    + ": copy or mount the archive locally first");
        }
        return Paths.get(dir);
    }

    @Command(name = "seal", mixinStandardHelpOptions = true,
            description = {"Writes manifest.json in every hour bucket that is complete (its hour ended at least --grace ago) and not sealed yet.",
                    "Exit 0 when done, 2 on a bad directory or an unreadable file."})
    static class Seal implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The archive's base directory (the live job's --archive-dir).")
        String dir;

        @Option(names = "--grace", defaultValue = "15m", converter = DurationTypeConverter.class,
                description = "How long after an hour ends its bucket still receives files (checkpoints, late records) (default: ${DEFAULT-VALUE}).")
        Duration grace;

        @Option(names = "--reseal", description = "Seal again buckets that already have a manifest (after a deliberate change).")
        boolean reseal;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                Instant cutoff = Instant.now().minus(grace);
                int sealed = 0, skipped = 0;
                for (Path bucket : buckets(localDir(dir))) {
                    Instant hour = ArchiveBuckets.hourOf(bucket.getFileName().toString());
                    boolean hasManifest = Files.isRegularFile(bucket.resolve(Manifest.FILE_NAME));
                    if (hour.plus(Duration.ofHours(1)).isAfter(cutoff) || (hasManifest && !reseal)) {
                        skipped++;
                        continue;
                    }
                    List<Manifest.Entry> entries = Manifest.seal(bucket);
                    long records = entries.stream().mapToLong(Manifest.Entry::records).sum();
                    out.printf("sealed %s: %d file(s), %d record(s)%n", bucket, entries.size(), records);
                    sealed++;
                }
                out.printf("%d bucket(s) sealed, %d left as they were (sealed already or hour not over + %s)%n", sealed, skipped, grace);
                return 0;
            } catch (IOException | RuntimeException e) {
                err.println("archive seal: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Checks every hour bucket against its manifest: missing, extra and changed files (SHA-256).",
                    "Exit 0 when every bucket is sealed and intact, 1 when one is not, 2 on a bad directory."})
    static class Verify implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The archive's base directory.")
        String dir;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                List<Path> buckets = buckets(localDir(dir));
                int bad = 0;
                for (Path bucket : buckets) {
                    Manifest.Verification v = Manifest.verify(bucket);
                    out.println(v.summary());
                    if (!v.intact()) bad++;
                }
                out.printf("%d bucket(s), %d intact, %d not%n", buckets.size(), buckets.size() - bad, bad);
                return bad == 0 ? 0 : 1;
            } catch (IOException | RuntimeException e) {
                err.println("archive verify: " + e.getMessage());
                return 2;
            }
        }
    }
}
