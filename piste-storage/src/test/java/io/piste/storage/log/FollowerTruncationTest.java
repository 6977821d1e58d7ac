package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.smallConfig;
import static io.piste.storage.log.ReplicaTestSupport.assertSameLog;
import static io.piste.storage.log.ReplicaTestSupport.logFileNames;
import static io.piste.storage.log.ReplicaTestSupport.logFiles;
import static io.piste.storage.log.ReplicaTestSupport.replicate;
import static io.piste.storage.log.ReplicaTestSupport.withOffsets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.errors.LogStorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's truncations ({@link LogReplica#truncateTo}, {@link LogReplica#truncateFullyAndStartAt}), checked
 * against a reference follower that copied the leader only up to the cut.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FollowerTruncationTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();

    private UnifiedLog open(String name) throws IOException {
        return UnifiedLog.open(dir.resolve(name), smallConfig(), clock::get, true, 0);
    }

    /** A leader, a follower with all of it flushed and its high watermark at the end, and a reference up to cut. */
    private void checkTruncation(long cut, long expectedEnd) throws IOException {
        try (UnifiedLog leader = open("leader-0");
                UnifiedLog reference = open("reference-0")) {
            FollowerAppendTest.fillLeader(leader);
            long oldEnd;
            try (UnifiedLog follower = open("follower-0")) {
                replicate(leader, follower, Long.MAX_VALUE);
                follower.flush();
                follower.updateHighWatermark(follower.logEndOffset());
                oldEnd = follower.logEndOffset();
                replicate(leader, reference, expectedEnd);

                long newEnd = follower.replica().truncateTo(cut);

                assertThat(newEnd).isEqualTo(expectedEnd);
                assertThat(reference.logEndOffset()).isEqualTo(expectedEnd);
                assertThat(follower.highWatermark()).isEqualTo(expectedEnd);
                assertThat(follower.recoveryPoint()).isEqualTo(expectedEnd);
                assertThat(follower.places().logEnd().messageOffset()).isEqualTo(expectedEnd);
                assertThat(follower.isOffline()).isFalse();
                assertSameLog(follower, reference);
            }
            // Clean, then unclean from the recovery point of before the cut (a checkpoint not yet rewritten).
            try (UnifiedLog follower = open("follower-0")) {
                assertSameLog(follower, reference);
            }
            try (UnifiedLog follower =
                    UnifiedLog.open(dir.resolve("follower-0"), smallConfig(), clock::get, false, oldEnd)) {
                assertSameLog(follower, reference);
            }
            try (UnifiedLog follower =
                    UnifiedLog.open(dir.resolve("follower-0"), smallConfig(), clock::get, false, 0)) {
                assertSameLog(follower, reference);
                // Further appends after the truncation: the rest of the leader's log.
                replicate(leader, follower, Long.MAX_VALUE);
                assertSameLog(follower, leader);
            }
        }
    }

    @Test
    void shouldTruncateInTheMiddleOfTheActiveSegment() throws IOException {
        try (UnifiedLog leader = open("probe-0")) {
            FollowerAppendTest.fillLeader(leader);
            long activeBase = leader.segmentsForTest().lastKey();
            List<Long> bases = LogTestSupport.baseOffsets(LogTestSupport.readAll(leader, activeBase));
            assertThat(bases).hasSizeGreaterThan(2);
            long cut = bases.get(bases.size() - 2); // the idempotent producer's last batch and the open transaction go
            checkTruncation(cut, cut);
        }
    }

    @Test
    void shouldTruncateAcrossSegmentsBackToBeforeTheMarkers() throws IOException {
        // 11 is the COMMIT marker: the transactions of producers 7 and 8 are open again, the abort is gone.
        checkTruncation(11, 11);
    }

    @Test
    void shouldTruncateToTheStartOfABatchHoldingTheOffset() throws IOException {
        // 6 lies inside producer 8's batch 5-7: the batch goes whole.
        checkTruncation(6, 5);
    }

    @Test
    void shouldTruncateToASegmentsBaseOffset() throws IOException {
        try (UnifiedLog leader = open("probe-0")) {
            FollowerAppendTest.fillLeader(leader);
            long secondBase = leader.segmentsForTest().higherKey(0L);
            checkTruncation(secondBase, secondBase);
        }
    }

    @Test
    void shouldPutAProducerWhoseBatchesWereCutBackToItsEarlierSequence() throws IOException {
        try (UnifiedLog leader = open("leader-0");
                UnifiedLog follower = open("follower-0")) {
            FollowerAppendTest.fillLeader(leader);
            replicate(leader, follower, Long.MAX_VALUE);
            assertThat(follower.producerState().lastEntry(5).lastSequence()).isEqualTo(7);

            follower.replica().truncateTo(8);

            assertThat(follower.producerState().lastEntry(5).lastSequence()).isEqualTo(2);
            assertThat(follower.producerState().lastEntry(5).lastOffset()).isEqualTo(2);
            assertThat(follower.appendAsLeader(FollowerAppendTest.idempotent(5, 3, 1), 5)
                            .firstOffset())
                    .isEqualTo(8);
            assertThat(follower.epochEntries())
                    .containsExactly(
                            new io.piste.storage.checkpoint.EpochEntry(0, 0),
                            new io.piste.storage.checkpoint.EpochEntry(5, 8));
        }
    }

    @Test
    void shouldDoNothingAtOrPastTheLogEnd() throws IOException {
        try (UnifiedLog leader = open("leader-0");
                UnifiedLog follower = open("follower-0")) {
            FollowerAppendTest.fillLeader(leader);
            replicate(leader, follower, Long.MAX_VALUE);
            var before = logFiles(follower.dir());

            assertThat(follower.replica().truncateTo(follower.logEndOffset())).isEqualTo(leader.logEndOffset());
            assertThat(follower.replica().truncateTo(Long.MAX_VALUE)).isEqualTo(leader.logEndOffset());

            assertThat(logFiles(follower.dir())).isEqualTo(before);
        }
    }

    @Test
    void shouldTruncateFullyAndStartAtAnOffset() throws IOException {
        try (UnifiedLog leader = open("leader-0")) {
            FollowerAppendTest.fillLeader(leader);
            try (UnifiedLog follower = open("follower-0")) {
                replicate(leader, follower, Long.MAX_VALUE);
                follower.flush();

                follower.replica().truncateFullyAndStartAt(1000);

                assertThat(follower.logStartOffset()).isEqualTo(1000);
                assertThat(follower.logEndOffset()).isEqualTo(1000);
                assertThat(follower.highWatermark()).isEqualTo(1000);
                assertThat(follower.recoveryPoint()).isEqualTo(1000);
                assertThat(follower.epochEntries()).isEmpty();
                assertThat(follower.producerState().activeProducers()).isEmpty();
                assertThat(follower.producerState().snapshotOffsets()).isEmpty();
                assertThat(follower.transactions().collectAbortedTransactions(0, Long.MAX_VALUE))
                        .isEmpty();
                assertThat(logFileNames(follower.dir())).containsExactly("00000000000000001000.log");

                follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(3), 1000, 2));
                assertThat(follower.logEndOffset()).isEqualTo(1003);
            }
            for (boolean clean : new boolean[] {true, false}) {
                try (UnifiedLog follower =
                        UnifiedLog.open(dir.resolve("follower-0"), smallConfig(), clock::get, clean, 0)) {
                    assertThat(follower.logStartOffset()).isEqualTo(1000);
                    assertThat(follower.logEndOffset()).isEqualTo(1003);
                    assertThat(follower.producerState().activeProducers()).isEmpty();
                }
            }
        }
    }

    @Test
    void shouldStartOverWhenTruncatedBelowTheLogStart() throws IOException {
        try (UnifiedLog follower = open("follower-0")) {
            follower.replica().truncateFullyAndStartAt(100);
            follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(5), 100, 4));

            assertThat(follower.replica().truncateTo(50)).isEqualTo(50);

            assertThat(follower.logStartOffset()).isEqualTo(50);
            assertThat(follower.logEndOffset()).isEqualTo(50);
            assertThat(logFileNames(follower.dir())).containsExactly("00000000000000000050.log");
        }
    }

    @Test
    void shouldTakeTheLogOfflineWhenTheTruncationCannotBeMadeDurable() throws IOException {
        FaultyFiles files = FaultyFiles.all(0);
        try (UnifiedLog leader = open("leader-0")) {
            FollowerAppendTest.fillLeader(leader);
            UnifiedLog follower = UnifiedLog.open(dir.resolve("follower-0"), smallConfig(), clock::get, true, 0, files);
            replicate(leader, follower, Long.MAX_VALUE);
            follower.flush();
            long recoveryPoint = follower.recoveryPoint();
            files.failFsync(true);

            assertThatThrownBy(() -> follower.replica().truncateTo(11)).isInstanceOf(LogStorageException.class);

            assertThat(follower.isOffline()).isTrue();
            assertThat(follower.recoveryPoint()).isLessThanOrEqualTo(recoveryPoint);
            assertThatThrownBy(() -> follower.replica().appendAsFollower(withOffsets(LogTestSupport.batch(1), 50, 0)))
                    .isInstanceOf(LogStorageException.class);
            assertThatThrownBy(follower::close).isInstanceOf(LogStorageException.class);
        }
    }

    @Test
    void shouldNotLetACompletedFlushPrepareBeforeATruncationMoveTheRecoveryPoint() throws IOException {
        try (UnifiedLog leader = open("leader-0");
                UnifiedLog follower = open("follower-0")) {
            FollowerAppendTest.fillLeader(leader);
            replicate(leader, follower, Long.MAX_VALUE);
            LogOffsetMetadata end = follower.prepareFlush();

            follower.replica().truncateTo(11);
            replicate(leader, follower, Long.MAX_VALUE);
            follower.completeFlush(end);

            assertThat(follower.recoveryPoint()).isLessThanOrEqualTo(11);
        }
    }

    @Test
    void shouldRefuseToSwapInACleaningThatBeganBeforeATruncation() throws IOException {
        SegmentDeleter deleter = new SegmentDeleter((task, delayMs) -> task.run());
        try (UnifiedLog leader = open("leader-0");
                UnifiedLog follower = open("follower-0")) {
            FollowerAppendTest.fillLeader(leader);
            replicate(leader, follower, Long.MAX_VALUE);
            CompactionAccess access = follower.compaction();
            CompactionAccess.SegmentInfo first = access.inactiveSegments().get(0);
            ByteBuffer bytes = ByteBuffer.allocate(first.sizeInBytes());
            access.read(first.baseOffset(), 0, bytes);
            bytes.flip();

            follower.replica().truncateTo(follower.logEndOffset() - 2); // in the active segment only

            CleanedSegment cleaned = access.createCleaned(first.baseOffset());
            cleaned.append(bytes);
            assertThat(access.replace(cleaned, List.of(first.baseOffset()), deleter))
                    .isFalse();
            assertThat(follower.segmentsForTest().get(first.baseOffset()).sizeInBytes())
                    .isEqualTo(first.sizeInBytes());
            // A cleaning that begins after the truncation swaps as before.
            CompactionAccess.SegmentInfo again = access.inactiveSegments().get(0);
            CleanedSegment fresh = access.createCleaned(again.baseOffset());
            fresh.append(bytes.rewind());
            assertThat(access.replace(fresh, List.of(again.baseOffset()), deleter))
                    .isTrue();
        }
    }
}
