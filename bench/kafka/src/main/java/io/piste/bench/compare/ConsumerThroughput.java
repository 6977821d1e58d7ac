package io.piste.bench.compare;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consumer throughput without a consumer group.
 *
 * <p>Kafka's {@code ConsumerPerformance} (4.4) always calls {@code subscribe()}, so it needs a group
 * coordinator; Piste has none yet. This program reads a topic the same way ConsumerPerformance does
 * (one {@code KafkaConsumer}, {@code ByteArrayDeserializer}, {@code check.crcs=false}, a 2 MiB socket
 * receive buffer, 1 MiB per-partition fetch size, all other consumer settings at their defaults) but
 * with {@code assign()} + {@code seekToBeginning()} and no {@code group.id}, so it runs against any
 * broker that implements Metadata, ListOffsets and Fetch. It is run the same way against every broker.
 *
 * <p>Usage: {@code ConsumerThroughput <bootstrap> <topic> <records> [timeoutMs]}. Prints one line of
 * {@code key=value} pairs: records, bytes (key+value bytes), elapsed ms (from the first poll to the last
 * record), MB/s (MiB of key+value per second), records/s, time to the first record, and the sum of the
 * partitions' end offsets (to check that nothing acknowledged is missing). Exits 1 if fewer records
 * than asked for arrive before the timeout.
 */
public final class ConsumerThroughput {

    private ConsumerThroughput() {}

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: ConsumerThroughput <bootstrap> <topic> <records> [timeoutMs]");
            System.exit(2);
        }
        String bootstrap = args[0];
        String topic = args[1];
        long wanted = Long.parseLong(args[2]);
        long timeoutMs = args.length > 3 ? Long.parseLong(args[3]) : 300_000L;

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.CHECK_CRCS_CONFIG, "false");
        props.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, String.valueOf(2 * 1024 * 1024));
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(1024 * 1024));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "piste-bench-consumer");

        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                System.err.println("topic " + topic + " has no partitions");
                System.exit(1);
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long endSum = ends.values().stream().mapToLong(Long::longValue).sum();

            long records = 0;
            long bytes = 0;
            long start = System.nanoTime();
            long deadline = start + timeoutMs * 1_000_000L;
            long firstRecordNs = -1;
            long lastRecordNs = start;
            while (records < wanted && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                if (batch.isEmpty()) {
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    records++;
                    bytes += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                }
                lastRecordNs = System.nanoTime();
                if (firstRecordNs < 0) {
                    firstRecordNs = lastRecordNs;
                }
            }
            double elapsedMs = (lastRecordNs - start) / 1e6;
            double secs = elapsedMs / 1000.0;
            System.out.printf(
                    "records=%d bytes=%d elapsed_ms=%.0f mb_per_sec=%.2f records_per_sec=%.0f first_record_ms=%.0f "
                            + "partitions=%d end_offset_sum=%d%n",
                    records,
                    bytes,
                    elapsedMs,
                    secs > 0 ? bytes / (1024.0 * 1024.0) / secs : 0,
                    secs > 0 ? records / secs : 0,
                    firstRecordNs < 0 ? -1 : (firstRecordNs - start) / 1e6,
                    partitions.size(),
                    endSum);
            if (records < wanted) {
                System.err.printf("ERROR: only %d of %d records within %d ms%n", records, wanted, timeoutMs);
                System.exit(1);
            }
        }
    }
}
