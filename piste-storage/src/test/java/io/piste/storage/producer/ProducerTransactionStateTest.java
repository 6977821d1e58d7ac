package io.piste.storage.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.errors.InvalidTxnStateException;
import io.piste.storage.errors.TransactionCoordinatorFencedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerTransactionStateTest {
    @TempDir
    Path dir;

    private static void txnBatch(ProducerStateManager psm, long pid, int seq, long offset) {
        assertThat(psm.checkAndStage(pid, (short) 0, seq, seq, offset, offset, 100, true))
                .isNull();
        psm.commitStaged();
    }

    private static CompletedTxn marker(
            ProducerStateManager psm, long pid, int epoch, int coordEpoch, long offset, boolean commit) {
        CompletedTxn completed = psm.checkAndStageMarker(pid, (short) epoch, coordEpoch, offset, commit, (short) 0, 0L);
        psm.commitStaged();
        return completed;
    }

    @Test
    void shouldOpenATransactionAtItsFirstBatchAndCloseItWithAMarker() {
        ProducerStateManager psm = new ProducerStateManager(dir);
        txnBatch(psm, 1, 0, 10);
        txnBatch(psm, 1, 1, 11);
        txnBatch(psm, 2, 0, 12);

        assertThat(psm.lastEntry(1).currentTxnFirstOffset()).isEqualTo(10);
        assertThat(psm.openTransactions()).isEqualTo(Map.of(10L, 1L, 12L, 2L));
        assertThat(psm.firstUnstableOffset()).isEqualTo(10);

        CompletedTxn aborted = marker(psm, 1, 0, 3, 13, false);

        assertThat(aborted).isEqualTo(new CompletedTxn(1, 10, 13, true));
        assertThat(psm.lastEntry(1).inTransaction()).isFalse();
        assertThat(psm.lastEntry(1).coordinatorEpoch()).isEqualTo(3);
        // Completed, but its marker is not below the high watermark yet: still unstable.
        assertThat(psm.firstUnstableOffset()).isEqualTo(10);
        psm.onHighWatermarkUpdated(14);
        assertThat(psm.firstUnstableOffset()).isEqualTo(12);
        assertThat(psm.lastStableOffsetAfter(new CompletedTxn(2, 12, 20, true))).isEqualTo(21);
    }

    @Test
    void shouldReturnNoCompletedTransactionForAMarkerWithoutData() {
        ProducerStateManager psm = new ProducerStateManager(dir);

        assertThat(marker(psm, 7, 1, 0, 0, true)).isNull();
        assertThat(psm.lastEntry(7).epoch()).isEqualTo((short) 1);
        assertThat(psm.firstUnstableOffset()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldRefuseAMarkerWithAnOlderProducerEpochOrFromAFencedCoordinator() {
        ProducerStateManager psm = new ProducerStateManager(dir);
        assertThat(psm.checkAndStage(1, (short) 2, 0, 0, 0, 0, 100, true)).isNull();
        psm.commitStaged();
        marker(psm, 1, 2, 5, 1, true);

        assertThatThrownBy(() -> psm.checkAndStageMarker(1, (short) 1, 5, 2, true, (short) 0, 0L))
                .isInstanceOf(InvalidProducerEpochException.class)
                .hasMessageContaining("epoch=1")
                .hasMessageContaining("currentEpoch=2");
        assertThatThrownBy(() -> psm.checkAndStageMarker(1, (short) 2, 4, 2, false, (short) 0, 0L))
                .isInstanceOf(TransactionCoordinatorFencedException.class)
                .hasMessageContaining("coordinatorEpoch=4");
        psm.abortStaged();
        assertThat(psm.lastEntry(1).coordinatorEpoch()).isEqualTo(5);
    }

    @Test
    void shouldRefuseANonTransactionalBatchWhileATransactionIsOpen() {
        ProducerStateManager psm = new ProducerStateManager(dir);
        txnBatch(psm, 1, 0, 0);

        assertThatThrownBy(() -> psm.checkAndStage(1, (short) 0, 1, 1, 1, 1, 100, false))
                .isInstanceOf(InvalidTxnStateException.class)
                .hasMessageContaining("producerId=1");
    }

    @Test
    void shouldForgetStagedTransactionsWhenTheWriteFails() {
        ProducerStateManager psm = new ProducerStateManager(dir);
        psm.checkAndStage(1, (short) 0, 0, 0, 0, 0, 100, true);
        psm.abortStaged();

        assertThat(psm.openTransactions()).isEmpty();
        assertThat(psm.firstUnstableOffset()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldKeepOpenTransactionsAndCoordinatorEpochsInSnapshots() throws IOException {
        ProducerStateManager psm = new ProducerStateManager(dir);
        txnBatch(psm, 1, 0, 4);
        txnBatch(psm, 2, 0, 5);
        marker(psm, 2, 0, 9, 6, true);
        psm.takeSnapshot(7, true);

        ProducerStateManager reloaded = new ProducerStateManager(dir);
        assertThat(reloaded.loadLatestSnapshot(7)).isEqualTo(7);

        assertThat(reloaded.openTransactions()).isEqualTo(Map.of(4L, 1L));
        assertThat(reloaded.firstUnstableOffset()).isEqualTo(4);
        assertThat(reloaded.lastEntry(2).coordinatorEpoch()).isEqualTo(9);
        assertThatThrownBy(() -> reloaded.checkAndStageMarker(2, (short) 0, 8, 8, true, (short) 0, 0L))
                .isInstanceOf(TransactionCoordinatorFencedException.class);
    }

    @Test
    void shouldReadAVersionOneSnapshotAsProducersWithoutTransactions() throws IOException {
        // version 1, one producer (id 3, epoch 2) with one batch: seq 0-4 at offsets 10-14
        ByteBuffer buf = ByteBuffer.allocate(10 + 14 + 32);
        buf.putShort((short) 1).putInt(0).putInt(1);
        buf.putLong(3).putShort((short) 2).putInt(1);
        buf.putInt(0).putInt(4).putLong(10).putLong(14).putLong(100);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 6, buf.capacity() - 6);
        buf.putInt(2, (int) crc.getValue());
        Files.write(ProducerSnapshotFile.path(dir, 15), buf.array());

        ProducerStateManager psm = new ProducerStateManager(dir);
        assertThat(psm.loadLatestSnapshot(15)).isEqualTo(15);

        ProducerEntry entry = psm.lastEntry(3);
        assertThat(entry.epoch()).isEqualTo((short) 2);
        assertThat(entry.lastSequence()).isEqualTo(4);
        assertThat(entry.inTransaction()).isFalse();
        assertThat(entry.coordinatorEpoch()).isEqualTo(ProducerEntry.NO_COORDINATOR_EPOCH);
    }

    @Test
    void shouldNotExpireAProducerWithAnOpenTransaction() {
        ProducerStateManager psm = new ProducerStateManager(dir);
        txnBatch(psm, 1, 0, 0);

        assertThat(psm.removeExpired(1_000_000, 10)).isZero();
        assertThat(psm.lastEntry(1).inTransaction()).isTrue();
    }
}
