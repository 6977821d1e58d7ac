package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.partition.Partition;
import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A compacted topic with transactions, as real consumers see it once the broker's cleaner has run: the aborted
 * transaction's records are gone, and the committed value of a key the aborted transaction wrote later survives;
 * read_committed and read_uncommitted read the same records. The partition is seeded through the broker's internal
 * append path (the transaction coordinator is not there yet), with batches built by kafka-clients.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransactionCompactionIT {
    private static final String TOPIC = "txn-compacted";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final long COMMITTED_PID = 1_000L;
    private static final long ABORTED_PID = 2_000L;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides("log.cleaner.backoff.ms", "100");

    @Test
    void shouldRemoveAbortedRecordsAndKeepTheCommittedValueOfTheirKeys() throws Exception {
        Clients.createCompactedTopic(BROKER.bootstrapServers(), TOPIC);
        Partition partition = BROKER.broker().partition(TOPIC, 0);
        append(partition, transactional(COMMITTED_PID, "k1", "committed-1", "k2", "committed-2"));
        partition.appendTransactionMarker(COMMITTED_PID, (short) 0, 0, true, (short) 0);
        append(partition, transactional(ABORTED_PID, "k1", "aborted-1", "k3", "aborted-3"));
        partition.appendTransactionMarker(ABORTED_PID, (short) 0, 0, false, (short) 0);
        for (int i = 0; i < 400; i++) { // past two 16 KiB segments: the transactions are cleanable
            append(partition, MemoryRecords.withRecords(Compression.NONE, record("filler-" + i, "f".repeat(64))));
        }

        Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(60));
        List<String> uncommitted = read("read_uncommitted");
        while (uncommitted.contains("k1=aborted-1") && !deadline.passed()) {
            Bounded.sleep(Duration.ofMillis(200));
            uncommitted = read("read_uncommitted");
        }

        assertThat(uncommitted).doesNotContain("k1=aborted-1", "k3=aborted-3");
        assertThat(uncommitted.subList(0, 2)).containsExactly("k1=committed-1", "k2=committed-2");
        assertThat(uncommitted).hasSize(402);
        assertThat(read("read_committed")).isEqualTo(uncommitted);
    }

    private static void append(Partition partition, MemoryRecords records) throws IOException {
        partition.appendRecordsToLeader(records.buffer());
    }

    private static MemoryRecords transactional(long producerId, String... keysAndValues) {
        SimpleRecord[] records = new SimpleRecord[keysAndValues.length / 2];
        for (int i = 0; i < records.length; i++) {
            records[i] = record(keysAndValues[2 * i], keysAndValues[2 * i + 1]);
        }
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, 0, records);
    }

    private static SimpleRecord record(String key, String value) {
        return new SimpleRecord(
                System.currentTimeMillis(),
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    /** Every record from the start to the end offset, as key=value, with this isolation level. */
    private static List<String> read(String isolation) {
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(BROKER.bootstrapServers(), Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation))) {
            List<String> result = new ArrayList<>();
            for (ConsumerRecord<String, String> r : Consume.toEnd(consumer, List.of(TP), TIMEOUT)) {
                result.add(r.key() + "=" + r.value());
            }
            return result;
        }
    }
}
