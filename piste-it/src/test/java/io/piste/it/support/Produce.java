package io.piste.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Produces records with the real producer and waits for every acknowledgement under one deadline: a record that is
 * not acknowledged in time, or fails, fails the test with its index.
 */
public final class Produce {
    /** How long the sends and acknowledgements of one call may take together, by default. */
    public static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    private Produce() {}

    /** Sends every record (pipelined, in order), then waits for each acknowledgement; the acks in send order. */
    public static <K, V> List<RecordMetadata> acked(
            final Producer<K, V> producer, final List<ProducerRecord<K, V>> records, final Duration timeout) {
        final Bounded.Deadline deadline = Bounded.Deadline.in(timeout);
        final List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
        for (final ProducerRecord<K, V> record : records) {
            sends.add(producer.send(record));
        }
        final List<RecordMetadata> acks = new ArrayList<>(records.size());
        for (int i = 0; i < sends.size(); i++) {
            acks.add(await(sends.get(i), i, records.size(), deadline));
        }
        return acks;
    }

    /** As {@link #acked(Producer, List, Duration)} within {@link #ACK_TIMEOUT}. */
    public static <K, V> List<RecordMetadata> acked(
            final Producer<K, V> producer, final List<ProducerRecord<K, V>> records) {
        return acked(producer, records, ACK_TIMEOUT);
    }

    /** Records {@code k<i>}/{@code v<i>} for i in [from, to), spread over the partitions by key, every one acked. */
    public static void keyed(final String bootstrap, final String topic, final int from, final int to) {
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            records.add(new ProducerRecord<>(topic, "k" + i, "v" + i));
        }
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
            acked(producer, records);
        }
    }

    /** Records {@code k<i>}/{@code v<i>} for i in [from, to) to one partition, in order, every one acked. */
    public static void toPartition(
            final String bootstrap, final String topic, final int partition, final int from, final int to) {
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            records.add(new ProducerRecord<>(topic, partition, "k" + i, "v" + i));
        }
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
            acked(producer, records);
        }
    }

    private static RecordMetadata await(
            final Future<RecordMetadata> send, final int index, final int count, final Bounded.Deadline deadline) {
        try {
            return send.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
        } catch (final ExecutionException e) {
            throw new AssertionError("record " + index + " of " + count + " failed: " + e.getCause(), e.getCause());
        } catch (final TimeoutException e) {
            throw new AssertionError(
                    "record " + index + " of " + count + " not acknowledged within " + deadline.timeout());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for record " + index + " of " + count, e);
        }
    }
}
