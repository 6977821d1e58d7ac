package io.piste.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads partitions from their beginning with a group-less consumer, and polls group members until they have
 * partitions or records, each bounded by a deadline.
 */
public final class Consume {
    /** How long a group member may take to get its first assignment. */
    public static final Duration ASSIGNMENT_TIMEOUT = Duration.ofSeconds(30);
    /** How long a group member may take to receive the records it waits for. */
    public static final Duration RECORDS_TIMEOUT = Duration.ofSeconds(40);

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration GROUP_POLL = Duration.ofMillis(100);

    private Consume() {}

    /**
     * Reads {@code partitions} from the beginning until {@code expectedCount} records arrived or the
     * deadline passed, and returns what arrived (more than expected if the log has more).
     */
    public static <K, V> List<ConsumerRecord<K, V>> fromBeginning(
            final Consumer<K, V> consumer,
            final Collection<TopicPartition> partitions,
            final int expectedCount,
            final Duration timeout) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        final List<ConsumerRecord<K, V>> records = new ArrayList<>();
        final Bounded.Deadline deadline = Bounded.Deadline.in(timeout);
        while (records.size() < expectedCount && !deadline.passed()) {
            final ConsumerRecords<K, V> polled = consumer.poll(POLL);
            polled.forEach(records::add);
        }
        return records;
    }

    /**
     * Reads {@code partitions} from the beginning up to the end offsets they have now.
     *
     * @throws AssertionError if the end offsets are not reached before the deadline
     */
    public static <K, V> List<ConsumerRecord<K, V>> toEnd(
            final Consumer<K, V> consumer, final Collection<TopicPartition> partitions, final Duration timeout) {
        final Bounded.Deadline deadline = Bounded.Deadline.in(timeout);
        final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        final List<ConsumerRecord<K, V>> records = new ArrayList<>();
        while (!reached(consumer, end, deadline)) {
            if (deadline.passed()) {
                final StringBuilder where = new StringBuilder();
                for (final TopicPartition tp : partitions) {
                    where.append(' ')
                            .append(tp)
                            .append(": position=")
                            .append(consumer.position(tp, Duration.ofSeconds(5)))
                            .append(" end=")
                            .append(end.get(tp));
                }
                throw new AssertionError("did not read to the end offsets within " + timeout + " (read "
                        + records.size() + " records):" + where);
            }
            consumer.poll(POLL).forEach(records::add);
        }
        return records;
    }

    /** Every partition of {@code topic}, as the consumer's metadata has them. */
    public static List<TopicPartition> partitionsOf(final Consumer<?, ?> consumer, final String topic) {
        final List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofMillis(Clients.API_TIMEOUT_MS));
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final PartitionInfo info : infos) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        return partitions;
    }

    /** Every record of every partition of {@code topic}, read with a new string consumer. */
    public static List<ConsumerRecord<String, String>> allOf(
            final String bootstrap, final String topic, final Duration timeout) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
            return toEnd(consumer, partitionsOf(consumer, topic), timeout);
        }
    }

    /**
     * Polls a subscribed consumer until it owns partitions.
     *
     * @return a copy of its assignment
     * @throws AssertionError if it owns none after {@link #ASSIGNMENT_TIMEOUT}
     */
    public static Set<TopicPartition> untilAssigned(final Consumer<?, ?> consumer) {
        final Bounded.Deadline deadline = Bounded.Deadline.in(ASSIGNMENT_TIMEOUT);
        while (consumer.assignment().isEmpty() && !deadline.passed()) {
            consumer.poll(GROUP_POLL);
        }
        if (consumer.assignment().isEmpty()) {
            throw new AssertionError("no partitions assigned within " + ASSIGNMENT_TIMEOUT);
        }
        return new HashSet<>(consumer.assignment());
    }

    /**
     * Polls a subscribed consumer until at least {@code count} records arrived.
     *
     * @return every record that arrived (more than {@code count} if more came in the last poll)
     * @throws AssertionError if fewer arrived within {@link #RECORDS_TIMEOUT}
     */
    public static <K, V> List<ConsumerRecord<K, V>> atLeast(final Consumer<K, V> consumer, final int count) {
        final List<ConsumerRecord<K, V>> records = new ArrayList<>();
        final Bounded.Deadline deadline = Bounded.Deadline.in(RECORDS_TIMEOUT);
        while (records.size() < count && !deadline.passed()) {
            consumer.poll(GROUP_POLL).forEach(records::add);
        }
        if (records.size() < count) {
            throw new AssertionError(records.size() + " of " + count + " records within " + RECORDS_TIMEOUT);
        }
        return records;
    }

    private static boolean reached(
            final Consumer<?, ?> consumer, final Map<TopicPartition, Long> end, final Bounded.Deadline deadline) {
        for (final Map.Entry<TopicPartition, Long> entry : end.entrySet()) {
            final Duration wait = deadline.remaining().isZero() ? Duration.ofSeconds(1) : deadline.remaining();
            if (consumer.position(entry.getKey(), wait) < entry.getValue()) {
                return false;
            }
        }
        return true;
    }
}
