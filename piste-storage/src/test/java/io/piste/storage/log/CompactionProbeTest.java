package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.log.CompactionAccess.SegmentInfo;
import io.piste.storage.record.TestBatches;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cleaner's measure of a closed log from its files agrees with the open log's segments. */
class CompactionProbeTest {
    @TempDir
    Path root;

    @Test
    void shouldCountInactiveSegmentsCleanBelowTheFirstDirtyOffsetAndDirtyFromIt() throws Exception {
        Path dir = root.resolve("changelog-0");
        List<SegmentInfo> segments;
        long firstBatchTimestamp;
        try (UnifiedLog log = UnifiedLog.open(dir, smallConfig(), () -> NOW_MS, true, 0)) {
            for (int i = 0; i < 40; i++) {
                log.appendAsLeader(
                        TestBatches.builder()
                                .records(3)
                                .timestamp(NOW_MS - 1000 + i)
                                .valueBytes(40)
                                .build(),
                        0);
            }
            segments = log.compaction().inactiveSegments();
            firstBatchTimestamp = log.compaction().firstBatchTimestamp(0);
        }
        assertThat(segments).hasSizeGreaterThan(3);
        long all = segments.stream().mapToLong(SegmentInfo::sizeInBytes).sum();
        SegmentInfo second = segments.get(1);
        SegmentInfo third = segments.get(2);

        CompactionProbe.Measure never = CompactionProbe.measure(dir, 0, -1);
        assertThat(never.cleanBytes()).isZero();
        assertThat(never.dirtyBytes()).isEqualTo(all);
        // the first batch's max timestamp, as the open log reads it for max.compaction.lag.ms
        assertThat(firstBatchTimestamp).isEqualTo(NOW_MS - 1000 + 2);
        assertThat(never.firstDirtyBatchTimestampMs()).isEqualTo(firstBatchTimestamp);

        // Checkpointed inside the third segment: the first two are clean, the third on dirty.
        CompactionProbe.Measure checkpointed = CompactionProbe.measure(dir, 0, third.baseOffset() + 1);
        long firstTwo = segments.get(0).sizeInBytes() + second.sizeInBytes();
        assertThat(checkpointed.cleanBytes()).isEqualTo(firstTwo);
        assertThat(checkpointed.dirtyBytes()).isEqualTo(all - firstTwo);
        assertThat(checkpointed.firstDirtyBatchTimestampMs()).isPositive();

        // Segments wholly below the log start are retention's: neither clean nor dirty.
        CompactionProbe.Measure trimmed = CompactionProbe.measure(dir, second.nextOffset(), -1);
        assertThat(trimmed.cleanBytes()).isZero();
        assertThat(trimmed.dirtyBytes()).isEqualTo(all - firstTwo);

        assertThat(CompactionProbe.measure(root.resolve("missing-0"), 0, -1).dirtyBytes())
                .isZero();
    }
}
