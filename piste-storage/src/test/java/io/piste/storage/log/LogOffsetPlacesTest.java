package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.errors.OffsetOutOfRangeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log end, the recovery point and the high watermark carry their place in the log (segment and byte position),
 * so that a parked fetch counts the bytes below the high watermark without reading them ({@link LogOffsetPlaces}).
 */
class LogOffsetPlacesTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    private static LogOffsetMetadata place(UnifiedLog log, long offset) throws IOException {
        return log.places().place(offset, log.logStartOffset());
    }

    private UnifiedLog open(LogConfig config, boolean clean) throws Exception {
        return UnifiedLog.open(dir.resolve("topic-0"), config, clock::get, clean, 0);
    }

    @Test
    void shouldPlaceTheLogEndAfterEachAppend() throws Exception {
        try (UnifiedLog log = open(LogConfig.defaults(), true)) {
            assertThat(log.places().logEnd()).isEqualTo(new LogOffsetMetadata(0, 0, 0));
            int size = batch(2).remaining();
            log.appendAsLeader(batch(2), 0);
            log.appendAsLeader(batch(2), 0);

            assertThat(log.places().logEnd()).isEqualTo(new LogOffsetMetadata(4, 0, 2 * size));
            assertThat(place(log, 2)).isEqualTo(new LogOffsetMetadata(2, 0, size));
            assertThat(place(log, 3))
                    .as("inside a batch: the batch's place")
                    .isEqualTo(new LogOffsetMetadata(3, 0, size));
            assertThatThrownBy(() -> place(log, 5)).isInstanceOf(OffsetOutOfRangeException.class);
        }
    }

    @Test
    void shouldPlaceOffsetsOnTheirSegmentAfterARoll() throws Exception {
        try (UnifiedLog log = open(LogTestSupport.smallConfig(), true)) {
            while (log.numberOfSegments() < 3) {
                log.appendAsLeader(batch(1), 0);
            }
            LogOffsetMetadata end = log.places().logEnd();
            long lastBase = end.segmentBaseOffset();

            assertThat(lastBase).isPositive();
            assertThat(place(log, lastBase)).isEqualTo(new LogOffsetMetadata(lastBase, lastBase, 0));
            assertThat(place(log, 0).onOlderSegment(end)).isTrue();
            assertThat(place(log, lastBase).onOlderSegment(end)).isFalse();
        }
    }

    @Test
    void shouldKeepThePlaceOfTheFlushedOffsetForTheHighWatermark() throws Exception {
        try (UnifiedLog log = open(LogConfig.defaults(), true)) {
            log.appendAsLeader(batch(2), 0);
            LogOffsetMetadata flushedEnd = log.places().logEnd();
            log.flush();
            log.appendAsLeader(batch(2), 0);

            assertThat(log.places().recoveryPoint()).isEqualTo(flushedEnd);
            log.updateHighWatermark(log.recoveryPoint());
            assertThat(log.places().highWatermark()).isEqualTo(flushedEnd);
            log.updateHighWatermark(log.places().logEnd());
            assertThat(log.places().highWatermark()).isEqualTo(log.places().logEnd());
            assertThat(log.highWatermark()).isEqualTo(4);
        }
    }

    @Test
    void shouldKnowOnlyTheOffsetOfAHighWatermarkSetElsewhere() throws Exception {
        try (UnifiedLog log = open(LogConfig.defaults(), true)) {
            log.appendAsLeader(batch(2), 0);
            log.appendAsLeader(batch(2), 0);

            log.updateHighWatermark(2);

            assertThat(log.highWatermark()).isEqualTo(2);
            assertThat(log.places().highWatermark().messageOffsetOnly()).isTrue();
        }
    }

    @Test
    void shouldPlaceTheLogEndAndRecoveryPointAfterAnOpen() throws Exception {
        int size = batch(2).remaining();
        try (UnifiedLog log = open(LogConfig.defaults(), true)) {
            log.appendAsLeader(batch(2), 0);
        }
        try (UnifiedLog log = open(LogConfig.defaults(), false)) {
            LogOffsetMetadata end = new LogOffsetMetadata(2, 0, size);
            assertThat(log.places().logEnd()).isEqualTo(end);
            assertThat(log.places().recoveryPoint())
                    .as("recovery flushed what it scanned")
                    .isEqualTo(end);
        }
    }
}
