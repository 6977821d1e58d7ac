package io.piste.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.checkpoint.EpochEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka's LeaderEpochFileCache rules for trimming at the log start offset, and their checkpoint file. */
class LeaderEpochCacheTest {
    @TempDir
    Path dir;

    private LeaderEpochCache cacheWith(long... epochAndStart) {
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        for (int i = 0; i < epochAndStart.length; i += 2) {
            cache.maybeAssign((int) epochAndStart[i], epochAndStart[i + 1]);
        }
        return cache;
    }

    private String checkpoint() throws Exception {
        return Files.readString(dir.resolve("leader-epoch-checkpoint"));
    }

    @Test
    void shouldDropEpochsWhollyBelowTheLogStartAndMoveTheLastOneBelowToIt() throws Exception {
        LeaderEpochCache cache = cacheWith(0, 0, 2, 100, 3, 200, 5, 300);

        cache.truncateFromStart(250);

        assertThat(cache.entries()).containsExactly(new EpochEntry(3, 250), new EpochEntry(5, 300));
        assertThat(checkpoint()).isEqualTo("0\n2\n3 250\n5 300\n");
        assertThat(LeaderEpochCache.load(dir).entries()).isEqualTo(cache.entries());
        // the end offsets of the epochs kept do not change
        assertThat(cache.endOffsetFor(3, 400)).isEqualTo(300);
        assertThat(cache.endOffsetFor(5, 400)).isEqualTo(400);
    }

    @Test
    void shouldKeepAnEpochStartingExactlyAtTheLogStart() throws Exception {
        LeaderEpochCache cache = cacheWith(0, 0, 2, 100, 3, 200);

        cache.truncateFromStart(200);

        assertThat(cache.entries()).containsExactly(new EpochEntry(3, 200));
        assertThat(checkpoint()).isEqualTo("0\n1\n3 200\n");
    }

    @Test
    void shouldLeaveTheListAndTheFileAloneWhenNothingStartsBelowTheLogStart() throws Exception {
        LeaderEpochCache cache = cacheWith(2, 100, 3, 200);
        Files.writeString(dir.resolve("leader-epoch-checkpoint"), "0\n2\n2 100\n3 200\n");
        long modified = Files.getLastModifiedTime(dir.resolve("leader-epoch-checkpoint"))
                .toMillis();

        cache.truncateFromStart(100);
        cache.truncateFromStart(50);

        assertThat(cache.entries()).containsExactly(new EpochEntry(2, 100), new EpochEntry(3, 200));
        assertThat(Files.getLastModifiedTime(dir.resolve("leader-epoch-checkpoint"))
                        .toMillis())
                .isEqualTo(modified);
    }

    @Test
    void shouldMoveTheOnlyEpochToTheLogStartWhenEverythingStartsBelowIt() throws Exception {
        LeaderEpochCache cache = cacheWith(0, 0, 1, 10);

        cache.truncateFromStart(500);

        assertThat(cache.entries()).containsExactly(new EpochEntry(1, 500));
        assertThat(cache.endOffsetFor(1, 600)).isEqualTo(600);
        assertThat(cache.endOffsetFor(0, 600)).isEqualTo(-1);
    }
}
