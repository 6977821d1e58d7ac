package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.errors.OutOfOrderSequenceException;
import io.piste.storage.record.TestBatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group coordinator's transactional batches (TxnOffsetCommit), each at sequence 0 as Kafka writes them: appended
 * as {@link AppendOrigin#COORDINATOR} their sequence is not checked, their producer epoch still is.
 */
class CoordinatorAppendTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    private UnifiedLog open() throws IOException {
        return UnifiedLog.open(dir.resolve("__consumer_offsets-0"), smallConfig(), clock::get, true, 0);
    }

    private static ByteBuffer txnAtSequenceZero(short epoch, int records) {
        return TestBatches.builder()
                .records(records)
                .timestamp(NOW_MS)
                .producer(7, epoch, 0)
                .transactional(true)
                .build();
    }

    @Test
    void shouldAppendEveryCoordinatorBatchOfAProducerAtSequenceZero() throws IOException {
        try (UnifiedLog log = open()) {
            LogAppendInfo first = log.transactions().appendAsCoordinator(txnAtSequenceZero((short) 0, 2), 0);
            LogAppendInfo second = log.transactions().appendAsCoordinator(txnAtSequenceZero((short) 0, 2), 0);
            log.transactions().appendMarker(7, (short) 0, 0, true, (short) 1, 0);
            LogAppendInfo third = log.transactions().appendAsCoordinator(txnAtSequenceZero((short) 0, 1), 0);

            assertThat(second.duplicate())
                    .as("not taken for a retry of the first")
                    .isFalse();
            assertThat(second.firstOffset()).isEqualTo(first.lastOffset() + 1);
            assertThat(third.duplicate()).isFalse();
            assertThat(log.logEndOffset()).isEqualTo(6);
            assertThat(log.producerState().openTransactions()).hasSize(1);
        }
    }

    @Test
    void shouldStillCheckTheSequenceOfAClientsBatch() throws IOException {
        try (UnifiedLog log = open()) {
            log.appendAsLeader(txnAtSequenceZero((short) 0, 2), 0);

            assertThatThrownBy(() -> log.appendAsLeader(txnAtSequenceZero((short) 0, 1), 0))
                    .isInstanceOf(OutOfOrderSequenceException.class);
        }
    }

    @Test
    void shouldRefuseACoordinatorBatchWithAStaleProducerEpoch() throws IOException {
        try (UnifiedLog log = open()) {
            log.transactions().appendAsCoordinator(txnAtSequenceZero((short) 3, 1), 0);

            assertThatThrownBy(() -> log.transactions().appendAsCoordinator(txnAtSequenceZero((short) 2, 1), 0))
                    .isInstanceOf(InvalidProducerEpochException.class);
            assertThat(log.logEndOffset()).isEqualTo(1);
        }
    }
}
