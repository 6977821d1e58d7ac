package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.producer.ProducerEntry;
import io.piste.storage.record.TestBatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Markers of transaction version 2 (KIP-890): the coordinator bumps the producer's epoch at each transaction's end,
 * the marker carries the new epoch, and the log takes it as the producer's, across restarts and expiry checks.
 */
@Timeout(30)
class TransactionVersionTest {
    private static final short TV1 = 1;
    private static final short TV2 = 2;
    private static final long PID = 7;
    private static final long EXPIRATION_MS = 60_000;

    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    private UnifiedLog open(boolean clean) throws IOException {
        return UnifiedLog.open(dir.resolve("topic-0"), smallConfig(), clock::get, clean, 0);
    }

    private static ByteBuffer txn(int epoch, int firstSeq, int records) {
        return TestBatches.builder()
                .records(records)
                .timestamp(NOW_MS)
                .producer(PID, (short) epoch, firstSeq)
                .transactional(true)
                .build();
    }

    @Test
    void shouldRefuseAVersion2MarkerWhoseEpochIsNotNewerThanTheData() throws IOException {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(txn(3, 0, 2), 0); // 0-1

            assertThatThrownBy(() -> log.transactions().appendMarker(PID, (short) 3, 0, true, TV2, 0))
                    .isInstanceOf(InvalidProducerEpochException.class);
            assertThat(log.logEndOffset()).isEqualTo(2);
            assertThat(log.producerState().lastEntry(PID).inTransaction()).isTrue();

            log.transactions().appendMarker(PID, (short) 4, 0, true, TV2, 0); // 2

            assertThat(log.producerState().openTransactions()).isEmpty();
            assertThat(log.producerState().lastEntry(PID).epoch()).isEqualTo((short) 4);
            // The same marker again (a coordinator's retry) is refused too: its epoch is the producer's now.
            assertThatThrownBy(() -> log.transactions().appendMarker(PID, (short) 4, 0, true, TV2, 0))
                    .isInstanceOf(InvalidProducerEpochException.class);
        }
    }

    @Test
    void shouldAcceptABeforeVersion2MarkerAtTheDataEpoch() throws IOException {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(txn(3, 0, 2), 0);

            log.transactions().appendMarker(PID, (short) 3, 0, false, TV1, 0);

            assertThat(log.producerState().openTransactions()).isEmpty();
            assertThat(log.producerState().lastEntry(PID).epoch()).isEqualTo((short) 3);
            assertThatThrownBy(() -> log.transactions().appendMarker(PID, (short) 2, 0, false, TV1, 0))
                    .isInstanceOf(InvalidProducerEpochException.class);
        }
    }

    @Test
    void shouldStartTheNextTransactionAtTheBumpedEpochFromSequenceZero() throws IOException {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(txn(3, 0, 5), 0); // 0-4: sequences 0-4 at epoch 3
            log.transactions().appendMarker(PID, (short) 4, 0, true, TV2, 0); // 5

            ProducerEntry bumped = log.producerState().lastEntry(PID);
            assertThat(bumped.epoch()).isEqualTo((short) 4);
            assertThat(bumped.batches()).as("sequence history cleared").isEmpty();

            log.appendAsLeader(txn(4, 0, 2), 0); // 6-7

            assertThat(log.producerState().openTransactions()).containsEntry(6L, PID);
            assertThat(log.producerState().lastEntry(PID).lastSequence()).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseALateBatchOfTheTransactionAMarkerEndedAtAHigherEpoch() throws IOException {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(txn(3, 0, 2), 0); // 0-1
            clock.addAndGet(EXPIRATION_MS - 1_000); // the data is nearly as old as producer.id.expiration.ms
            log.transactions().appendMarker(PID, (short) 4, 0, false, TV2, 0); // 2
            log.updateHighWatermark(log.logEndOffset());
            clock.addAndGet(2_000); // the data is past the expiration, the marker is not

            assertThat(log.removeExpiredProducers(EXPIRATION_MS)).isZero();
            // A retry of the old transaction's next batch must not open a transaction no marker will ever close.
            assertThatThrownBy(() -> log.appendAsLeader(txn(3, 2, 1), 0))
                    .isInstanceOf(InvalidProducerEpochException.class);
            assertThat(log.logEndOffset()).isEqualTo(3);
            assertThat(log.producerState().openTransactions()).isEmpty();
            assertThat(log.transactions().lastStableOffset()).isEqualTo(3);
        }
    }

    @Test
    void shouldKeepTheBumpedEpochAndTheMarkerTimeAcrossACleanReopen() throws IOException {
        writeBumpedEpoch();

        try (UnifiedLog log = open(true)) {
            assertBumpedEpochKept(log);
        }
    }

    @Test
    void shouldRebuildTheBumpedEpochAndTheMarkerTimeFromTheLogAfterACrash() throws IOException {
        writeBumpedEpoch();
        new TransactionRestartTest().deleteSnapshotsIn(dir.resolve("topic-0"));

        try (UnifiedLog log = open(false)) {
            assertBumpedEpochKept(log);
        }
    }

    private void writeBumpedEpoch() throws IOException {
        try (UnifiedLog log = open(true)) {
            log.appendAsLeader(txn(3, 0, 2), 0); // 0-1
            clock.addAndGet(EXPIRATION_MS - 1_000);
            log.transactions().appendMarker(PID, (short) 4, 0, true, TV2, 0); // 2
            log.updateHighWatermark(log.logEndOffset());
        }
        clock.addAndGet(2_000);
    }

    private static void assertBumpedEpochKept(UnifiedLog log) throws IOException {
        ProducerEntry entry = log.producerState().lastEntry(PID);
        assertThat(entry.epoch()).isEqualTo((short) 4);
        assertThat(entry.batches()).isEmpty();
        assertThat(entry.lastTimestamp()).isEqualTo(NOW_MS + EXPIRATION_MS - 1_000);
        assertThat(log.removeExpiredProducers(EXPIRATION_MS)).isZero();
        assertThatThrownBy(() -> log.appendAsLeader(txn(3, 2, 1), 0)).isInstanceOf(InvalidProducerEpochException.class);
        log.appendAsLeader(txn(4, 0, 1), 0);
        assertThat(log.producerState().openTransactions()).containsEntry(3L, PID);
    }
}
