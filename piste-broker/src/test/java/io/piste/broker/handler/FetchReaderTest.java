package io.piste.broker.handler;

import static io.piste.broker.partition.TestPartitions.appendAboveHighWatermark;
import static io.piste.broker.partition.TestPartitions.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.partition.FetchIsolation;
import io.piste.broker.partition.Partition;
import io.piste.broker.partition.TestPartitions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What one read of a fetch puts in its response, from real partitions over real logs. */
class FetchReaderTest {

    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    @TempDir
    Path dir;

    private TestPartitions partitions;

    private Partition open(int index) throws IOException {
        if (partitions == null) {
            partitions = new TestPartitions(dir);
        }
        return partitions.open("t", index);
    }

    @AfterEach
    void close() {
        if (partitions != null) {
            partitions.close();
        }
    }

    private static FetchTarget target(Partition partition, long fetchOffset, int partitionMaxBytes) {
        return new FetchTarget(
                "t", TOPIC_ID, partition.index(), fetchOffset, partitionMaxBytes, partition, Errors.NONE);
    }

    private static FetchReader.Result read(int maxBytes, FetchTarget... targets) {
        return new FetchReader(List.of(targets), maxBytes, FetchIsolation.HIGH_WATERMARK).read();
    }

    private static PartitionData partition(FetchReader.Result result, int i) {
        return result.response().responses().get(0).partitions().get(i);
    }

    private static long append(Partition partition, String value) throws IOException {
        return partition.appendRecordsToLeader(batch(value).buffer()).lastOffset() + 1;
    }

    /** The values of the records returned, with their offsets. */
    private static List<String> values(PartitionData data) throws IOException {
        return RecordedRequest.offsetsAndValues(data.records());
    }

    @Test
    void shouldReadWholeBatchesUpToTheHighWatermarkOnly() throws Exception {
        Partition partition = open(0);
        append(partition, "a");
        append(partition, "b");
        long logEnd = appendAboveHighWatermark(partition, batch("not yet visible"));
        assertThat(logEnd).isEqualTo(3);

        FetchReader.Result result = read(1 << 20, target(partition, 0, 1 << 20));

        PartitionData data = partition(result, 0);
        assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
        assertThat(values(data)).containsExactly("0:a", "1:b");
        assertThat(data.highWatermark()).isEqualTo(2);
        assertThat(data.lastStableOffset()).isEqualTo(2);
        assertThat(data.logStartOffset()).isZero();
        assertThat(result.bytes()).isEqualTo(data.records().sizeInBytes()).isPositive();
        assertThat(result.hasError()).isFalse();
    }

    @Test
    void shouldReadCommittedUpToTheLastStableOffset() throws Exception {
        Partition partition = open(0);
        append(partition, "a");
        appendAboveHighWatermark(partition, batch("not yet stable"));

        FetchReader.Result result =
                new FetchReader(List.of(target(partition, 0, 1 << 20)), 1 << 20, FetchIsolation.TXN_COMMITTED).read();

        assertThat(values(partition(result, 0)))
                .as("below the last stable offset, the high watermark for now")
                .containsExactly("0:a");
        assertThat(partition(result, 0).lastStableOffset()).isEqualTo(1);
    }

    private static MemoryRecords transactional(long producerId, int sequence, String value) {
        return MemoryRecords.withTransactionalRecords(
                Compression.NONE,
                producerId,
                (short) 0,
                sequence,
                new SimpleRecord(value.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldReadCommittedUpToTheOldestOpenTransactionWithTheAbortedOnesOfTheRange() throws Exception {
        Partition partition = open(0);
        append(partition, "a"); // 0
        partition.appendRecordsToLeader(transactional(7, 0, "aborted").buffer()); // 1
        partition.appendTransactionMarker(7, (short) 0, 0, false, (short) 0); // 2
        partition.appendRecordsToLeader(transactional(8, 0, "open").buffer()); // 3
        append(partition, "after the open transaction"); // 4

        PartitionData committed = partition(
                new FetchReader(List.of(target(partition, 0, 1 << 20)), 1 << 20, FetchIsolation.TXN_COMMITTED).read(),
                0);
        PartitionData uncommitted = partition(read(1 << 20, target(partition, 0, 1 << 20)), 0);

        assertThat(committed.lastStableOffset()).isEqualTo(3);
        assertThat(committed.highWatermark()).isEqualTo(5);
        assertThat(values(committed)).as("up to the open transaction").containsExactly("0:a", "1:aborted");
        assertThat(committed.abortedTransactions())
                .containsExactly(new AbortedTransaction().setProducerId(7).setFirstOffset(1));
        assertThat(values(uncommitted)).containsExactly("0:a", "1:aborted", "3:open", "4:after the open transaction");
        assertThat(uncommitted.lastStableOffset())
                .as("reported to read_uncommitted too")
                .isEqualTo(3);
        assertThat(uncommitted.abortedTransactions()).isNull();

        partition.appendTransactionMarker(8, (short) 0, 0, true, (short) 0); // 5

        PartitionData afterCommit = partition(
                new FetchReader(List.of(target(partition, 3, 1 << 20)), 1 << 20, FetchIsolation.TXN_COMMITTED).read(),
                0);
        assertThat(afterCommit.lastStableOffset()).isEqualTo(6).isEqualTo(afterCommit.highWatermark());
        assertThat(values(afterCommit)).containsExactly("3:open", "4:after the open transaction");
        assertThat(afterCommit.abortedTransactions()).isEmpty();
        assertThat(partition
                        .fetchOffsetForTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP, FetchIsolation.TXN_COMMITTED)
                        .offset())
                .isEqualTo(6);
    }

    @Test
    void shouldFindNothingBetweenTheHighWatermarkAndTheLogEnd() throws Exception {
        Partition partition = open(0);
        append(partition, "a");
        appendAboveHighWatermark(partition, batch("not yet visible"));

        FetchReader.Result result = read(1 << 20, target(partition, 1, 1 << 20));

        PartitionData data = partition(result, 0);
        assertThat(Errors.forCode(data.errorCode()))
                .as("not out of range: below the log end")
                .isEqualTo(Errors.NONE);
        assertThat(data.records().sizeInBytes()).isZero();
        assertThat(data.highWatermark()).isEqualTo(1);
        assertThat(result.bytes()).isZero();
    }

    @Test
    void shouldSendTheFirstBatchWholeAndNothingMoreBeyondMaxBytes() throws Exception {
        Partition first = open(0);
        Partition second = open(1);
        append(first, "a".repeat(200));
        append(first, "b");
        append(second, "c");

        FetchReader.Result result = read(10, target(first, 0, 10), target(second, 0, 10));

        assertThat(values(partition(result, 0)))
                .as("the first batch, larger than both limits")
                .containsExactly("0:" + "a".repeat(200));
        assertThat(partition(result, 1).records().sizeInBytes())
                .as("no bytes left for the next partition")
                .isZero();
        assertThat(partition(result, 1).highWatermark()).isEqualTo(1);
    }

    @Test
    void shouldStopAtThePartitionMaxBytes() throws Exception {
        Partition partition = open(0);
        append(partition, "a");
        int oneBatch = partition
                .read(0, 1 << 20, FetchIsolation.HIGH_WATERMARK, true)
                .fetchedData()
                .sizeInBytes();
        append(partition, "b");

        FetchReader.Result result = read(1 << 20, target(partition, 0, oneBatch + 10));

        assertThat(values(partition(result, 0))).containsExactly("0:a");
    }

    @Test
    void shouldAnswerOffsetOutOfRangeWithThePartitionsOffsets() throws Exception {
        Partition partition = open(0);
        append(partition, "a");

        FetchReader.Result result = read(1 << 20, target(partition, 5, 1 << 20));

        PartitionData data = partition(result, 0);
        assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(data.records().sizeInBytes()).isZero();
        assertThat(data.highWatermark()).isEqualTo(1);
        assertThat(data.logStartOffset()).isZero();
        assertThat(result.hasError()).isTrue();
    }

    @Test
    void shouldAnswerTheTargetsErrorWithoutReading() throws Exception {
        Partition partition = open(0);
        append(partition, "a");
        FetchTarget unknown = new FetchTarget("gone", TOPIC_ID, 3, 0, 1 << 20, null, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        FetchTarget fenced = new FetchTarget("t", TOPIC_ID, 0, 0, 1 << 20, partition, Errors.FENCED_LEADER_EPOCH);

        FetchReader.Result result = read(1 << 20, unknown, fenced);

        PartitionData unknownData =
                result.response().responses().get(0).partitions().get(0);
        assertThat(Errors.forCode(unknownData.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(unknownData.highWatermark()).isEqualTo(-1);
        PartitionData fencedData =
                result.response().responses().get(1).partitions().get(0);
        assertThat(Errors.forCode(fencedData.errorCode())).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(fencedData.records().sizeInBytes()).isZero();
        assertThat(fencedData.highWatermark()).isEqualTo(1);
        assertThat(result.hasError()).isTrue();
    }

    @Test
    void shouldAnswerKafkaStorageErrorForAnOfflinePartitionAndServeTheOthers() throws Exception {
        partitions = new TestPartitions(dir);
        Partition offline = partitions.openOffline("t", 0);
        assertThat(offline.highWatermark())
                .as("the flushed batch is below the high watermark")
                .isEqualTo(1);
        Partition healthy = partitions.open("t", 1);
        append(healthy, "c");

        FetchReader.Result result = read(1 << 20, target(offline, 0, 1 << 20), target(healthy, 0, 1 << 20));

        PartitionData data = partition(result, 0);
        assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(data.records().sizeInBytes())
                .as("nothing read from an offline log")
                .isZero();
        assertThat(data.highWatermark()).isEqualTo(-1);
        assertThat(data.lastStableOffset()).isEqualTo(-1);
        assertThat(data.logStartOffset()).isEqualTo(-1);
        assertThat(values(partition(result, 1))).containsExactly("0:c");
        assertThat(result.hasError()).isTrue();
    }
}
