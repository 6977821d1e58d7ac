package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.errors.InvalidBatchException;
import io.piste.storage.record.RecordBatchView;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a clean shutdown the batches below the last offset-index entry are not scanned again, so a damaged batch
 * header there (bit rot, a hand edit) reaches the readers: its length is checked against the bytes of the segment
 * before it is used to size a read, a copy or the next step of a walk.
 */
class SegmentHeaderTrustTest {
    private static final int BATCHES = 40;

    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();
    private final LogConfig config = LogConfig.defaults().withIndexIntervalBytes(128);

    @Test
    void shouldRefuseABatchLengthBeyondTheSegmentInsteadOfSizingAReadByIt() throws Exception {
        writeLogWithFirstBatchLength(Integer.MAX_VALUE - 100);

        try (UnifiedLog log = UnifiedLog.open(logDir(), config, clock::get, true, 0)) {
            assertThat(log.logEndOffset())
                    .as("the clean load trusts the damaged batch")
                    .isEqualTo(2L * BATCHES);
            assertThatThrownBy(() -> log.read(0, 1, Long.MAX_VALUE, true))
                    .isInstanceOf(InvalidBatchException.class)
                    .hasMessageContaining("position=0 batchLength=" + (Integer.MAX_VALUE - 100));
            assertThatThrownBy(() -> log.findBatchByTimestamp(Long.MIN_VALUE))
                    .isInstanceOf(InvalidBatchException.class);
        }
    }

    @Test
    void shouldRefuseABatchLengthShorterThanAHeaderInsteadOfWalkingBackwards() throws Exception {
        writeLogWithFirstBatchLength(-100);

        try (UnifiedLog log = UnifiedLog.open(logDir(), config, clock::get, true, 0)) {
            assertThatThrownBy(() -> log.read(0, 1, Long.MAX_VALUE, true))
                    .isInstanceOf(InvalidBatchException.class)
                    .hasMessageContaining("batchLength=-100");
        }
    }

    private Path logDir() {
        return dir.resolve("topic-0");
    }

    private void writeLogWithFirstBatchLength(int batchLength) throws Exception {
        try (UnifiedLog log = UnifiedLog.open(logDir(), config, clock::get, true, 0)) {
            for (int i = 0; i < BATCHES; i++) {
                log.appendAsLeader(batch(2), 0);
            }
        }
        Path segment = logDir().resolve(String.format("%020d.log", 0));
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4).putInt(0, batchLength), RecordBatchView.LOG_OVERHEAD - 4);
        }
    }
}
