package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.partition.Partition;
import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.TestBroker;
import io.piste.it.support.TestDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The log side of transactions as a real consumer sees it over TCP, apart from the coordinator (TransactionsIT
 * covers it with real producers): the partition is seeded through the broker's internal append path, with
 * batches built by kafka-clients' {@link MemoryRecords}: a committed and an aborted transaction of two producers,
 * a transaction still open, and ordinary batches between them. read_committed sees the committed and ordinary
 * records up to the open transaction and, once its marker is written, the rest; read_uncommitted sees every data
 * record; {@code endOffsets} answers the last stable offset or the high watermark. A restart in the middle of the
 * open transaction changes none of it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TransactionLogIT {
    private static final String TOPIC = "txn-log";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final long COMMITTED_PID = 1_000L;
    private static final long ABORTED_PID = 2_000L;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Path dir;
    private TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        dir = TestDirs.create("txn-log-it");
        broker = TestBroker.start(dir);
        Clients.createTopic(broker.bootstrapServers(), TOPIC, 1);
    }

    @AfterEach
    void stop() throws IOException {
        if (broker != null) {
            broker.close();
        }
        TestDirs.deleteQuietly(dir);
    }

    private static MemoryRecords plain(String value) {
        return MemoryRecords.withRecords(Compression.NONE, record(value));
    }

    private static MemoryRecords transactional(long producerId, int firstSequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = record(values[i]);
        }
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, firstSequence, records);
    }

    private static SimpleRecord record(String value) {
        return new SimpleRecord(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void append(Partition partition, MemoryRecords records) throws IOException {
        partition.appendRecordsToLeader(records.buffer());
    }

    /** Waits until everything appended is durable and below the high watermark (the broker's group commit). */
    private static void awaitHighWatermarkAtLogEnd(Partition partition) {
        Bounded.Deadline deadline = Bounded.Deadline.in(TIMEOUT);
        while (partition.highWatermark() < partition.logEndOffset()) {
            assertThat(deadline.passed())
                    .as("high watermark reached the log end %d", partition.logEndOffset())
                    .isFalse();
            Bounded.sleep(Duration.ofMillis(10));
        }
    }

    private KafkaConsumer<String, String> consumer(String isolation) {
        return Clients.consumer(broker.bootstrapServers(), Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation));
    }

    private static List<String> values(List<ConsumerRecord<String, String>> records) {
        List<String> values = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) {
            values.add(r.offset() + ":" + r.value());
        }
        return values;
    }

    @Test
    void shouldShowReadCommittedOnlyDecidedCommittedDataAndReadUncommittedEveryDataRecord() throws Exception {
        Partition partition = broker.partition(TOPIC, 0);
        assertThat(partition).isNotNull();
        append(partition, plain("p0")); // 0
        append(partition, transactional(COMMITTED_PID, 0, "a1", "a2")); // 1-2
        append(partition, transactional(ABORTED_PID, 0, "b1")); // 3
        append(partition, plain("p1")); // 4
        append(partition, transactional(COMMITTED_PID, 2, "a3")); // 5
        partition.appendTransactionMarker(COMMITTED_PID, (short) 0, 0, true, (short) 0); // 6
        partition.appendTransactionMarker(ABORTED_PID, (short) 0, 0, false, (short) 0); // 7
        append(partition, transactional(COMMITTED_PID, 3, "a4")); // 8: a transaction left open
        append(partition, plain("p2")); // 9
        awaitHighWatermarkAtLogEnd(partition);
        assertThat(partition.highWatermark()).isEqualTo(10);
        assertThat(partition.lastStableOffset()).isEqualTo(8);

        // A restart in the middle of the open transaction: the broker finds it again.
        broker.restart();
        partition = broker.partition(TOPIC, 0);
        awaitHighWatermarkAtLogEnd(partition);
        assertThat(partition.lastStableOffset()).isEqualTo(8);

        try (KafkaConsumer<String, String> committed = consumer("read_committed");
                KafkaConsumer<String, String> uncommitted = consumer("read_uncommitted")) {
            assertThat(committed.endOffsets(List.of(TP), TIMEOUT)).containsEntry(TP, 8L);
            assertThat(uncommitted.endOffsets(List.of(TP), TIMEOUT)).containsEntry(TP, 10L);

            assertThat(values(Consume.toEnd(committed, List.of(TP), TIMEOUT)))
                    .as("committed and ordinary records, up to the open transaction")
                    .containsExactly("0:p0", "1:a1", "2:a2", "4:p1", "5:a3");
            assertThat(committed.position(TP, TIMEOUT)).isEqualTo(8);
            assertThat(values(Consume.toEnd(uncommitted, List.of(TP), TIMEOUT)))
                    .as("every data record, no marker")
                    .containsExactly("0:p0", "1:a1", "2:a2", "3:b1", "4:p1", "5:a3", "8:a4", "9:p2");

            partition.appendTransactionMarker(COMMITTED_PID, (short) 0, 0, true, (short) 0); // 10
            awaitHighWatermarkAtLogEnd(partition);

            assertThat(committed.endOffsets(List.of(TP), TIMEOUT)).containsEntry(TP, 11L);
            assertThat(uncommitted.endOffsets(List.of(TP), TIMEOUT)).containsEntry(TP, 11L);
            List<String> rest = new ArrayList<>();
            Bounded.Deadline deadline = Bounded.Deadline.in(TIMEOUT);
            while (committed.position(TP, TIMEOUT) < 11 && !deadline.passed()) {
                committed.poll(Duration.ofMillis(100)).forEach(r -> rest.add(r.offset() + ":" + r.value()));
            }
            assertThat(rest).as("the open transaction once committed").containsExactly("8:a4", "9:p2");
        }
    }
}
