package io.piste.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.TestDirs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Damage written into {@code __consumer_offsets} on the disk of a stopped broker: a flipped byte in one commit's
 * batch (its CRC no longer holds), then batches that are well-formed but whose records are not: the kcat record that
 * used to stop every start, a membership record claiming 2^31-1 members with 3 bytes behind, a compressed batch. The
 * broker starts, logs each skipped record with its offset, keeps every other group's committed offset and takes new
 * commits.
 *
 * <p>Relies on the layout of ARCHITECTURE.md: {@code <log.dirs>/<topic>-<partition>/<baseOffset>.log}, v2 batches.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CorruptOffsetsTopicIT {
    private static final int BATCH_HEADER_BYTES = 61;
    private static final TopicPartition DATA = new TopicPartition("corrupt-offsets-data", 0);

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private BrokerProcess broker;

    @Test
    void shouldStartAndKeepTheValidGroupsOffsetsWhenTheOffsetsTopicHoldsGarbage() throws Exception {
        final Path dir = TestDirs.create("corrupt-offsets");
        broker = brokers.start(
                "corrupt-offsets-broker",
                dir.resolve("logs"),
                dir,
                Map.of("group.initial.rebalance.delay.ms", "0", "offsets.topic.num.partitions", "1"));
        Clients.createTopic(broker.bootstrapServers(), DATA.topic(), 1);
        commit("victim", 5);
        commit("keeper", 42);
        commit("victim", 6);
        broker.stop();

        final Path segment =
                broker.logDir().resolve(Topic.GROUP_METADATA_TOPIC_NAME + "-0").resolve(String.format("%020d.log", 0));
        final List<long[]> batches = batches(segment);
        assertThat(batches)
                .as("batches (position, size, next offset) of %s", segment)
                .hasSizeGreaterThanOrEqualTo(3);
        final long[] first = batches.get(0);
        flipByte(segment, first[0] + BATCH_HEADER_BYTES + (first[1] - BATCH_HEADER_BYTES) / 2);
        final long next = batches.get(batches.size() - 1)[2];
        appendHostileBatches(segment, next);

        broker.restart();

        assertThat(committed("keeper"))
                .as("keeper's offset\n%s", broker.outputTail(40))
                .isEqualTo(42);
        assertThat(committed("victim"))
                .as("victim's later offset, after its damaged first one")
                .isEqualTo(6);
        assertThat(broker.output())
                .contains("Skipping the batch at offsets 0..0 of __consumer_offsets-0: it fails its CRC")
                .contains("Skipping the record at offset " + next + " of __consumer_offsets-0")
                .contains("Skipping the record at offset " + (next + 1) + " of __consumer_offsets-0")
                .contains("Skipping the batch at offsets " + (next + 2) + ".." + (next + 2)
                        + " of __consumer_offsets-0: it is compressed");
        commit("keeper", 43);
        assertThat(committed("keeper")).as("a commit after the restart").isEqualTo(43);
    }

    private void commit(final String group, final long offset) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrapServers(), member(group))) {
            consumer.commitSync(Map.of(DATA, new OffsetAndMetadata(offset)));
        }
    }

    private long committed(final String group) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrapServers(), member(group))) {
            final OffsetAndMetadata committed = consumer.committed(Set.of(DATA)).get(DATA);
            return committed == null ? -1 : committed.offset();
        }
    }

    private static Map<String, Object> member(final String group) {
        return Clients.props(ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    }

    /** Each v2 batch of the file as {position, size in bytes, offset after it}, read from the headers alone. */
    private static List<long[]> batches(final Path segment) throws IOException {
        final ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(segment));
        final List<long[]> batches = new ArrayList<>();
        int position = 0;
        while (position + BATCH_HEADER_BYTES <= file.limit()) {
            final int size = 12 + file.getInt(position + 8);
            final long nextOffset = file.getLong(position) + file.getInt(position + 23) + 1;
            batches.add(new long[] {position, size, nextOffset});
            position += size;
        }
        return batches;
    }

    private static void flipByte(final Path segment, final long position) throws IOException {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte) ~one.get(0)).rewind();
            channel.write(one, position);
        }
    }

    /**
     * Batches a client could have produced before internal topics were refused: each valid as a batch (the storage
     * takes them), each record harmful to a loader that trusts it.
     */
    private static void appendHostileBatches(final Path segment, final long next) throws IOException {
        final long now = System.currentTimeMillis();
        final MemoryRecordsBuilder plain =
                MemoryRecords.builder(ByteBuffer.allocate(256), Compression.NONE, TimestampType.CREATE_TIME, next);
        plain.append(now, new byte[] {'x'}, new byte[] {'y'});
        // A group-metadata key (type 2, group "h"), then a value claiming 2^31-1 members with 3 bytes behind.
        plain.append(
                now,
                new byte[] {0, 2, 0, 1, 'h'},
                ByteBuffer.allocate(2 + 2 + 4 + 2 + 2 + 8 + 4 + 3)
                        .putShort((short) 1)
                        .putShort((short) -1)
                        .putInt(1)
                        .putShort((short) -1)
                        .putShort((short) -1)
                        .putLong(now)
                        .putInt(Integer.MAX_VALUE)
                        .array());
        final MemoryRecordsBuilder compressed = MemoryRecords.builder(
                ByteBuffer.allocate(256), Compression.gzip().build(), TimestampType.CREATE_TIME, next + 2);
        compressed.append(now, new byte[] {0, 1, 0, 1, 'z'}, new byte[] {1});
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.APPEND)) {
            channel.write(plain.build().buffer());
            channel.write(compressed.build().buffer());
        }
    }
}
