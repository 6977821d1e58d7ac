package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.errors.InvalidRecordException;
import io.piste.storage.errors.InvalidTxnStateException;
import io.piste.storage.record.ControlBatches;
import io.piste.storage.record.TestBatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Open transactions survive a restart: from the producer snapshot after a clean stop, from the log after a crash. */
class TransactionRestartTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    private UnifiedLog open(boolean clean) throws IOException {
        return UnifiedLog.open(dir.resolve("topic-0"), smallConfig(), clock::get, clean, 0);
    }

    static ByteBuffer txn(long pid, int firstSeq, int records) {
        return TestBatches.builder()
                .records(records)
                .timestamp(NOW_MS)
                .producer(pid, (short) 0, firstSeq)
                .transactional(true)
                .build();
    }

    private void deleteSnapshots() throws IOException {
        deleteSnapshotsIn(dir.resolve("topic-0"));
    }

    /** Deletes every producer snapshot of a log directory, as if none had ever been written. */
    void deleteSnapshotsIn(Path logDir) throws IOException {
        try (Stream<Path> files = Files.list(logDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.toString().endsWith(".snapshot")) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void shouldKeepAnOpenTransactionAcrossACleanRestart() throws IOException {
        try (UnifiedLog log = open(false)) {
            log.appendAsLeader(LogTestSupport.batch(2), 0);
            log.appendAsLeader(txn(7, 0, 3), 0);
            log.appendAsLeader(txn(7, 3, 3), 0);
        }
        try (UnifiedLog log = open(true)) {
            assertThat(log.producerState().openTransactions()).isEqualTo(Map.of(2L, 7L));
            assertThatThrownBy(() -> log.appendAsLeader(
                            TestBatches.builder()
                                    .timestamp(NOW_MS)
                                    .producer(7, (short) 0, 6)
                                    .build(),
                            0))
                    .isInstanceOf(InvalidTxnStateException.class);
        }
    }

    @Test
    void shouldRebuildAnOpenTransactionFromTheLogAfterACrash() throws IOException {
        try (UnifiedLog log = open(false)) {
            for (int i = 0; i < 20; i++) {
                log.appendAsLeader(LogTestSupport.batch(3), 0); // several segments
            }
            log.appendAsLeader(txn(7, 0, 2), 0);
            log.appendAsLeader(txn(8, 0, 2), 0);
            log.appendAsLeader(txn(7, 2, 2), 0);
        }
        deleteSnapshots(); // as if the crash came before any snapshot: the state comes from the log alone
        try (UnifiedLog log = open(false)) {
            assertThat(log.producerState().openTransactions()).isEqualTo(Map.of(60L, 7L, 62L, 8L));
            assertThat(log.producerState().lastEntry(7).lastSequence()).isEqualTo(3);
        }
    }

    /** The layout of TransactionLogIT: two transactions decided below the log end, one left open at 8. */
    private void seedDecidedAndOpenTransactions() throws IOException {
        try (UnifiedLog log = open(false)) {
            log.appendAsLeader(LogTestSupport.batch(1), 0); // 0
            log.appendAsLeader(txn(1000, 0, 2), 0); // 1-2
            log.appendAsLeader(txn(2000, 0, 1), 0); // 3
            log.appendAsLeader(LogTestSupport.batch(1), 0); // 4
            log.appendAsLeader(txn(1000, 2, 1), 0); // 5
            log.transactions().appendMarker(1000, (short) 0, 0, true, (short) 0, 0); // 6
            log.transactions().appendMarker(2000, (short) 0, 0, false, (short) 0, 0); // 7
            log.appendAsLeader(txn(1000, 3, 1), 0); // 8: left open
            log.appendAsLeader(LogTestSupport.batch(1), 0); // 9
            log.flush();
            log.updateHighWatermark(log.logEndOffset());
            assertThat(log.transactions().lastStableOffset()).isEqualTo(8);
        }
    }

    @Test
    void shouldBoundTheLastStableOffsetByTheOpenTransactionOnlyAfterACleanRestart() throws IOException {
        seedDecidedAndOpenTransactions();
        try (UnifiedLog log = open(true)) {
            log.updateHighWatermark(log.logEndOffset());
            assertThat(log.transactions().lastStableOffset()).isEqualTo(8);
        }
    }

    @Test
    void shouldBoundTheLastStableOffsetByTheOpenTransactionOnlyAfterAReplayFromTheLog() throws IOException {
        seedDecidedAndOpenTransactions();
        deleteSnapshots();
        try (UnifiedLog log = open(false)) {
            log.updateHighWatermark(log.logEndOffset());
            assertThat(log.transactions().lastStableOffset()).isEqualTo(8);
        }
    }

    @Test
    void shouldRefuseAControlBatchFromAClient() throws IOException {
        try (UnifiedLog log = open(true)) {
            ByteBuffer marker = ControlBatches.marker(7, (short) 0, 0, true, NOW_MS);

            assertThatThrownBy(() -> log.appendAsLeader(marker, 0))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("control");
            assertThat(log.logEndOffset()).isZero();
        }
    }
}
