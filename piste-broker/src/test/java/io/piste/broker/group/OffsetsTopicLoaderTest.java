package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecord;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The offsets load trusts nothing in {@code __consumer_offsets}: each hostile record below sits between two good
 * ones in a real log; the load skips it and keeps both good ones.
 */
class OffsetsTopicLoaderTest {

    private static final TopicPartition DATA = new TopicPartition("data", 0);

    @TempDir
    Path dir;

    private UnifiedLog log;
    private final GroupOffsets offsets = new GroupOffsets((group, producerId, epoch, commit, done) -> {}, g -> 0);
    private final OffsetsTopic.LoadedGroups groups = new OffsetsTopic.LoadedGroups();

    @AfterEach
    void closeLog() throws IOException {
        if (log != null) {
            log.close();
        }
    }

    /** Records that are harmful as they stand: each is the whole (key, value) of one record. */
    enum Hostile {
        ONE_BYTE_KEY(new byte[] {'x'}, new byte[] {'y'}),
        UNKNOWN_KEY_TYPE(
                ByteBuffer.allocate(4).putShort((short) 99).putShort((short) 0).array(), null),
        GROUP_LENGTH_BEYOND_KEY(offsetKeyWithGroupLength((short) 32_767), null),
        NEGATIVE_GROUP_LENGTH(offsetKeyWithGroupLength((short) -5), null),
        NULL_GROUP(offsetKeyWithGroupLength((short) -1), null),
        NEGATIVE_PARTITION(OffsetRecordCodec.key("hostile", new TopicPartition("data", 0)), null) {
            @Override
            byte[] key() {
                byte[] key = super.key();
                ByteBuffer.wrap(key).putInt(key.length - 4, -1);
                return key;
            }
        },
        UNKNOWN_VALUE_VERSION(
                OffsetRecordCodec.key("hostile", DATA),
                ByteBuffer.allocate(30).putShort((short) 9).array()),
        SHORT_OFFSET_VALUE(OffsetRecordCodec.key("hostile", DATA), new byte[] {0, 1, 0}),
        METADATA_LENGTH_BEYOND_VALUE(
                OffsetRecordCodec.key("hostile", DATA),
                ByteBuffer.allocate(2 + 8 + 4 + 8 + 2 + 3)
                        .putShort((short) 1)
                        .putLong(5)
                        .putInt(0)
                        .putLong(0)
                        .putShort((short) 30_000)
                        .array()),
        MEMBER_COUNT_OF_2_POW_31(GroupRecordCodec.key("hostile"), groupValueWithMemberCount(Integer.MAX_VALUE)),
        NEGATIVE_MEMBER_COUNT(GroupRecordCodec.key("hostile"), groupValueWithMemberCount(-1)),
        SUBSCRIPTION_LENGTH_OF_2_POW_31(GroupRecordCodec.key("hostile"), groupValueWithSubscriptionLength()),
        NULL_MEMBER_ID(GroupRecordCodec.key("hostile"), groupValueWithNullMemberId()),
        NULL_CONSUMER_GROUP_ID(
                ByteBuffer.allocate(4)
                        .putShort(GroupRecordCodec.CONSUMER_GROUP_KEY_TYPE)
                        .putShort((short) -1)
                        .array(),
                new byte[] {0, 1}),
        GARBAGE(new byte[] {0, 1, (byte) 0xff, (byte) 0xfe, 7, 7, 7}, new byte[] {(byte) 0xde, (byte) 0xad});

        private final byte[] key;
        private final byte[] value;

        Hostile(byte[] key, byte[] value) {
            this.key = key;
            this.value = value;
        }

        byte[] key() {
            return key.clone();
        }

        byte[] value() {
            return value;
        }
    }

    @ParameterizedTest
    @EnumSource(Hostile.class)
    void shouldSkipARecordThatDoesNotDecodeAndLoadTheOthers(Hostile hostile) throws IOException {
        openLog();
        appendGood("before", 10);
        append(Compression.NONE, hostile.key(), hostile.value());
        appendGood("after", 20);

        OffsetsTopicLoader loader = load();

        assertGoodLoaded();
        assertThat(offsets.groupIds()).containsExactlyInAnyOrder("before", "after");
        assertThat(groups.consumer()).isEmpty();
        assertThat(loader.skips()).isEqualTo(1);
    }

    @Test
    void shouldSkipARecordWithoutKey() throws IOException {
        openLog();
        appendGood("before", 10);
        append(Compression.NONE, null, new byte[] {1});
        appendGood("after", 20);

        OffsetsTopicLoader loader = load();

        assertGoodLoaded();
        assertThat(loader.skips()).isEqualTo(1);
    }

    @Test
    void shouldSkipACompressedBatchWithoutDecompressingIt() throws IOException {
        openLog();
        appendGood("before", 10);
        append(
                Compression.gzip().build(),
                OffsetRecordCodec.key("compressed", DATA),
                OffsetRecordCodec.value(new CommittedOffset(7, 0, null, 1)));
        appendGood("after", 20);

        OffsetsTopicLoader loader = load();

        assertGoodLoaded();
        assertThat(offsets.hasOffsets("compressed")).isFalse();
        assertThat(loader.skips()).isEqualTo(1);
    }

    @Test
    void shouldSkipTheLaterRecordsOfABatchWhoseRecordsDoNotFrame() throws IOException {
        openLog();
        appendGood("before", 10);
        // CRC-valid (the log takes it) but its second record claims more bytes than the batch has.
        MemoryRecordsBuilder builder = builder(Compression.NONE);
        builder.append(
                1L, OffsetRecordCodec.key("framed", DATA), OffsetRecordCodec.value(new CommittedOffset(3, 0, null, 1)));
        builder.append(
                1L,
                OffsetRecordCodec.key("unframed", DATA),
                OffsetRecordCodec.value(new CommittedOffset(4, 0, null, 1)));
        ByteBuffer batch = builder.build().buffer();
        int secondRecord = batch.limit()
                - recordSize(
                        OffsetRecordCodec.key("unframed", DATA),
                        OffsetRecordCodec.value(new CommittedOffset(4, 0, null, 1)));
        batch.put(secondRecord, (byte) 0x7e); // varint length 63, more than the bytes that follow
        CRC32C crc = new CRC32C();
        crc.update(batch.duplicate().position(DefaultRecordBatch.CRC_OFFSET + 4));
        batch.putInt(DefaultRecordBatch.CRC_OFFSET, (int) crc.getValue());
        log.appendAsLeader(batch, 0);
        appendGood("after", 20);

        OffsetsTopicLoader loader = load();

        assertGoodLoaded();
        assertThat(offsets.fetch("framed").get(DATA).offset()).isEqualTo(3);
        assertThat(offsets.hasOffsets("unframed")).isFalse();
        assertThat(loader.skips()).isEqualTo(1);
    }

    @Test
    void shouldSkipABatchThatFailsItsCrc() throws IOException {
        openLog();
        appendGood("before", 10);
        long position = log.sizeInBytes();
        append(
                Compression.NONE,
                OffsetRecordCodec.key("flipped", DATA),
                OffsetRecordCodec.value(new CommittedOffset(5, 0, null, 1)));
        appendGood("after", 20);
        log.close();
        Path segment = dir.resolve("__consumer_offsets-0").resolve(String.format("%020d.log", 0));
        try (FileChannel file = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // A byte of the record's value: the header stays readable, the CRC no longer holds.
            file.write(ByteBuffer.wrap(new byte[] {(byte) 0xee}), position + 61 + 20);
        }
        log = UnifiedLog.open(
                dir.resolve("__consumer_offsets-0"), LogConfig.defaults(), () -> 1L, true, Long.MAX_VALUE);

        OffsetsTopicLoader loader = load();

        assertGoodLoaded();
        assertThat(offsets.hasOffsets("flipped")).isFalse();
        assertThat(loader.skips()).isEqualTo(1);
    }

    /**
     * A batch whose lastOffsetDelta (byte 23 of its header) points beyond the log end fails its CRC and is skipped
     * by its length; its offsets are not trusted either: the load used to move past the log end with it, dropping
     * the batches after it without a word.
     */
    @Test
    void shouldSkipABatchWhoseLastOffsetIsBeyondTheLogEndAndLoadTheBatchesAfterIt() throws IOException {
        openLog();
        appendGood("before", 10);
        long position = log.sizeInBytes();
        append(
                Compression.NONE,
                OffsetRecordCodec.key("flipped", DATA),
                OffsetRecordCodec.value(new CommittedOffset(5, 0, null, 1)));
        appendGood("after", 20);
        // Damaged while the log is open: the storage checks headers when it opens a log, not at each read.
        Path segment = dir.resolve("__consumer_offsets-0").resolve(String.format("%020d.log", 0));
        try (FileChannel file = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.allocate(4).putInt(0x7fff_0000).flip(), position + 23);
        }

        OffsetsTopicLoader loader = load();

        assertGoodLoaded();
        assertThat(offsets.hasOffsets("flipped")).isFalse();
        assertThat(loader.skips()).isEqualTo(1);
    }

    /**
     * A base offset (not covered by the CRC) raised into the next batch's offsets makes the two overlap: the later
     * one is skipped with a WARN, not dropped silently as before, and the load carries on after it. (Which of the
     * two is the damaged one the header cannot tell.)
     */
    @Test
    void shouldWarnOfABatchOverlappingAnEarlierOneAndLoadTheBatchesAfterIt() throws IOException {
        openLog();
        appendGood("before", 10);
        long position = log.sizeInBytes();
        append(
                Compression.NONE,
                OffsetRecordCodec.key("raised", DATA),
                OffsetRecordCodec.value(new CommittedOffset(5, 0, null, 1)));
        appendGood("after", 20);
        // Damaged while the log is open: the storage checks headers when it opens a log, not at each read.
        Path segment = dir.resolve("__consumer_offsets-0").resolve(String.format("%020d.log", 0));
        try (FileChannel file = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Offset 2 becomes 3, the offset of the next batch (the offset commit of "after").
            file.write(ByteBuffer.allocate(8).putLong(3).flip(), position);
        }

        OffsetsTopicLoader loader = load();

        assertThat(offsets.fetch("before")).isEqualTo(Map.of(DATA, new CommittedOffset(10, 0, "m", 1)));
        assertThat(groups.classic()).containsOnlyKeys("before-classic", "after-classic");
        assertThat(loader.skips())
                .as("the overlapping batch is skipped with a WARN")
                .isEqualTo(1);
    }

    @Test
    void shouldRefuseAMemberCountLargerThanTheBytesBehindItWithoutAllocating() {
        ByteBuffer value = ByteBuffer.wrap(groupValueWithMemberCount(Integer.MAX_VALUE));

        assertThatThrownBy(() -> GroupRecordCodec.readValue(value))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("member count=2147483647 with 3 bytes left");
    }

    @Test
    void shouldRefuseAStringLongerThanTheBytesBehindIt() {
        ByteBuffer key = ByteBuffer.wrap(offsetKeyWithGroupLength((short) 32_767));
        key.getShort();

        assertThatThrownBy(() -> OffsetRecordCodec.readKeyAfterType(key))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("string length=32767 with 3 bytes left");
    }

    private void openLog() throws IOException {
        log = UnifiedLog.open(dir.resolve("__consumer_offsets-0"), LogConfig.defaults(), () -> 1L, false, 0);
    }

    private OffsetsTopicLoader load() throws IOException {
        OffsetsTopicLoader loader = new OffsetsTopicLoader(0, offsets, groups);
        loader.load(new UnifiedLogSource(log), 1024 * 1024);
        return loader;
    }

    /** An offset commit of {@code group} and its classic membership, each in its own batch. */
    private void appendGood(String group, long offset) throws IOException {
        append(
                Compression.NONE,
                OffsetRecordCodec.key(group, DATA),
                OffsetRecordCodec.value(new CommittedOffset(offset, 0, "m", 1)));
        append(
                Compression.NONE,
                GroupRecordCodec.key(group + "-classic"),
                GroupRecordCodec.value(new GroupRecord(
                        "consumer",
                        3,
                        "range",
                        "m1",
                        1,
                        List.of(new GroupRecord.Member(
                                "m1", null, "c", "/127.0.0.1", 10_000, 30_000, new byte[] {1}, new byte[] {2})))));
    }

    private void assertGoodLoaded() {
        assertThat(offsets.fetch("before")).isEqualTo(Map.of(DATA, new CommittedOffset(10, 0, "m", 1)));
        assertThat(offsets.fetch("after")).isEqualTo(Map.of(DATA, new CommittedOffset(20, 0, "m", 1)));
        assertThat(groups.classic()).containsOnlyKeys("before-classic", "after-classic");
        assertThat(groups.classic().get("after-classic").members()).hasSize(1);
    }

    private void append(Compression compression, byte[] key, byte[] value) throws IOException {
        MemoryRecordsBuilder builder = builder(compression);
        builder.append(1L, key, value);
        log.appendAsLeader(builder.build().buffer(), 0);
    }

    private static MemoryRecordsBuilder builder(Compression compression) {
        return MemoryRecords.builder(ByteBuffer.allocate(1024), compression, TimestampType.CREATE_TIME, 0L);
    }

    /** The bytes of a v2 record at offset and timestamp delta 1, without headers. */
    private static int recordSize(byte[] key, byte[] value) {
        return DefaultRecord.sizeInBytes(1, 0L, ByteBuffer.wrap(key), ByteBuffer.wrap(value), new Header[0]);
    }

    private static byte[] offsetKeyWithGroupLength(short length) {
        return ByteBuffer.allocate(2 + 2 + 3)
                .putShort(OffsetRecordCodec.OFFSET_COMMIT_KEY_TYPE)
                .putShort(length)
                .put(new byte[] {'a', 'b', 'c'})
                .array();
    }

    private static ByteBuffer groupValueHead(int extra) {
        return ByteBuffer.allocate(2 + 2 + 4 + 2 + 2 + 8 + extra)
                .putShort(GroupRecordCodec.VALUE_VERSION)
                .putShort((short) -1)
                .putInt(1)
                .putShort((short) -1)
                .putShort((short) -1)
                .putLong(1);
    }

    private static byte[] groupValueWithMemberCount(int count) {
        return groupValueHead(4 + 3).putInt(count).put(new byte[] {1, 2, 3}).array();
    }

    private static byte[] groupValueWithSubscriptionLength() {
        // Enough bytes for one member (the count holds), not for 2^31-1 subscription bytes.
        return groupValueHead(4 + 2 + 1 + 2 + 2 + 2 + 4 + 4 + 4 + 8)
                .putInt(1)
                .putShort((short) 1)
                .put((byte) 'm')
                .putShort((short) -1)
                .putShort((short) -1)
                .putShort((short) -1)
                .putInt(1)
                .putInt(1)
                .putInt(Integer.MAX_VALUE)
                .put(new byte[8])
                .array();
    }

    private static byte[] groupValueWithNullMemberId() {
        return groupValueHead(4 + 2 + 2 + 2 + 2 + 4 + 4 + 4 + 4)
                .putInt(1)
                .putShort((short) -1)
                .putShort((short) -1)
                .putShort((short) -1)
                .putShort((short) -1)
                .putInt(1)
                .putInt(1)
                .putInt(0)
                .putInt(0)
                .array();
    }
}
