package io.piste.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import io.piste.storage.record.TestBatches;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the dirty part of a compacted log ends. */
class CleaningCandidateTest {
    private static final long NOW_MS = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldEndTheDirtyPartBeforeTheSegmentOfAnUndecidedTransaction() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(1024).withIndexIntervalBytes(128);
        try (UnifiedLog log = UnifiedLog.open(dir.resolve("t-0"), config, () -> NOW_MS, true, 0)) {
            for (int i = 0; i < 20; i++) {
                log.appendAsLeader(
                        TestBatches.builder().records(3).timestamp(NOW_MS).build(), 0);
            }
            long openTxnStart = log.logEndOffset();
            log.appendAsLeader(
                    TestBatches.builder()
                            .timestamp(NOW_MS)
                            .producer(7, (short) 0, 0)
                            .transactional(true)
                            .build(),
                    0);
            for (int i = 0; i < 20; i++) {
                log.appendAsLeader(
                        TestBatches.builder().records(3).timestamp(NOW_MS).build(), 0);
            }
            log.flush();
            log.updateHighWatermark(log.logEndOffset());
            CleanableLog target =
                    new CleanableLog(new TopicPartitionKey("t", 0), log, CleanerSettings.compactedDefaults());

            CleaningCandidate open = CleaningCandidate.of(target, -1, NOW_MS);
            assertThat(open.firstUncleanableOffset()).isLessThanOrEqualTo(openTxnStart);

            log.transactions().appendMarker(7, (short) 0, 0, false, (short) 0, 0);
            log.appendAsLeader(
                    TestBatches.builder().records(3).timestamp(NOW_MS).build(), 0);
            log.flush();
            log.updateHighWatermark(log.logEndOffset());

            CleaningCandidate decided = CleaningCandidate.of(target, -1, NOW_MS);
            assertThat(decided.firstUncleanableOffset()).isGreaterThan(openTxnStart);
        }
    }
}
