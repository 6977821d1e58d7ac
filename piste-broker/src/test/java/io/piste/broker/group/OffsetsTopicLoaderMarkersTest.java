package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load of transactional offsets whose producers' markers interleave, as several transactions' do. */
class OffsetsTopicLoaderMarkersTest {

    private static final TopicPartition DATA = new TopicPartition("data", 0);
    private static final TopicPartition OTHER = new TopicPartition("data", 1);

    @TempDir
    Path dir;

    private UnifiedLog log;
    private final GroupOffsets offsets = new GroupOffsets((group, producerId, epoch, commit, done) -> {}, g -> 0);

    @BeforeEach
    void openLog() throws IOException {
        log = UnifiedLog.open(
                dir.resolve(OffsetsTopic.NAME + "-0"), LogConfig.defaults(), System::currentTimeMillis, true, 0);
    }

    @AfterEach
    void closeLog() throws IOException {
        log.close();
    }

    private void append(long producerId, String groupId, TopicPartition tp, long offset) throws IOException {
        boolean transactional = producerId != OffsetLog.NO_PRODUCER_ID;
        MemoryRecordsBuilder builder = MemoryRecords.builder(
                ByteBuffer.allocate(512),
                RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE,
                TimestampType.CREATE_TIME,
                0L,
                RecordBatch.NO_TIMESTAMP,
                producerId,
                transactional ? (short) 0 : RecordBatch.NO_PRODUCER_EPOCH,
                transactional ? 0 : RecordBatch.NO_SEQUENCE,
                transactional,
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        builder.append(
                1L,
                OffsetRecordCodec.key(groupId, tp),
                OffsetRecordCodec.value(new CommittedOffset(offset, -1, null, 1L)));
        log.transactions().appendAsCoordinator(builder.build().buffer(), 0);
    }

    private OffsetsTopicLoader load() throws IOException {
        OffsetsTopicLoader loader = new OffsetsTopicLoader(0, offsets, new OffsetsTopic.LoadedGroups());
        loader.load(new UnifiedLogSource(log), OffsetsTopic.LOAD_READ_BYTES);
        return loader;
    }

    @Test
    void shouldSettleEachProducersOffsetsAtItsOwnMarker() throws IOException {
        append(OffsetLog.NO_PRODUCER_ID, "g", DATA, 1);
        append(1L, "g", DATA, 10);
        append(2L, "g", OTHER, 20);
        append(3L, "g", DATA, 30);
        log.transactions().appendMarker(2L, (short) 0, 0, true, (short) 1, 0);
        log.transactions().appendMarker(1L, (short) 0, 0, false, (short) 1, 0);
        // A marker of a transaction that committed no offsets here: nothing to settle.
        log.transactions().appendMarker(9L, (short) 0, 0, true, (short) 1, 0);

        OffsetsTopicLoader loader = load();

        assertThat(loader.skips()).isZero();
        assertThat(offsets.fetch("g").get(DATA).offset())
                .as("producer 1 aborted")
                .isEqualTo(1);
        assertThat(offsets.fetch("g").get(OTHER).offset())
                .as("producer 2 committed")
                .isEqualTo(20);
        assertThat(offsets.hasPendingTransactionalOffset("g", DATA))
                .as("producer 3 undecided")
                .isTrue();
        assertThat(offsets.hasPendingTransactionalOffset("g", OTHER)).isFalse();
    }

    @Test
    void shouldDropAPendingOffsetAtALaterTombstone() throws IOException {
        append(1L, "g", DATA, 10);
        MemoryRecordsBuilder tombstone =
                MemoryRecords.builder(ByteBuffer.allocate(256), Compression.NONE, TimestampType.CREATE_TIME, 0L);
        tombstone.append(1L, OffsetRecordCodec.key("g", DATA), null);
        log.appendAsLeader(tombstone.build().buffer(), 0);
        log.transactions().appendMarker(1L, (short) 0, 0, true, (short) 1, 0);

        load();

        assertThat(offsets.fetch("g"))
                .as("deleted after the transaction wrote it")
                .isEmpty();
        assertThat(offsets.hasPendingTransactionalOffsets("g")).isFalse();
    }
}
