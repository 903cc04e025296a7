package org.turnoutstream.cli;

import org.turnoutstream.recovery.RetainedCheckpoints;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Optional;

/**
 * Where the embedded run ({@code turnout live} without a cluster) keeps its checkpoints, and what it restores at start.
 *
 * <p>Checkpoints go to the state directory (any Flink filesystem) and are retained when the job is cancelled or the
 * process dies, so that the same command started again resumes from the latest completed one by itself: the counts,
 * the outage states and the Kafka offsets of that checkpoint together, so every point it publishes again is the point
 * it published before. Without a state directory on disk (as before: checkpoints in the JobManager's heap) a restart
 * started from the committed offsets with empty state, and overwrote published history with partial sums.
 *
 * <p>Three ways to start: the latest retained checkpoint (the default, when there is one), a given savepoint or
 * checkpoint ({@code --from-savepoint}), or without state ({@code --no-resume}: the retained runs are moved aside, under
 * {@code superseded/}, so that a later start does not go back to them).
 */
public final class EmbeddedState {
    private EmbeddedState() {}

    /** What the run is started with: the Flink configuration to run it with, and a line for the log saying what it restores. */
    public record Plan(Configuration configuration, Optional<String> restoredFrom, String description) {}

    /**
     * The plan for a run keeping its checkpoints in {@code stateDir} (a path or a filesystem URI): restoring
     * {@code fromSavepoint} when given, else (unless {@code noResume}) the latest completed checkpoint retained there.
     * Prepares the directory: older runs are removed when resuming, all are moved aside with {@code noResume}.
     */
    public static Plan plan(String stateDir, boolean noResume, String fromSavepoint, Instant now) throws IOException {
        if (noResume && fromSavepoint != null) throw new IllegalArgumentException("--no-resume and --from-savepoint exclude each other");
        Path dir = new Path(uri(stateDir));
        RetainedCheckpoints retained = new RetainedCheckpoints(dir);
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);

        if (fromSavepoint != null) {
            String path = uri(fromSavepoint).toString();
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, path);
            return new Plan(conf, Optional.of(path), "restoring the savepoint " + path + " (--from-savepoint); checkpoints go to " + dir);
        }
        if (noResume) {
            Optional<Path> moved = retained.supersede(now);
            return new Plan(conf, Optional.empty(), "starting WITHOUT state (--no-resume)"
                    + moved.map(m -> "; the checkpoints of earlier runs were moved to " + m).orElse("") + "; checkpoints go to " + dir);
        }
        Optional<RetainedCheckpoints.Checkpoint> latest = retained.latest();
        if (latest.isEmpty()) {
            return new Plan(conf, Optional.empty(), "no retained checkpoint in " + dir + ": starting without state; checkpoints go there");
        }
        RetainedCheckpoints.Checkpoint checkpoint = latest.get();
        int removed = retained.removeAllBut(checkpoint);
        String path = checkpoint.path().toUri().toString();
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, path);
        return new Plan(conf, Optional.of(path), "resuming from the latest retained checkpoint " + path + " (checkpoint " + checkpoint.id()
                + ", completed " + checkpoint.completedAt() + (removed > 0 ? "; " + removed + " older run(s) removed" : "")
                + "); --no-resume starts without state");
    }

    /** A path or URI as a URI: a path without a scheme is a local one, made absolute. */
    static URI uri(String pathOrUri) {
        try {
            URI uri = new URI(pathOrUri);
            if (uri.getScheme() != null && uri.getScheme().length() > 1) return uri; // not a drive letter
        } catch (URISyntaxException notAUri) {
            // a local path with characters a URI does not take as they are
        }
        return Paths.get(pathOrUri).toAbsolutePath().normalize().toUri();
    }
}
