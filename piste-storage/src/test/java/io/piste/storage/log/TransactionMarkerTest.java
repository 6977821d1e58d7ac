package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static io.piste.storage.log.TransactionRestartTest.txn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.errors.TransactionCoordinatorFencedException;
import io.piste.storage.record.ControlBatches;
import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Markers through the coordinator's path, and the last stable offset they move. */
class TransactionMarkerTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    private UnifiedLog open(boolean clean) throws IOException {
        return UnifiedLog.open(dir.resolve("topic-0"), smallConfig(), clock::get, clean, 0);
    }

    @Test
    void shouldAppendAMarkerInKafkasFormatThatClosesTheTransaction() throws IOException {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(txn(7, 0, 3), 0);

            LogAppendInfo info = log.transactions().appendMarker(7, (short) 0, 4, true, (short) 0, 0);

            assertThat(info.firstOffset()).isEqualTo(3);
            assertThat(info.lastOffset()).isEqualTo(3);
            assertThat(log.logEndOffset()).isEqualTo(4);
            assertThat(log.producerState().openTransactions()).isEmpty();
            List<ByteBuffer> batches = LogTestSupport.readAll(log, 3);
            RecordBatchView view = new RecordBatchView().wrap(batches.get(0), 0);
            assertThat(view.isControl()).isTrue();
            assertThat(view.isTransactional()).isTrue();
            assertThat(view.producerId()).isEqualTo(7);
            assertThat(view.baseOffset()).isEqualTo(3);
            assertThat(view.isCrcValid()).isTrue();
            long marker = ControlBatches.parseMarker(view.buffer(), RecordBatchView.HEADER_SIZE, view.sizeInBytes());
            assertThat(ControlBatches.isCommit(marker)).isTrue();
            assertThat(ControlBatches.coordinatorEpoch(marker)).isEqualTo(4);
        }
    }

    @Test
    void shouldRefuseAMarkerWithAnOlderEpochAndWriteNothing() throws IOException {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(
                    io.piste.storage.record.TestBatches.builder()
                            .timestamp(NOW_MS)
                            .producer(7, (short) 3, 0)
                            .transactional(true)
                            .build(),
                    0);
            log.transactions().appendMarker(7, (short) 3, 2, false, (short) 0, 0);

            assertThatThrownBy(() -> log.transactions().appendMarker(7, (short) 2, 2, true, (short) 0, 0))
                    .isInstanceOf(InvalidProducerEpochException.class);
            assertThatThrownBy(() -> log.transactions().appendMarker(7, (short) 3, 1, true, (short) 0, 0))
                    .isInstanceOf(TransactionCoordinatorFencedException.class);
            assertThat(log.logEndOffset()).isEqualTo(2);
        }
    }

    @Test
    void shouldRebuildClosedAndOpenTransactionsFromMarkersInTheLogAfterACrash() throws IOException {
        try (UnifiedLog log = open(false)) {
            log.appendAsLeader(txn(7, 0, 2), 0); // 0-1
            log.appendAsLeader(txn(8, 0, 2), 0); // 2-3
            log.transactions().appendMarker(7, (short) 0, 5, false, (short) 0, 0); // 4
            log.appendAsLeader(txn(9, 0, 1), 0); // 5
            log.transactions().appendMarker(8, (short) 0, 5, true, (short) 0, 0); // 6
            log.appendAsLeader(txn(7, 2, 1), 0); // 7: a new transaction of producer 7
        }
        new TransactionRestartTest().deleteSnapshotsIn(dir.resolve("topic-0"));
        try (UnifiedLog log = open(false)) {
            assertThat(log.producerState().openTransactions()).isEqualTo(Map.of(5L, 9L, 7L, 7L));
            assertThat(log.producerState().lastEntry(8).coordinatorEpoch()).isEqualTo(5);
            assertThatThrownBy(() -> log.transactions().appendMarker(8, (short) 0, 4, true, (short) 0, 0))
                    .isInstanceOf(TransactionCoordinatorFencedException.class);
        }
    }

    @Test
    void shouldMakeAMarkerDurableByAFlushAsAnyAppend() throws IOException {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(txn(7, 0, 1), 0);
            log.transactions().appendMarker(7, (short) 0, 0, true, (short) 0, 0);

            log.flush();

            assertThat(log.recoveryPoint()).isEqualTo(2);
        }
    }

    @Test
    void shouldBoundTheLastStableOffsetByTheOldestUndecidedTransactionAndTheHighWatermark() throws IOException {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(LogTestSupport.batch(2), 0); // 0-1
            log.updateHighWatermark(log.logEndOffset());
            assertThat(log.transactions().lastStableOffset()).isEqualTo(2);

            log.appendAsLeader(txn(7, 0, 2), 0); // 2-3
            log.appendAsLeader(LogTestSupport.batch(1), 0); // 4
            log.appendAsLeader(txn(8, 0, 1), 0); // 5
            assertThat(log.transactions().lastStableOffset()).isEqualTo(2); // the high watermark
            log.updateHighWatermark(log.logEndOffset());
            assertThat(log.transactions().lastStableOffset()).isEqualTo(2); // the open transaction

            log.transactions().appendMarker(7, (short) 0, 0, true, (short) 0, 0); // 6
            // Decided, but its marker is not below the high watermark: a crash could still take it back.
            assertThat(log.transactions().lastStableOffset()).isEqualTo(2);
            log.updateHighWatermark(log.logEndOffset());
            assertThat(log.transactions().lastStableOffset()).isEqualTo(5); // producer 8's transaction

            log.transactions().appendMarker(8, (short) 0, 0, false, (short) 0, 0); // 7
            log.updateHighWatermark(log.logEndOffset());
            assertThat(log.transactions().lastStableOffset()).isEqualTo(8).isEqualTo(log.highWatermark());
        }
    }
}
