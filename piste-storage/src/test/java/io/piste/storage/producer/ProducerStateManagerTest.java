package io.piste.storage.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.errors.OutOfOrderSequenceException;
import io.piste.storage.errors.ProducerIdLimitExceededException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerStateManagerTest {
    @TempDir
    Path dir;

    private ProducerStateManager append(
            ProducerStateManager psm, long pid, int epoch, int firstSeq, int lastSeq, long firstOffset) {
        BatchMetadata dup = psm.checkAndStage(
                pid, (short) epoch, firstSeq, lastSeq, firstOffset, firstOffset + lastSeq - firstSeq, 100, false);
        assertThat(dup).isNull();
        psm.commitStaged();
        return psm;
    }

    @Test
    void shouldAcceptAnySequenceFromUnknownProducer() {
        ProducerStateManager psm = new ProducerStateManager(dir);

        append(psm, 1, 0, 17, 19, 0);

        assertThat(psm.lastEntry(1).lastSequence()).isEqualTo(19);
        assertThat(psm.activeProducerCount()).isEqualTo(1);
    }

    @Test
    void shouldRefuseANewProducerBeyondTheLimitAndKeepServingTheTrackedOnes() {
        ProducerStateManager psm = new ProducerStateManager(dir);
        psm.setMaxProducerIds(2);
        append(psm, 1, 0, 0, 0, 0);
        append(psm, 2, 0, 0, 0, 1);

        assertThatThrownBy(() -> psm.checkAndStage(3, (short) 0, 0, 0, 2, 2, 100, false))
                .isInstanceOf(ProducerIdLimitExceededException.class)
                .hasMessageContaining("producerId=3")
                .hasMessageContaining("producer.id.max.per.partition=2");
        psm.abortStaged();

        assertThat(psm.activeProducerCount()).isEqualTo(2);
        assertThat(psm.lastEntry(3)).isNull();
        append(psm, 1, 0, 1, 1, 2);
        append(psm, 2, 1, 0, 0, 3);
        assertThat(psm.lastEntry(1).lastSequence()).isEqualTo(1);
        assertThat(psm.lastEntry(2).epoch()).isEqualTo((short) 1);
    }

    @Test
    void shouldCountNewProducersStagedInTheSameAppendAgainstTheLimit() {
        ProducerStateManager psm = new ProducerStateManager(dir);
        psm.setMaxProducerIds(2);
        append(psm, 1, 0, 0, 0, 0);

        assertThat(psm.checkAndStage(2, (short) 0, 0, 0, 1, 1, 100, false)).isNull();
        assertThatThrownBy(() -> psm.checkAndStage(3, (short) 0, 0, 0, 2, 2, 100, false))
                .isInstanceOf(ProducerIdLimitExceededException.class);
    }

    @Test
    void shouldAcceptANewProducerOnceAnExpiredOneIsRemoved() {
        ProducerStateManager psm = new ProducerStateManager(dir);
        psm.setMaxProducerIds(1);
        append(psm, 1, 0, 0, 0, 0);

        assertThat(psm.removeExpired(1_000, 10)).isEqualTo(1);

        append(psm, 2, 0, 0, 0, 1);
        assertThat(psm.activeProducerCount()).isEqualTo(1);
    }

    @Test
    void shouldDetectDuplicateAmongLastFiveBatchesOnly() {
        ProducerStateManager psm = new ProducerStateManager(dir);
        for (int i = 0; i < 6; i++) {
            append(psm, 1, 0, i * 2, i * 2 + 1, i * 2L);
        }

        BatchMetadata dup = psm.checkAndStage(1, (short) 0, 2, 3, 99, 100, 0, false);

        assertThat(dup).isEqualTo(new BatchMetadata(2, 3, 2, 3, 100));
        assertThat(psm.lastEntry(1).batches()).hasSize(ProducerStateManager.NUM_BATCHES_TO_RETAIN);
        assertThatThrownBy(() -> psm.checkAndStage(1, (short) 0, 0, 1, 99, 100, 0, false))
                .isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void shouldRejectGapStaleEpochAndNonZeroSequenceOnEpochBump() {
        ProducerStateManager psm = new ProducerStateManager(dir);
        append(psm, 1, 5, 0, 4, 0);

        assertThatThrownBy(() -> psm.checkAndStage(1, (short) 5, 6, 6, 5, 5, 0, false))
                .isInstanceOf(OutOfOrderSequenceException.class)
                .hasMessageContaining("producerId=1")
                .hasMessageContaining("expectedSequence=5")
                .hasMessageContaining("receivedSequence=6");
        assertThatThrownBy(() -> psm.checkAndStage(1, (short) 4, 5, 5, 5, 5, 0, false))
                .isInstanceOf(InvalidProducerEpochException.class)
                .hasMessageContaining("currentEpoch=5");
        assertThatThrownBy(() -> psm.checkAndStage(1, (short) 6, 5, 5, 5, 5, 0, false))
                .isInstanceOf(OutOfOrderSequenceException.class);
        append(psm, 1, 6, 0, 0, 5);
        assertThat(psm.lastEntry(1).epoch()).isEqualTo((short) 6);
        assertThat(psm.lastEntry(1).batches()).hasSize(1);
    }

    @Test
    void shouldWrapSequenceAtIntegerMax() {
        ProducerStateManager psm = new ProducerStateManager(dir);
        append(psm, 1, 0, Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 0);

        append(psm, 1, 0, 0, 3, 2);

        assertThat(psm.lastEntry(1).lastSequence()).isEqualTo(3);
    }

    @Test
    void shouldChangeNothingWhenStagedBatchesAreAborted() {
        ProducerStateManager psm = new ProducerStateManager(dir);
        append(psm, 1, 0, 0, 0, 0);

        psm.checkAndStage(1, (short) 0, 1, 1, 1, 1, 0, false);
        psm.checkAndStage(1, (short) 0, 2, 2, 2, 2, 0, false);
        psm.abortStaged();

        assertThat(psm.lastEntry(1).lastSequence()).isZero();
        append(psm, 1, 0, 1, 1, 1);
    }

    @Test
    void shouldIgnoreBatchesWithoutProducerId() {
        ProducerStateManager psm = new ProducerStateManager(dir);

        assertThat(psm.checkAndStage(-1, (short) -1, -1, -1, 0, 0, 0, false)).isNull();
        psm.commitStaged();

        assertThat(psm.activeProducerCount()).isZero();
    }

    @Test
    void shouldRoundTripSnapshotAndKeepNewestTwo() throws Exception {
        ProducerStateManager psm = new ProducerStateManager(dir);
        append(psm, 1, 2, 0, 4, 0);
        append(psm, 7, 0, 10, 10, 5);
        psm.takeSnapshot(6, true);
        append(psm, 1, 2, 5, 5, 6);
        psm.takeSnapshot(7, true);
        psm.takeSnapshot(8, true);

        ProducerStateManager loaded = new ProducerStateManager(dir);
        long offset = loaded.loadLatestSnapshot(7);

        assertThat(psm.snapshotOffsets()).containsExactly(7L, 8L);
        assertThat(offset).isEqualTo(7);
        assertThat(loaded.activeProducers()).hasSize(2);
        assertThat(loaded.lastEntry(1).batches()).isEqualTo(psm.lastEntry(1).batches());
        assertThat(loaded.lastEntry(7).lastOffset()).isEqualTo(5);
    }

    @Test
    void shouldSkipCorruptSnapshot() throws Exception {
        ProducerStateManager psm = new ProducerStateManager(dir);
        append(psm, 1, 0, 0, 0, 0);
        psm.takeSnapshot(1, true);
        append(psm, 1, 0, 1, 1, 1);
        psm.takeSnapshot(2, true);
        Path newest = ProducerSnapshotFile.path(dir, 2);
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 1] ^= 0x11;
        Files.write(newest, bytes);

        ProducerStateManager loaded = new ProducerStateManager(dir);

        assertThat(loaded.loadLatestSnapshot(Long.MAX_VALUE)).isEqualTo(1);
        assertThat(loaded.lastEntry(1).lastSequence()).isZero();
    }
}
