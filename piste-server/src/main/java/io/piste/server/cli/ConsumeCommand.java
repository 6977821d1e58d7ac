package io.piste.server.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code piste consume TOPIC}, as kafka-console-consumer. Without {@code --group} it assigns the partitions itself
 * and commits nothing; with {@code --group} it joins the group (or, with an explicit start position, assigns and
 * commits to the group) and commits what it printed. Stops after {@code --max-messages}, after
 * {@code --timeout-ms} without a record, or on Ctrl-C (after committing).
 */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = "Print the records of a topic, as plain text or JSON lines.")
final class ConsumeCommand extends ClientCommand {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    @Parameters(paramLabel = "TOPIC")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the earliest offset (default: the latest).")
    boolean fromBeginning;

    @Option(names = "--offset", paramLabel = "N", description = "Start at offset N of --partition.")
    Long offset;

    @Option(
            names = {"-p", "--partition"},
            paramLabel = "P",
            description = "Read only partition P.")
    Integer partition;

    @Option(
            names = "--from-timestamp",
            paramLabel = "ISO|EPOCH_MS",
            description = "Start at the first record at or after this time (2026-12-05T10:00:00Z or ms).")
    String fromTimestamp;

    @Option(
            names = {"-g", "--group"},
            paramLabel = "GROUP",
            description = "Consume as this group and commit.")
    String group;

    @Option(
            names = {"-n", "--max-messages"},
            paramLabel = "N",
            description = "Stop after N records.")
    Long maxMessages;

    @Option(names = "--timeout-ms", paramLabel = "MS", description = "Stop after MS without a record.")
    Long timeoutMs;

    @Option(names = "--format", defaultValue = "plain", description = "${COMPLETION-CANDIDATES} (default: plain).")
    RecordFormat.Kind format;

    @Option(names = "--print-key", description = "Print the key (plain format).")
    boolean printKey;

    @Option(names = "--print-offset", description = "Print the partition and offset (plain format).")
    boolean printOffset;

    @Option(names = "--print-headers", description = "Print the headers (plain format).")
    boolean printHeaders;

    @Option(names = "--print-timestamp", description = "Print the timestamp (plain format).")
    boolean printTimestamp;

    @Option(names = "--consumer-property", paramLabel = "KEY=VALUE", description = "Any consumer config; repeatable.")
    List<String> consumerProperties = List.of();

    @Override
    protected int execute() throws Exception {
        int starts = (fromBeginning ? 1 : 0) + (offset != null ? 1 : 0) + (fromTimestamp != null ? 1 : 0);
        if (starts > 1) {
            throw usage("give at most one of --from-beginning, --offset and --from-timestamp");
        }
        if (offset != null && partition == null) {
            throw usage("--offset needs --partition");
        }
        Long startTimestamp = fromTimestamp == null ? null : parseTimestamp(fromTimestamp);
        RecordFormat recordFormat = new RecordFormat(format, printKey, printOffset, printHeaders, printTimestamp);
        Map<String, Object> config = client.consumer();
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (group != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        config.putAll(KeyValues.parse(consumerProperties, "--consumer-property"));
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C or SIGTERM: wake the poll, and hold the JVM until the loop has committed, the consumer has left
        // its group and the summary is printed (bounded).
        Thread onStop = new Thread(
                () -> {
                    consumer.wakeup();
                    try {
                        finished.await(STOP_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "piste-consume-stop");
        Runtime.getRuntime().addShutdownHook(onStop);
        try {
            List<TopicPartition> partitions = partitions(consumer);
            if (group != null && offset == null && startTimestamp == null && partition == null) {
                consumer.subscribe(List.of(topic));
            } else {
                consumer.assign(partitions);
                seek(consumer, partitions, startTimestamp);
            }
            long printed = consumeUntilDone(consumer, recordFormat);
            consumer.close(CloseOptions.timeout(STOP_TIMEOUT));
            err().println("Processed a total of " + printed + " messages");
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ZERO)); // a no-op once closed
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onStop);
            } catch (IllegalStateException e) {
                // the JVM is shutting down (Ctrl-C): the hook is running and waits for the latch above
            }
        }
        return 0;
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) throws CliException {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofMillis(client.apiTimeoutMs()));
        if (infos == null || infos.isEmpty()) {
            throw new CliException("unknown topic '" + topic + "'");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
            if (partition == null || info.partition() == partition) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        if (partitions.isEmpty()) {
            throw new CliException(
                    "topic '" + topic + "' has no partition " + partition + " (it has " + infos.size() + ")");
        }
        return partitions;
    }

    private void seek(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Long timestamp) {
        if (offset != null) {
            consumer.seek(partitions.get(0), offset);
        } else if (timestamp != null) {
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(tp -> query.put(tp, timestamp));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp at = found.get(tp);
                if (at == null) {
                    consumer.seekToEnd(List.of(tp)); // no record that late: wait for new ones
                } else {
                    consumer.seek(tp, at.offset());
                }
            }
        } else if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else if (group == null) {
            consumer.seekToEnd(partitions);
        }
        // else: a group's committed offsets, or auto.offset.reset where it has none
    }

    private long consumeUntilDone(KafkaConsumer<byte[], byte[]> consumer, RecordFormat recordFormat) {
        long printed = 0;
        try {
            long lastRecordNs = System.nanoTime();
            while (maxMessages == null || printed < maxMessages) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                if (records.isEmpty()) {
                    if (timeoutMs != null && System.nanoTime() - lastRecordNs >= timeoutMs * 1_000_000L) {
                        break;
                    }
                    continue;
                }
                lastRecordNs = System.nanoTime();
                Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    if (maxMessages != null && printed >= maxMessages) {
                        break;
                    }
                    out().println(recordFormat.format(record));
                    printed++;
                    toCommit.put(
                            new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                }
                out().flush();
                if (group != null) {
                    consumer.commitSync(toCommit, Duration.ofMillis(client.apiTimeoutMs()));
                }
            }
        } catch (WakeupException e) {
            // Stopped by Ctrl-C: every batch printed before was committed.
        }
        return printed;
    }

    static long parseTimestamp(String text) throws CliException {
        if (text.chars().allMatch(Character::isDigit) && !text.isEmpty()) {
            return Long.parseLong(text);
        }
        try {
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException again) {
                throw new CliException("cannot read the time '" + text
                        + "': give epoch milliseconds or ISO-8601 such as 2026-12-05T10:00:00Z");
            }
        }
    }
}
