package org.turnoutstream.cli;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the embedded run restores at start, over state directories laid out as Flink leaves them. */
class EmbeddedStateTest {
    static final Instant NOW = Instant.parse("2026-12-06T09:00:00Z");

    @TempDir Path state;

    @Test
    void anEmptyOrMissingDirectoryStartsWithoutStateAndCheckpointsGoThereRetained() throws Exception {
        EmbeddedState.Plan plan = EmbeddedState.plan(state.resolve("not-yet").toString(), false, null, NOW);
        assertEquals(Optional.empty(), plan.restoredFrom());
        assertFalse(plan.configuration().contains(StateRecoveryOptions.SAVEPOINT_PATH));
        assertEquals("filesystem", plan.configuration().get(CheckpointingOptions.CHECKPOINT_STORAGE));
        assertEquals(state.resolve("not-yet"), local(plan.configuration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)));
        assertEquals(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION,
                plan.configuration().get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION));
        assertTrue(plan.description().startsWith("no retained checkpoint in "), plan.description());
    }

    @Test
    void theLatestCompletedCheckpointOfAnyRunIsResumedAndOlderRunsAreRemoved() throws Exception {
        Path older = checkpoint("run-a", 40, NOW.minusSeconds(600));
        Path latest = checkpoint("run-b", 3, NOW.minusSeconds(60)); // a later run: fewer checkpoints, but the latest
        Path cutShort = Files.createDirectories(state.resolve("run-b").resolve("chk-4")); // crashed while writing it: no _metadata
        Path neverCheckpointed = Files.createDirectories(state.resolve("run-c").resolve("shared"));

        EmbeddedState.Plan plan = EmbeddedState.plan(state.toString(), false, null, NOW);

        assertEquals(latest, local(plan.restoredFrom().orElseThrow()));
        assertEquals(latest, local(plan.configuration().get(StateRecoveryOptions.SAVEPOINT_PATH)));
        assertTrue(plan.description().startsWith("resuming from the latest retained checkpoint " + plan.restoredFrom().get()), plan.description());
        assertTrue(plan.description().contains("checkpoint 3"), plan.description());
        assertFalse(Files.exists(older.getParent()), "the older run is removed");
        assertFalse(Files.exists(neverCheckpointed.getParent()), "a run without a completed checkpoint is removed");
        assertTrue(Files.exists(latest.resolve("_metadata")) && Files.exists(cutShort), "the run resumed from stays as it is");
    }

    @Test
    void noResumeMovesEveryRunAsideSoThatALaterStartDoesNotGoBackToThem() throws Exception {
        checkpoint("run-a", 7, NOW.minusSeconds(60));
        EmbeddedState.Plan plan = EmbeddedState.plan(state.toString(), true, null, NOW);
        assertEquals(Optional.empty(), plan.restoredFrom());
        assertTrue(plan.description().startsWith("starting WITHOUT state (--no-resume)"), plan.description());
        assertFalse(Files.exists(state.resolve("run-a")));
        assertTrue(Files.exists(state.resolve("superseded").resolve("2026-12-06T09-00-00Z").resolve("run-a").resolve("chk-7").resolve("_metadata")));

        EmbeddedState.Plan next = EmbeddedState.plan(state.toString(), false, null, NOW.plusSeconds(5));
        assertEquals(Optional.empty(), next.restoredFrom(), "superseded checkpoints are not resumed");
    }

    @Test
    void aGivenSavepointIsRestoredAndTheTwoWaysExcludeEachOther() throws Exception {
        checkpoint("run-a", 7, NOW.minusSeconds(60));
        Path savepoint = Files.createDirectories(state.getParent().resolve("savepoint-1"));
        EmbeddedState.Plan plan = EmbeddedState.plan(state.toString(), false, savepoint.toString(), NOW);
        assertEquals(savepoint, local(plan.restoredFrom().orElseThrow()));
        assertTrue(Files.exists(state.resolve("run-a")), "the retained runs are left alone");
        assertThrows(IllegalArgumentException.class, () -> EmbeddedState.plan(state.toString(), true, savepoint.toString(), NOW));
    }

    @Test
    void aUriIsTakenAsItIsAndAPathMadeAbsolute() {
        assertEquals("s3://bucket/turnout/state", EmbeddedState.uri("s3://bucket/turnout/state").toString());
        assertEquals(Path.of("rel/dir").toAbsolutePath().toUri(), EmbeddedState.uri("rel/dir"));
    }

    /** A file: URI as a local path. */
    static Path local(String uri) {
        return Path.of(java.net.URI.create(uri));
    }

    /** A completed checkpoint {@code chk-<id>} of run {@code run}, its metadata written at {@code at}. */
    Path checkpoint(String run, long id, Instant at) throws Exception {
        Path chk = Files.createDirectories(state.resolve(run).resolve("chk-" + id));
        Path metadata = Files.write(chk.resolve("_metadata"), new byte[] {1, 2, 3});
        Files.setLastModifiedTime(metadata, FileTime.from(at));
        return chk;
    }
}
