package io.piste.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metrics.FlushMetrics;
import io.piste.broker.metrics.TopicMeters;
import io.piste.storage.log.FaultyFiles;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's appends made durable through the group commit: every partition of a fetch answer in one round (one
 * file system sync with syncfs), a failed fsync reported for its partition only, and a follower's high watermark moved
 * by the leader's alone, never by its own flushes, which would show consumers records the ISR may not hold.
 */
class PartitionFollowerTest {

    private static final PartitionImage LED =
            new PartitionImage(List.of(1, 2, 3), 1, 3, 5, List.of(1, 2, 3), List.of());

    @TempDir
    Path dir;

    private final List<UnifiedLog> logs = new ArrayList<>();
    private final List<LogFlusher> flushers = new ArrayList<>();

    @AfterEach
    void close() {
        flushers.forEach(LogFlusher::close);
        for (UnifiedLog log : logs) {
            try {
                log.close();
            } catch (IOException | RuntimeException e) {
                // an offline log refuses to close; its files go with the temp dir
            }
        }
    }

    private LogFlusher flusher(FaultyFiles files, String method) {
        LogFlusher flusher = new LogFlusher(LogDirSyncs.open(List.of(dir), files, method), (d, e) -> {});
        flushers.add(flusher);
        return flusher;
    }

    private Partition follower(String topic, FaultyFiles files, LogFlusher flusher, boolean durableAcks)
            throws IOException {
        UnifiedLog log = UnifiedLog.open(
                dir.resolve(topic + "-0"), LogConfig.defaults(), System::currentTimeMillis, false, 0, files);
        logs.add(log);
        Partition partition =
                new Partition(topic, 0, log, flusher, durableAcks, Long.MAX_VALUE, TopicMeters.detached());
        partition.follow();
        return partition;
    }

    /** Appends the leader's next batch of {@code count} records (at leader epoch 5); returns the new log end. */
    private static long appendFromLeader(Partition partition, int count) throws IOException {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(new byte[100]);
        }
        MemoryRecords batch = MemoryRecords.withRecords(partition.logEndOffset(), Compression.NONE, 5, records);
        return partition.asFollower().append(batch.buffer()).lastOffset() + 1;
    }

    @Test
    void shouldMakeEveryPartitionOfAnAnswerDurableWithOneFileSystemSync() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("");
        LogFlusher flusher = flusher(files, BrokerConfig.LOG_FLUSH_METHOD_SYNCFS);
        List<Partition> answer = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Partition partition = follower("p" + i, files, flusher, true);
            answer.add(partition);
            ends.add(appendFromLeader(partition, 3));
        }
        int syncsBefore = files.fileSystemSyncs();

        assertThat(PartitionFollower.makeDurable(answer)).isEmpty();

        assertThat(files.fileSystemSyncs() - syncsBefore)
                .as("one round of the group commit for the whole answer")
                .isEqualTo(1);
        for (int i = 0; i < answer.size(); i++) {
            assertThat(answer.get(i).log().recoveryPoint()).isEqualTo(ends.get(i));
        }
    }

    @Test
    void shouldNotWaitForARoundWhenNothingWasAppended() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("");
        FlushMetrics metrics = new FlushMetrics();
        LogFlusher flusher = new LogFlusher(
                LogDirSyncs.open(List.of(dir), files, BrokerConfig.LOG_FLUSH_METHOD_SYNCFS), (d, e) -> {}, metrics);
        flushers.add(flusher);
        List<Partition> answer = List.of(follower("a", files, flusher, true), follower("b", files, flusher, true));
        for (Partition partition : answer) {
            appendFromLeader(partition, 1);
        }
        assertThat(PartitionFollower.makeDurable(answer)).isEmpty();
        long rounds = metrics.roundPartitions().count();

        assertThat(PartitionFollower.makeDurable(answer))
                .as("an answer with a new high watermark only")
                .isEmpty();

        assertThat(metrics.roundPartitions().count()).as("no round asked").isEqualTo(rounds);
    }

    @Test
    void shouldMoveAFollowersHighWatermarkOnlyWithTheLeadersWithinWhatItHoldsDurably() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("");
        Partition partition = follower("t", files, flusher(files, BrokerConfig.LOG_FLUSH_METHOD_FSYNC), true);
        long end = appendFromLeader(partition, 4);
        partition.asFollower().followHighWatermark(end);
        assertThat(partition.highWatermark()).as("nothing durable yet").isZero();

        assertThat(PartitionFollower.makeDurable(List.of(partition))).isEmpty();
        assertThat(partition.highWatermark())
                .as("its own flush does not move it: the ISR may not hold these records yet")
                .isZero();

        partition.asFollower().followHighWatermark(2);
        assertThat(partition.highWatermark()).isEqualTo(2);
        partition.asFollower().followHighWatermark(end + 10);
        assertThat(partition.highWatermark()).as("never above what it holds").isEqualTo(end);
    }

    @Test
    void shouldNotShowWhatItAppendedAsLeaderOnceItStoppedLeading() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("");
        LogFlusher flusher = flusher(files, BrokerConfig.LOG_FLUSH_METHOD_FSYNC);
        Partition partition = follower("t", files, flusher, true);
        partition.lead(LED, System.currentTimeMillis());
        long end = partition
                        .appendRecordsToLeader(TestPartitions.batch("a").buffer())
                        .lastOffset()
                + 1;

        partition.stopLeading(); // before the flusher got to it: no follower has fetched the record
        flusher.flushAndWait(List.of(partition));

        assertThat(partition.log().recoveryPoint()).isEqualTo(end);
        assertThat(partition.highWatermark()).isZero();
    }

    @Test
    void shouldReportOnlyThePartitionWhoseFsyncFailed() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("bad-0");
        LogFlusher flusher = flusher(files, BrokerConfig.LOG_FLUSH_METHOD_FSYNC);
        Partition good = follower("good", files, flusher, true);
        Partition bad = follower("bad", files, flusher, true);
        long goodEnd = appendFromLeader(good, 2);
        appendFromLeader(bad, 2);
        files.failFsync(true);

        assertThat(PartitionFollower.makeDurable(List.of(good, bad))).containsExactly(bad);

        assertThat(bad.isOffline()).isTrue();
        assertThat(bad.log().recoveryPoint()).isZero();
        assertThat(good.log().recoveryPoint()).isEqualTo(goodEnd);
    }

    @Test
    void shouldNotWaitForAFlushWithPageCacheAcks() throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining("");
        Partition partition = follower("t", files, flusher(files, BrokerConfig.LOG_FLUSH_METHOD_FSYNC), false);
        long end = appendFromLeader(partition, 2);

        assertThat(PartitionFollower.makeDurable(List.of(partition))).isEmpty();

        assertThat(partition.log().recoveryPoint()).as("no flush asked").isZero();
        partition.asFollower().followHighWatermark(end);
        assertThat(partition.highWatermark()).isEqualTo(end);
    }
}
