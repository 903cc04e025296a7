package org.turnoutstream.recovery;

import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkpoints an embedded run retained in its state directory, as Flink lays them out:
 * {@code <state dir>/<job id>/chk-<n>/_metadata} (a checkpoint is complete once its {@code _metadata} is written; a
 * {@code chk-<n>} without it was cut short by a crash). Every run is a new job id, so the directory holds one
 * subdirectory per run that took a checkpoint; Flink keeps the latest completed one of each.
 *
 * <p>Works on any Flink filesystem ({@code file:///...}, {@code s3://...}).
 */
public final class RetainedCheckpoints {
    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");
    /** Flink's metadata file of a completed checkpoint. */
    static final String METADATA = "_metadata";
    /** Where {@link #supersede} moves the runs a new run without state replaces. */
    static final String SUPERSEDED = "superseded";

    private final Path dir;

    public RetainedCheckpoints(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** A completed checkpoint: its directory ({@code chk-<n>}, what a job is restored from), number and when it completed. */
    public record Checkpoint(Path path, long id, Instant completedAt) {}

    /** The latest completed checkpoint of any run (by the time its metadata was written); empty when there is none. */
    public Optional<Checkpoint> latest() throws IOException {
        return completed().stream().max(Comparator.comparing(Checkpoint::completedAt).thenComparingLong(Checkpoint::id));
    }

    /** Every completed checkpoint in the directory. */
    public List<Checkpoint> completed() throws IOException {
        List<Checkpoint> found = new ArrayList<>();
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) return found;
        for (FileStatus run : list(fs, dir)) {
            if (!run.isDir() || run.getPath().getName().equals(SUPERSEDED)) continue;
            for (FileStatus chk : list(fs, run.getPath())) {
                Matcher m = CHECKPOINT.matcher(chk.getPath().getName());
                if (!chk.isDir() || !m.matches()) continue;
                Path metadata = new Path(chk.getPath(), METADATA);
                if (!fs.exists(metadata)) continue; // cut short
                FileStatus status = fs.getFileStatus(metadata);
                found.add(new Checkpoint(chk.getPath(), Long.parseLong(m.group(1)), Instant.ofEpochMilli(status.getModificationTime())));
            }
        }
        return found;
    }

    /**
     * Removes the runs other than the one holding {@code keep} (older checkpoints, or runs cut short before their first):
     * a run restored from {@code keep} needs nothing else. Returns how many were removed.
     */
    public int removeAllBut(Checkpoint keep) throws IOException {
        FileSystem fs = dir.getFileSystem();
        Path keepRun = keep.path().getParent();
        int removed = 0;
        for (FileStatus run : list(fs, dir)) {
            if (!run.isDir() || run.getPath().getName().equals(SUPERSEDED) || run.getPath().equals(keepRun)) continue;
            fs.delete(run.getPath(), true);
            removed++;
        }
        return removed;
    }

    /**
     * Moves every run aside, under {@code superseded/<now>/}, so that a run started without state is not resumed from
     * older checkpoints later (it would be, should it stop before its own first checkpoint). Returns where they went, or
     * empty when there was nothing to move.
     */
    public Optional<Path> supersede(Instant now) throws IOException {
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) return Optional.empty();
        Path target = new Path(new Path(dir, SUPERSEDED), now.toString().replace(':', '-'));
        boolean moved = false;
        for (FileStatus run : list(fs, dir)) {
            if (!run.isDir() || run.getPath().getName().equals(SUPERSEDED)) continue;
            fs.mkdirs(target);
            if (!fs.rename(run.getPath(), new Path(target, run.getPath().getName()))) {
                throw new IOException("could not move " + run.getPath() + " to " + target);
            }
            moved = true;
        }
        return moved ? Optional.of(target) : Optional.empty();
    }

    private static FileStatus[] list(FileSystem fs, Path path) throws IOException {
        FileStatus[] statuses = fs.listStatus(path);
        return statuses == null ? new FileStatus[0] : statuses;
    }
}
