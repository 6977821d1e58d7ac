package io.piste.it.support;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Checks what was read back against what {@link LoadProducer}s sent: for each producer and partition the
 * sequence numbers, in offset order, are exactly 0, 1, 2, ... (no duplicate, no gap, no reordering) and include
 * every acknowledged one. A gap or a duplicate is a broker fault even for records that were never acknowledged:
 * the producers send each partition's records in order, so a log can only hold a prefix of them.
 */
public final class LoadVerifier {
    private LoadVerifier() {}

    /** The problems found, empty if none; at most 50 are listed. */
    public static List<String> problems(
            final List<ConsumerRecord<String, String>> records, final Collection<LoadProducer> producers) {
        final List<String> problems = new ArrayList<>();
        final Map<String, Long> nextSeq = new HashMap<>();
        final Map<Integer, Long> lastOffset = new HashMap<>();
        for (final ConsumerRecord<String, String> record : records) {
            final String[] parts = LoadProducer.parse(record);
            final int partition = Integer.parseInt(parts[1]);
            final long seq = Long.parseLong(parts[2]);
            final String where = record.topic() + "-" + record.partition() + "@" + record.offset();
            if (partition != record.partition()) {
                add(problems, where + ": " + record.value() + " sent to partition " + partition);
            }
            final Long previousOffset = lastOffset.put(record.partition(), record.offset());
            if (previousOffset != null && record.offset() <= previousOffset) {
                add(problems, where + ": offset not above previous offset " + previousOffset);
            }
            final String stream = parts[0] + ":" + partition;
            final long expected = nextSeq.getOrDefault(stream, 0L);
            if (seq != expected) {
                add(
                        problems,
                        where + ": " + record.value() + (seq < expected ? " duplicate or reordered" : " gap")
                                + ", expected seq " + expected);
            }
            nextSeq.put(stream, Math.max(expected, seq + 1));
        }
        for (final LoadProducer producer : producers) {
            for (int partition = 0; ; partition++) {
                final NavigableSet<Long> acked = producer.acked(partition);
                if (acked == null) {
                    break;
                }
                final long read = nextSeq.getOrDefault(producer.name() + ":" + partition, 0L);
                if (!acked.isEmpty() && acked.last() >= read) {
                    add(
                            problems,
                            "lost acknowledged records of " + producer.name() + " in partition " + partition
                                    + ": acknowledged up to seq " + acked.last() + " (" + acked.size()
                                    + " acks) but the log holds seqs below " + read + " only");
                }
            }
        }
        return problems;
    }

    private static void add(final List<String> problems, final String problem) {
        if (problems.size() < 50) {
            problems.add(problem);
        }
    }
}
