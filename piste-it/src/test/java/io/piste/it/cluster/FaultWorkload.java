package io.piste.it.cluster;

import io.piste.it.support.Bounded;
import io.piste.it.support.Clients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The clients of a fault test, as Kafka's ProduceConsumeValidateTest runs them: an idempotent producer (acks=all,
 * the case's compression) writing unique values at a steady rate, and a consumer reading the topic from its start
 * at the same time; both record into a {@link History}. Each runs on its own thread until {@link #close()}.
 */
final class FaultWorkload implements AutoCloseable {
    private static final int RECORDS_PER_TICK = 20;
    private static final Duration TICK = Duration.ofMillis(20); // about 1,000 records a second, as Kafka's test
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(150);

    private final String bootstrap;
    private final String topic;
    private final int partitions;
    private final History history;
    private final KafkaProducer<String, String> producer;
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private final AtomicReference<Throwable> clientFailure = new AtomicReference<>();
    private final Thread producerThread;
    private final Thread readerThread;

    FaultWorkload(String bootstrap, String topic, int partitions, String compression, History history) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.partitions = partitions;
        this.history = history;
        this.producer = Clients.producer(
                bootstrap,
                Clients.props(
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.COMPRESSION_TYPE_CONFIG,
                        compression,
                        // a hard bounce of the only in-sync replica keeps a partition offline for seconds
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        120_000,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG,
                        60_000));
        this.producerThread = new Thread(this::produce, topic + "-producer");
        this.readerThread = new Thread(this::read, topic + "-reader");
        producerThread.start();
        readerThread.start();
    }

    private void produce() {
        try {
            for (long sequence = 0; producing.get(); ) {
                for (int i = 0; i < RECORDS_PER_TICK; i++) {
                    String value = topic + "-" + sequence++;
                    history.sent(value);
                    producer.send(new ProducerRecord<>(topic, value, value), (metadata, error) -> {
                        if (error == null) {
                            history.acknowledged(value, metadata.partition(), metadata.offset());
                        }
                    });
                }
                Bounded.sleep(TICK);
            }
        } catch (Throwable e) {
            clientFailure.compareAndSet(null, e);
        }
    }

    private void read() {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
            List<TopicPartition> all = topicPartitions();
            consumer.assign(all);
            consumer.seekToBeginning(all);
            while (reading.get()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    history.readDuringFaults(record.partition(), record.offset(), record.value());
                }
            }
        } catch (Throwable e) {
            clientFailure.compareAndSet(null, e);
        }
    }

    /** Stops writing and waits until every record sent is acknowledged or failed. */
    void stopProducing() throws InterruptedException {
        producing.set(false);
        producerThread.join(FLUSH_TIMEOUT.toMillis());
        producer.close(FLUSH_TIMEOUT);
    }

    /** The first error a client thread died of, if any (a record's failed send is not one). */
    Throwable clientFailure() {
        return clientFailure.get();
    }

    /** Every record of every partition up to its end offset now, by partition. */
    Map<Integer, List<History.Read>> readAll(Duration timeout) {
        Map<Integer, List<History.Read>> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
            List<TopicPartition> all = topicPartitions();
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> ends = consumer.endOffsets(all, timeout);
            for (TopicPartition partition : all) {
                read.put(partition.partition(), new ArrayList<>());
            }
            Bounded.Deadline deadline = Bounded.Deadline.in(timeout);
            while (!caughtUp(consumer, ends)) {
                if (deadline.passed()) {
                    throw new AssertionError("the final read did not reach the end offsets " + ends + " within "
                            + timeout + ": at " + positions(consumer, all));
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    read.get(record.partition()).add(new History.Read(record.offset(), record.value()));
                }
            }
        }
        return read;
    }

    private static boolean caughtUp(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey(), Duration.ofSeconds(10)) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static Map<TopicPartition, Long> positions(
            KafkaConsumer<String, String> consumer, List<TopicPartition> all) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition partition : all) {
            positions.put(partition, consumer.position(partition, Duration.ofSeconds(10)));
        }
        return positions;
    }

    private List<TopicPartition> topicPartitions() {
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(topic, p));
        }
        return all;
    }

    @Override
    public void close() throws InterruptedException {
        producing.set(false);
        reading.set(false);
        producerThread.join(FLUSH_TIMEOUT.toMillis());
        readerThread.join(TimeUnit.SECONDS.toMillis(30));
        producer.close(Duration.ZERO);
    }
}
