package io.piste.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.coordinator.transaction.generated.TransactionLogKey;
import org.apache.kafka.coordinator.transaction.generated.TransactionLogValue;
import org.junit.jupiter.api.Test;

/**
 * {@code __transaction_state} records in Kafka's bytes: checked both ways against the classes Kafka generates from
 * TransactionLogKey.json and TransactionLogValue.json (kafka-transaction-coordinator, a test dependency), and against
 * bytes no writer would produce.
 */
class TransactionLogCodecTest {

    private static final TransactionLogEntry ONGOING = new TransactionLogEntry(
            "orders-tx",
            4001L,
            4000L,
            4002L,
            (short) 7,
            60_000,
            TransactionState.ONGOING,
            Set.of(new TopicPartition("payments", 0), new TopicPartition("orders", 2), new TopicPartition("orders", 0)),
            1_700_000_000_123L,
            1_700_000_000_001L,
            (short) 2);

    private static final TransactionLogEntry EMPTY = new TransactionLogEntry(
            "idle-tx",
            12L,
            -1L,
            -1L,
            (short) 0,
            30_000,
            TransactionState.EMPTY,
            Set.of(),
            1_700_000_000_000L,
            -1L,
            (short) 0);

    @Test
    void shouldWriteTheKeyAsKafkaDoes() {
        byte[] kafka =
                MessageUtil.toVersionPrefixedBytes((short) 0, new TransactionLogKey().setTransactionalId("orders-tx"));

        assertThat(TransactionLogCodec.key("orders-tx")).isEqualTo(kafka);
        assertThat(TransactionLogCodec.readKey(ByteBuffer.wrap(kafka))).isEqualTo("orders-tx");
    }

    @Test
    void shouldWriteTheValueAsKafkaDoesWithEveryTaggedField() {
        TransactionLogValue kafka = kafkaValue(ONGOING)
                .setTransactionPartitions(List.of(
                        new TransactionLogValue.PartitionsSchema()
                                .setTopic("orders")
                                .setPartitionIds(List.of(0, 2)),
                        new TransactionLogValue.PartitionsSchema()
                                .setTopic("payments")
                                .setPartitionIds(List.of(0))));

        assertThat(TransactionLogCodec.value(ONGOING)).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 1, kafka));
    }

    @Test
    void shouldWriteAnEmptyIdAsKafkaDoesWithNullPartitionsAndNoTaggedFields() {
        TransactionLogValue kafka = kafkaValue(EMPTY).setTransactionPartitions(null);

        byte[] bytes = TransactionLogCodec.value(EMPTY);

        assertThat(bytes).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 1, kafka));
        assertThat(bytes[bytes.length - 1]).as("no tagged fields").isZero();
    }

    @Test
    void shouldBeReadByKafka() {
        ByteBuffer bytes = ByteBuffer.wrap(TransactionLogCodec.value(ONGOING));
        short version = bytes.getShort();
        TransactionLogValue read = new TransactionLogValue(new ByteBufferAccessor(bytes), version);

        assertThat(version).isEqualTo((short) 1);
        assertThat(read.producerId()).isEqualTo(4001L);
        assertThat(read.previousProducerId()).isEqualTo(4000L);
        assertThat(read.nextProducerId()).isEqualTo(4002L);
        assertThat(read.producerEpoch()).isEqualTo((short) 7);
        assertThat(read.transactionTimeoutMs()).isEqualTo(60_000);
        assertThat(read.transactionStatus()).isEqualTo(TransactionState.ONGOING.id());
        assertThat(read.transactionLastUpdateTimestampMs()).isEqualTo(1_700_000_000_123L);
        assertThat(read.transactionStartTimestampMs()).isEqualTo(1_700_000_000_001L);
        assertThat(read.clientTransactionVersion()).isEqualTo((short) 2);
        assertThat(read.transactionPartitions())
                .extracting(
                        TransactionLogValue.PartitionsSchema::topic, TransactionLogValue.PartitionsSchema::partitionIds)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("orders", List.of(0, 2)),
                        org.assertj.core.groups.Tuple.tuple("payments", List.of(0)));
        assertThat(bytes.remaining()).as("Kafka read every byte").isZero();
    }

    @Test
    void shouldReadKafkasVersionOneWithAnUnknownTaggedField() {
        TransactionLogValue kafka = kafkaValue(ONGOING).setTransactionPartitions(partitionsOf(ONGOING));
        kafka.unknownTaggedFields().add(new RawTaggedField(9, new byte[] {1, 2, 3}));

        TransactionLogEntry read = TransactionLogCodec.readValue(
                "orders-tx", ByteBuffer.wrap(MessageUtil.toVersionPrefixedBytes((short) 1, kafka)));

        assertThat(read).isEqualTo(ONGOING);
    }

    @Test
    void shouldReadKafkasVersionZeroWithTheTaggedFieldsAtTheirDefaults() {
        TransactionLogEntry read = TransactionLogCodec.readValue("orders-tx", ByteBuffer.wrap(kafkaV0(ONGOING)));

        assertThat(read)
                .isEqualTo(new TransactionLogEntry(
                        "orders-tx",
                        4001L,
                        -1L,
                        -1L,
                        (short) 7,
                        60_000,
                        TransactionState.ONGOING,
                        ONGOING.partitions(),
                        1_700_000_000_123L,
                        1_700_000_000_001L,
                        (short) 0));
        TransactionLogEntry empty = TransactionLogCodec.readValue("idle-tx", ByteBuffer.wrap(kafkaV0(EMPTY)));
        assertThat(empty).isEqualTo(EMPTY);
    }

    @Test
    void shouldReadBackWhatItWritesInEveryState() {
        for (TransactionState state : TransactionState.values()) {
            Set<TopicPartition> partitions =
                    state == TransactionState.EMPTY ? Set.of() : Set.of(new TopicPartition("t", 3));
            TransactionLogEntry entry = new TransactionLogEntry(
                    "tx-" + state, 1L, -1L, 2L, Short.MAX_VALUE, 1, state, partitions, 5L, -1L, (short) 1);

            assertThat(TransactionLogCodec.readValue(
                            entry.transactionalId(), ByteBuffer.wrap(TransactionLogCodec.value(entry))))
                    .as(state.name())
                    .isEqualTo(entry);
        }
    }

    @Test
    void shouldIgnoreThePartitionsOfAnEmptyIdAsKafkaDoes() {
        TransactionLogValue kafka = kafkaValue(EMPTY).setTransactionPartitions(partitionsOf(ONGOING));

        TransactionLogEntry read = TransactionLogCodec.readValue(
                "idle-tx", ByteBuffer.wrap(MessageUtil.toVersionPrefixedBytes((short) 1, kafka)));

        assertThat(read.partitions()).isEmpty();
    }

    @Test
    void shouldRefuseToWriteWhatItCouldNotReadBack() {
        assertThatThrownBy(() -> TransactionLogCodec.key("\uFFFD".repeat(11_000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("string of 33000 bytes");
        TransactionLogEntry emptyWithPartitions = new TransactionLogEntry(
                "x", 1L, -1L, -1L, (short) 0, 1, TransactionState.EMPTY, ONGOING.partitions(), 1L, -1L, (short) 0);
        assertThatThrownBy(() -> TransactionLogCodec.value(emptyWithPartitions))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldThrowInvalidRecordForEveryTruncationOfAKeyOrValue() {
        byte[] key = TransactionLogCodec.key("orders-tx");
        for (int length = 0; length < key.length; length++) {
            ByteBuffer cut = ByteBuffer.wrap(Arrays.copyOf(key, length));
            assertThatThrownBy(() -> TransactionLogCodec.readKey(cut))
                    .as("key of %d bytes", length)
                    .isInstanceOf(InvalidRecordException.class);
        }
        for (byte[] value : List.of(TransactionLogCodec.value(ONGOING), kafkaV0(ONGOING))) {
            for (int length = 0; length < value.length; length++) {
                ByteBuffer cut = ByteBuffer.wrap(Arrays.copyOf(value, length));
                assertThatThrownBy(() -> TransactionLogCodec.readValue("orders-tx", cut))
                        .as("value v%d of %d bytes", value[1], length)
                        .isInstanceOf(InvalidRecordException.class);
            }
        }
    }

    @Test
    void shouldRefuseCountsAndLengthsBeyondTheBytesPresent() {
        ByteBuffer hugeTopicCountV0 = valueHead(0).putInt(Integer.MAX_VALUE).flip();
        ByteBuffer hugeTopicCountV1 = valueHead(1)
                .put(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07})
                .flip();
        ByteBuffer hugePartitionCount = valueHead(0)
                .putInt(1)
                .putShort((short) 1)
                .put((byte) 't')
                .putInt(1_000_000)
                .flip();
        ByteBuffer hugeTopicLength =
                valueHead(0).putInt(1).putShort(Short.MAX_VALUE).flip();
        ByteBuffer negativeTopicLength =
                valueHead(0).putInt(1).putShort((short) -1).flip();
        ByteBuffer hugeKeyLength = ByteBuffer.allocate(8)
                .putShort((short) 0)
                .putShort((short) 30_000)
                .flip();

        for (ByteBuffer value :
                List.of(hugeTopicCountV0, hugeTopicCountV1, hugePartitionCount, hugeTopicLength, negativeTopicLength)) {
            assertThatThrownBy(() -> TransactionLogCodec.readValue("x", value))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("bytes left");
        }
        assertThatThrownBy(() -> TransactionLogCodec.readKey(hugeKeyLength))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("bytes left");
    }

    @Test
    void shouldRefuseUnknownVersionsStatesAndMalformedFields() {
        byte[] good = TransactionLogCodec.value(ONGOING);
        byte[] unknownState = good.clone();
        unknownState[2 + 8 + 2 + 4] = 9;
        byte[] unknownVersion = good.clone();
        unknownVersion[1] = 2;
        byte[] badVarint =
                valueHead(1).put(new byte[] {-1, -1, -1, -1, -1, -1}).flip().array();
        byte[] negativePartition = MessageUtil.toVersionPrefixedBytes(
                (short) 1,
                kafkaValue(ONGOING)
                        .setTransactionPartitions(List.of(new TransactionLogValue.PartitionsSchema()
                                .setTopic("t")
                                .setPartitionIds(List.of(-3)))));
        TransactionLogValue wrongTagSize = kafkaValue(EMPTY).setTransactionPartitions(null);
        wrongTagSize.unknownTaggedFields().add(new RawTaggedField(2, new byte[] {0, 1, 2, 3}));
        byte[] wrongTag = MessageUtil.toVersionPrefixedBytes((short) 1, wrongTagSize);

        assertThatThrownBy(() -> TransactionLogCodec.readValue("x", ByteBuffer.wrap(unknownState)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("state id=9");
        assertThatThrownBy(() -> TransactionLogCodec.readValue("x", ByteBuffer.wrap(unknownVersion)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("version=2");
        assertThatThrownBy(() -> TransactionLogCodec.readValue("x", ByteBuffer.wrap(badVarint)))
                .isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> TransactionLogCodec.readValue("x", ByteBuffer.wrap(negativePartition)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("partition=-3");
        assertThatThrownBy(() -> TransactionLogCodec.readValue("x", ByteBuffer.wrap(wrongTag)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("tagged field 2 of 4 bytes");
        assertThatThrownBy(() -> TransactionLogCodec.readKey(ByteBuffer.wrap(new byte[] {0, 1, 0, 0})))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("key version=1");
    }

    /** A value's fixed fields up to its partitions: version, producer id, epoch, timeout, state Ongoing. */
    private static ByteBuffer valueHead(int version) {
        return ByteBuffer.allocate(64)
                .putShort((short) version)
                .putLong(1L)
                .putShort((short) 0)
                .putInt(1)
                .put(TransactionState.ONGOING.id());
    }

    /** Kafka's v0 of the entry: no tagged fields in v0, so they are left at their defaults. */
    private static byte[] kafkaV0(TransactionLogEntry entry) {
        TransactionLogValue v0 = kafkaValue(entry)
                .setPreviousProducerId(-1L)
                .setNextProducerId(-1L)
                .setClientTransactionVersion((short) 0)
                .setTransactionPartitions(entry.state() == TransactionState.EMPTY ? null : partitionsOf(entry));
        return MessageUtil.toVersionPrefixedBytes((short) 0, v0);
    }

    private static TransactionLogValue kafkaValue(TransactionLogEntry entry) {
        return new TransactionLogValue()
                .setProducerId(entry.producerId())
                .setPreviousProducerId(entry.previousProducerId())
                .setNextProducerId(entry.nextProducerId())
                .setProducerEpoch(entry.producerEpoch())
                .setTransactionTimeoutMs(entry.timeoutMs())
                .setTransactionStatus(entry.state().id())
                .setTransactionLastUpdateTimestampMs(entry.lastUpdateMs())
                .setTransactionStartTimestampMs(entry.startMs())
                .setClientTransactionVersion(entry.clientTransactionVersion());
    }

    /** One schema per partition, in any order: the reader must not depend on the writer's grouping. */
    private static List<TransactionLogValue.PartitionsSchema> partitionsOf(TransactionLogEntry entry) {
        List<TransactionLogValue.PartitionsSchema> schemas = new ArrayList<>();
        entry.partitions()
                .forEach(tp -> schemas.add(new TransactionLogValue.PartitionsSchema()
                        .setTopic(tp.topic())
                        .setPartitionIds(List.of(tp.partition()))));
        return schemas;
    }
}
