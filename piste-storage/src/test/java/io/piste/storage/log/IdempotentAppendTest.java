package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.errors.InvalidRecordException;
import io.piste.storage.errors.OutOfOrderSequenceException;
import io.piste.storage.producer.ProducerEntry;
import io.piste.storage.record.TestBatches;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdempotentAppendTest {
    private static final long PID = 4242L;

    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    private UnifiedLog open(boolean clean) throws Exception {
        return UnifiedLog.open(dir.resolve("topic-0"), smallConfig(), clock::get, clean, 0);
    }

    private static ByteBuffer idempotent(int epoch, int firstSeq, int records) {
        return TestBatches.builder()
                .records(records)
                .timestamp(NOW_MS)
                .producer(PID, (short) epoch, firstSeq)
                .build();
    }

    @Test
    void shouldReturnOriginalOffsetsForDuplicateAndWriteNothing() throws Exception {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(idempotent(0, 0, 3), 0);
            log.appendAsLeader(idempotent(0, 3, 2), 0);
            long size = log.sizeInBytes();

            LogAppendInfo dup = log.appendAsLeader(idempotent(0, 0, 3), 0);

            assertThat(dup.duplicate()).isTrue();
            assertThat(dup.firstOffset()).isZero();
            assertThat(dup.lastOffset()).isEqualTo(2);
            assertThat(log.sizeInBytes()).isEqualTo(size);
            assertThat(log.logEndOffset()).isEqualTo(5);
        }
    }

    @Test
    void shouldRefuseARetriedBatchAppendedTogetherWithANewOne() throws Exception {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(idempotent(0, 0, 3), 0);
            long size = log.sizeInBytes();

            // A new batch then a retry of the first: answering "duplicate" would drop the new batch unsaid.
            ByteBuffer newThenRetried = TestBatches.concat(idempotent(0, 3, 2), idempotent(0, 0, 3));

            assertThatThrownBy(() -> log.appendAsLeader(newThenRetried, 0))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("producerId=" + PID);
            assertThat(log.sizeInBytes()).isEqualTo(size);
            assertThat(log.logEndOffset()).isEqualTo(3);
            assertThat(log.producerState().lastEntry(PID).lastSequence()).isEqualTo(2);
            log.appendAsLeader(idempotent(0, 3, 2), 0);
            assertThat(log.logEndOffset()).isEqualTo(5);
        }
    }

    @Test
    void shouldRejectSequenceGap() throws Exception {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(idempotent(0, 0, 5), 0);

            assertThatThrownBy(() -> log.appendAsLeader(idempotent(0, 6, 1), 0))
                    .isInstanceOf(OutOfOrderSequenceException.class)
                    .hasMessageContaining("producerId=" + PID)
                    .hasMessageContaining("expectedSequence=5")
                    .hasMessageContaining("receivedSequence=6");
            assertThat(log.logEndOffset()).isEqualTo(5);
            assertThat(log.producerState().lastEntry(PID).lastSequence()).isEqualTo(4);
        }
    }

    @Test
    void shouldRejectStaleEpochAndRequireSequenceZeroOnNewEpoch() throws Exception {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(idempotent(3, 0, 2), 0);

            assertThatThrownBy(() -> log.appendAsLeader(idempotent(2, 2, 1), 0))
                    .isInstanceOf(InvalidProducerEpochException.class)
                    .hasMessageContaining("epoch=2");
            assertThatThrownBy(() -> log.appendAsLeader(idempotent(4, 2, 1), 0))
                    .isInstanceOf(OutOfOrderSequenceException.class);
            log.appendAsLeader(idempotent(4, 0, 1), 0);
            assertThat(log.producerState().lastEntry(PID).epoch()).isEqualTo((short) 4);
        }
    }

    @Test
    void shouldAcceptSeveralBatchesOfOneProducerInOneAppend() throws Exception {
        try (UnifiedLog log = open(true)) {
            ByteBuffer two = TestBatches.concat(idempotent(0, 0, 2), idempotent(0, 2, 2));

            LogAppendInfo info = log.appendAsLeader(two, 0);

            assertThat(info.lastOffset()).isEqualTo(3);
            assertThat(log.producerState().lastEntry(PID).lastSequence()).isEqualTo(3);
            assertThat(log.producerState().lastEntry(PID).batches()).hasSize(2);
        }
    }

    @Test
    void shouldKeepProducerStateAcrossCleanClose() throws Exception {
        try (UnifiedLog log = open(true)) {
            for (int i = 0; i < 20; i++) {
                log.appendAsLeader(idempotent(1, i * 2, 2), 0);
            }
        }

        try (UnifiedLog log = open(true)) {
            assertThat(log.recoveredBatchCount()).isZero();
            ProducerEntry entry = log.producerState().lastEntry(PID);
            assertThat(entry.lastSequence()).isEqualTo(39);
            assertThat(entry.lastOffset()).isEqualTo(39);
            assertThat(log.appendAsLeader(idempotent(1, 38, 2), 0).duplicate()).isTrue();
            assertThat(log.appendAsLeader(idempotent(1, 40, 2), 0).firstOffset())
                    .isEqualTo(40);
        }
    }

    @Test
    void shouldForgetProducersSilentForLongerThanTheExpiration() throws Exception {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(idempotent(0, 0, 3), 0);
            clock.set(NOW_MS + 1_000);
            assertThat(log.removeExpiredProducers(10_000)).isZero();
            assertThat(log.producerState().lastEntry(PID)).isNotNull();

            clock.set(NOW_MS + 20_000);
            assertThat(log.removeExpiredProducers(10_000)).isEqualTo(1);
            assertThat(log.producerState().lastEntry(PID)).isNull();
            // a producer that comes back after expiry is accepted as a new one
            assertThat(log.appendAsLeader(idempotent(0, 7, 1), 0).duplicate()).isFalse();
        }
    }

    @Test
    void shouldRebuildProducerStateOnUncleanOpenWithoutSnapshots() throws Exception {
        try (UnifiedLog log = open(true)) {
            for (int i = 0; i < 20; i++) {
                log.appendAsLeader(idempotent(1, i * 2, 2), 0);
            }
        }
        try (Stream<Path> files = Files.list(dir.resolve("topic-0"))) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".snapshot"))::iterator) {
                Files.delete(p);
            }
        }

        try (UnifiedLog log = open(false)) {
            assertThat(log.producerState().lastEntry(PID).lastSequence()).isEqualTo(39);
            assertThatThrownBy(() -> log.appendAsLeader(idempotent(1, 41, 1), 0))
                    .isInstanceOf(OutOfOrderSequenceException.class);
            assertThat(log.appendAsLeader(idempotent(1, 36, 2), 0).duplicate()).isTrue();
        }
    }

    /** As Kafka replays from the batch holding the log start offset: DeleteRecords may move it inside a batch. */
    @Test
    void shouldReplayTheBatchHoldingTheLogStartOffsetWhenRebuildingProducerState() throws Exception {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(idempotent(1, 0, 4), 0); // offsets 0..3
            log.flush();
            log.updateHighWatermark(log.logEndOffset());
            log.retention().maybeIncrementLogStartOffset(2);
        }
        try (Stream<Path> files = Files.list(dir.resolve("topic-0"))) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".snapshot"))::iterator) {
                Files.delete(p);
            }
        }

        try (UnifiedLog log = UnifiedLog.open(
                dir.resolve("topic-0"), smallConfig(), clock::get, false, 0, 2, FileChannelFactory.DEFAULT)) {
            assertThat(log.logStartOffset()).isEqualTo(2);
            LogAppendInfo retry = log.appendAsLeader(idempotent(1, 0, 4), 0);
            assertThat(retry.duplicate()).isTrue();
            assertThat(retry.firstOffset()).isZero();
        }
    }

    @Test
    void shouldForgetBatchesCutByRecovery() throws Exception {
        try (UnifiedLog log = open(true)) {
            for (int i = 0; i < 20; i++) {
                log.appendAsLeader(idempotent(1, i * 2, 2), 0);
            }
        }
        Path logDir = dir.resolve("topic-0");
        Path last;
        try (Stream<Path> files = Files.list(logDir)) {
            last = files.filter(p -> p.toString().endsWith(".log"))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
        long size = Files.size(last);
        int batchBytes = idempotent(1, 0, 2).remaining();
        try (var ch = java.nio.channels.FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(size - batchBytes / 2);
        }

        try (UnifiedLog log = open(false)) {
            assertThat(log.logEndOffset()).isEqualTo(38);
            assertThat(log.producerState().lastEntry(PID).lastSequence()).isEqualTo(37);
            assertThat(log.appendAsLeader(idempotent(1, 38, 2), 0).duplicate()).isFalse();
        }
    }

    @Test
    void shouldNotCheckBatchesWithoutProducerId() throws Exception {
        try (UnifiedLog log = open(true)) {
            ByteBuffer plain = TestBatches.builder().timestamp(NOW_MS).build();
            log.appendAsLeader(plain, 0);
            log.appendAsLeader(TestBatches.builder().timestamp(NOW_MS).build(), 0);

            assertThat(log.logEndOffset()).isEqualTo(2);
            assertThat(log.producerState().activeProducerCount()).isZero();
        }
    }
}
