package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.NOW_MS;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static io.piste.storage.log.ReplicaTestSupport.assertSameLog;
import static io.piste.storage.log.ReplicaTestSupport.logFiles;
import static io.piste.storage.log.ReplicaTestSupport.replicate;
import static io.piste.storage.log.ReplicaTestSupport.withOffsets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.checkpoint.EpochEntry;
import io.piste.storage.errors.InvalidBatchException;
import io.piste.storage.errors.UnexpectedAppendOffsetException;
import io.piste.storage.index.AbortedTxn;
import io.piste.storage.record.TestBatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A follower's appends of its leader's batches ({@link LogReplica#appendAsFollower}). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FollowerAppendTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    UnifiedLog open(String name) throws IOException {
        return UnifiedLog.open(dir.resolve(name), smallConfig(), clock::get, true, 0);
    }

    static ByteBuffer idempotent(long pid, int firstSeq, int records) {
        return TestBatches.builder()
                .records(records)
                .timestamp(NOW_MS)
                .producer(pid, (short) 0, firstSeq)
                .build();
    }

    static ByteBuffer txn(long pid, int records) {
        return TestBatches.builder()
                .records(records)
                .timestamp(NOW_MS)
                .producer(pid, (short) 0, 0)
                .transactional(true)
                .build();
    }

    /**
     * A leader log over several segments and two leader epochs: an idempotent producer, a committed transaction, an
     * aborted one and one left open.
     */
    static void fillLeader(UnifiedLog leader) throws IOException {
        leader.appendAsLeader(idempotent(5, 0, 3), 0); // 0-2
        leader.appendAsLeader(txn(7, 2), 0); // 3-4
        leader.appendAsLeader(txn(8, 3), 0); // 5-7
        leader.appendAsLeader(idempotent(5, 3, 3), 0); // 8-10
        leader.transactions().appendMarker(7, (short) 0, 1, true, (short) 0, 0); // 11
        leader.transactions().appendMarker(8, (short) 0, 1, false, (short) 0, 0); // 12
        for (int i = 0; i < 14; i++) {
            leader.appendAsLeader(LogTestSupport.batch(5), 3);
        }
        leader.appendAsLeader(idempotent(5, 6, 2), 3);
        leader.appendAsLeader(txn(9, 2), 3);
    }

    @Test
    void shouldCopyTheLeadersLogByteForByteWithItsEpochsProducersAndTransactions() throws IOException {
        try (UnifiedLog leader = open("leader-0");
                UnifiedLog follower = open("follower-0")) {
            fillLeader(leader);

            replicate(leader, follower, Long.MAX_VALUE);

            assertThat(leader.numberOfSegments()).isGreaterThan(2);
            assertThat(follower.numberOfSegments()).isEqualTo(leader.numberOfSegments());
            assertSameLog(follower, leader);
            assertThat(follower.epochEntries()).containsExactly(new EpochEntry(0, 0), new EpochEntry(3, 13));
            assertThat(follower.transactions().collectAbortedTransactions(0, Long.MAX_VALUE))
                    .containsExactly(new AbortedTxn(8, 5, 12, 13));
            assertThat(follower.producerState().lastEntry(5).lastSequence()).isEqualTo(7);
            assertThat(follower.producerState().openTransactions()).containsOnlyKeys(leader.logEndOffset() - 2);
            assertThat(follower.transactions().lastStableOffset()).isEqualTo(leader.logEndOffset() - 2);
        }
    }

    @Test
    void shouldKeepWhatItCopiedAcrossACleanAndAnUncleanReopen() throws IOException {
        try (UnifiedLog leader = open("leader-0")) {
            fillLeader(leader);
            try (UnifiedLog follower = open("follower-0")) {
                replicate(leader, follower, Long.MAX_VALUE);
            }
            try (UnifiedLog follower = open("follower-0")) {
                assertSameLog(follower, leader);
            }
            try (UnifiedLog follower =
                    UnifiedLog.open(dir.resolve("follower-0"), smallConfig(), clock::get, false, 0)) {
                assertSameLog(follower, leader);
                assertThat(follower.recoveredBatchCount()).isGreaterThan(0);
            }
        }
    }

    @Test
    void shouldLetAFollowerThatCopiedALogTakeAppendsAsLeaderWithItsIdempotence() throws IOException {
        try (UnifiedLog leader = open("leader-0");
                UnifiedLog follower = open("follower-0")) {
            fillLeader(leader);
            replicate(leader, follower, Long.MAX_VALUE);

            LogAppendInfo duplicate = follower.appendAsLeader(idempotent(5, 6, 2), 4);
            LogAppendInfo next = follower.appendAsLeader(idempotent(5, 8, 1), 4);

            assertThat(duplicate.duplicate()).isTrue();
            assertThat(next.firstOffset()).isEqualTo(leader.logEndOffset());
            assertThat(follower.latestEpoch()).isEqualTo(4);
        }
    }

    @Test
    void shouldReturnNothingAppendedForNoBatches() throws IOException {
        try (UnifiedLog follower = open("follower-0")) {
            follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(3), 0, 2));

            LogAppendInfo info = follower.replica().appendAsFollower(ByteBuffer.allocate(0));

            assertThat(info.appendedNothing()).isTrue();
            assertThat(info.firstOffset()).isEqualTo(3);
            assertThat(follower.logEndOffset()).isEqualTo(3);
        }
    }

    @Test
    void shouldAcceptAGapInTheLeadersOffsetsAndKeepTheBatchesOffsets() throws IOException {
        try (UnifiedLog follower = open("follower-0")) {
            follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(3), 0, 2));

            LogAppendInfo info = follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(2), 10, 1));

            assertThat(info.firstOffset()).isEqualTo(10);
            assertThat(info.lastOffset()).isEqualTo(11);
            assertThat(follower.logEndOffset()).isEqualTo(12);
            assertThat(LogTestSupport.baseOffsets(LogTestSupport.readAll(follower, 4)))
                    .containsExactly(10L);
        }
    }

    @Test
    void shouldRefuseAFirstBatchBelowTheLogEndAndWriteNothing() throws IOException {
        try (UnifiedLog follower = open("follower-0")) {
            follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(10), 0, 9));
            long size = follower.sizeInBytes();

            assertThatThrownBy(() -> follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(2), 9, 1)))
                    .isInstanceOf(UnexpectedAppendOffsetException.class);
            assertThatThrownBy(() -> follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(2), 0, 1)))
                    .isInstanceOf(UnexpectedAppendOffsetException.class);

            assertThat(follower.logEndOffset()).isEqualTo(10);
            assertThat(follower.sizeInBytes()).isEqualTo(size);
        }
    }

    @Test
    void shouldRefuseOverlappingBatchesAndWriteNoneOfThem() throws IOException {
        try (UnifiedLog follower = open("follower-0")) {
            ByteBuffer overlapping = TestBatches.concat(
                    withOffsets(LogTestSupport.batch(5), 0, 4), withOffsets(LogTestSupport.batch(2), 3, 1));
            ByteBuffer repeated = TestBatches.concat(
                    withOffsets(LogTestSupport.batch(5), 0, 4), withOffsets(LogTestSupport.batch(5), 0, 4));

            assertThatThrownBy(() -> follower.replica().appendAsFollower(overlapping))
                    .isInstanceOf(UnexpectedAppendOffsetException.class);
            assertThatThrownBy(() -> follower.replica().appendAsFollower(repeated))
                    .isInstanceOf(UnexpectedAppendOffsetException.class);

            assertThat(follower.logEndOffset()).isZero();
            assertThat(follower.sizeInBytes()).isZero();
            assertThat(follower.epochEntries()).isEmpty();
        }
    }

    @Test
    void shouldRefuseACorruptBatchAndWriteNothingOfTheSet() throws IOException {
        try (UnifiedLog follower = open("follower-0")) {
            ByteBuffer corrupt = withOffsets(LogTestSupport.batch(3), 5, 2);
            corrupt.put(corrupt.limit() - 2, (byte) (corrupt.get(corrupt.limit() - 2) ^ 0x40));
            ByteBuffer set = TestBatches.concat(withOffsets(LogTestSupport.batch(5), 0, 4), corrupt);

            assertThatThrownBy(() -> follower.replica().appendAsFollower(set))
                    .isInstanceOf(InvalidBatchException.class)
                    .hasMessageContaining("CRC");
            ByteBuffer truncated = withOffsets(LogTestSupport.batch(5), 0, 4).limit(40);
            assertThatThrownBy(() -> follower.replica().appendAsFollower(truncated))
                    .isInstanceOf(InvalidBatchException.class);

            assertThat(follower.logEndOffset()).isZero();
            assertThat(follower.sizeInBytes()).isZero();
        }
    }

    @Test
    void shouldAcceptWhatTheLeaderAcceptedThoughItBreaksTheClientRules() throws IOException {
        LogConfig strict = smallConfig().withMaxMessageBytes(100).withTimestampBoundsMs(1, 1);
        try (UnifiedLog follower = UnifiedLog.open(dir.resolve("follower-0"), strict, clock::get, true, 0)) {
            ByteBuffer old = TestBatches.builder().records(20).timestamp(1_000).build();

            follower.replica().appendAsFollower(withOffsets(old, 0, 19));

            assertThat(follower.logEndOffset()).isEqualTo(20);
        }
    }

    @Test
    void shouldRollWhenABatchsOffsetsWouldNotFitTheSegmentsRelativeOffsets() throws IOException {
        long next;
        try (UnifiedLog follower = open("follower-0")) {
            follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(2), 0, 1));
            long far = 5L * Integer.MAX_VALUE;
            // One batch whose lastOffsetDelta spans a whole segment's range, then two batches far apart in one set.
            follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(1), 2, Integer.MAX_VALUE));
            next = 3L + Integer.MAX_VALUE;
            ByteBuffer set = TestBatches.concat(
                    withOffsets(LogTestSupport.batch(2), next, 1), withOffsets(LogTestSupport.batch(2), far, 1));
            follower.replica().appendAsFollower(set);

            assertThat(follower.logEndOffset()).isEqualTo(far + 2);
            for (LogSegment s : follower.segmentsForTest().values()) {
                assertThat(s.nextOffset() - 1 - s.baseOffset()).isLessThanOrEqualTo(Integer.MAX_VALUE);
            }
            assertThat(LogTestSupport.baseOffsets(LogTestSupport.readAll(follower, 0)))
                    .containsExactly(0L, 2L, next, far);
            assertThat(LogTestSupport.baseOffsets(LogTestSupport.readAll(follower, far)))
                    .containsExactly(far);
            follower.flush();
        }
        long end = 5L * Integer.MAX_VALUE + 2;
        for (boolean clean : new boolean[] {true, false}) {
            try (UnifiedLog reopened =
                    UnifiedLog.open(dir.resolve("follower-0"), smallConfig(), clock::get, clean, end)) {
                assertThat(reopened.logEndOffset()).isEqualTo(end);
                assertThat(LogTestSupport.baseOffsets(LogTestSupport.readAll(reopened, 0)))
                        .hasSize(4);
            }
        }
        // From an unknown recovery point, recovery cuts the log where a segment ends before the next begins: the
        // batches past such a jump are fetched again, and nothing before it is lost.
        try (UnifiedLog reopened = UnifiedLog.open(dir.resolve("follower-0"), smallConfig(), clock::get, false, 0)) {
            assertThat(reopened.logEndOffset()).isBetween(3L + Integer.MAX_VALUE + 2, end);
            assertThat(LogTestSupport.baseOffsets(LogTestSupport.readAll(reopened, 0)))
                    .startsWith(0L, 2L, next);
        }
    }

    @Test
    void shouldRefuseABatchWhoseLastOffsetWouldOverflow() throws IOException {
        try (UnifiedLog follower = open("follower-0")) {
            ByteBuffer huge = withOffsets(LogTestSupport.batch(1), Long.MAX_VALUE - 5, 10);

            assertThatThrownBy(() -> follower.replica().appendAsFollower(huge))
                    .isInstanceOf(UnexpectedAppendOffsetException.class);
            assertThatThrownBy(() -> follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(1), 0, -1)))
                    .isInstanceOf(InvalidBatchException.class);

            assertThat(follower.logEndOffset()).isZero();
            assertThat(logFiles(follower.dir())).isEmpty();
        }
    }

    @Test
    void shouldRefuseAppendsOnceClosed() throws IOException {
        UnifiedLog follower = open("follower-0");
        follower.close();

        assertThatThrownBy(() -> follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(1), 0, 0)))
                .isInstanceOf(io.piste.storage.errors.LogStorageException.class);
        assertThat(List.of(follower.logEndOffset())).containsExactly(0L);
    }
}
