package io.piste.bench.compare;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Transactions, two workloads (issue 15's closing figures), each on a topic it creates with 6 partitions:
 *
 * <ul>
 *   <li>{@code throughput}: one transactional producer ({@code transactional.id}, {@code acks=all}, the client's
 *       other defaults) commits transactions of {@code records} records of {@code size} bytes, one after the other,
 *       for {@code seconds} after a warm-up of {@code warmup} seconds. Prints {@code txns=.. records=..
 *       mb_per_sec=.. txns_per_sec=.. commit_p50_ms=.. commit_p99_ms=..} (commit: {@code commitTransaction()}'s
 *       own time, the flush of the last records and EndTxn).
 *   <li>{@code latency}: the same producer commits transactions of {@code records} records (1 for one record
 *       per transaction) at {@code rate} transactions/s; a {@code read_committed} consumer, {@code assign()}ed to
 *       every partition from its end, no group, receives them. End-to-end = the record's receipt minus the
 *       moment its {@code send()} was called (both in this JVM, {@code System.nanoTime()} carried in the value),
 *       so it includes the commit: a read_committed consumer sees a record only after its transaction's marker.
 *       A transaction that cannot start on time starts late (the loop is closed: a slow broker lowers the
 *       achieved rate, printed, instead of queueing). Prints {@code records=.. txns_per_sec=.. p50_ms=..
 *       p99_ms=.. p999_ms=.. max_ms=.. commit_p50_ms=.. commit_p99_ms=..}.
 * </ul>
 *
 * <p>{@code -Dmax.in.flight=N} sets the producer's {@code max.in.flight.requests.per.connection} (default 5).
 *
 * <p>Usage: {@code TransactionWorkload throughput <bootstrap> <topic> <seconds> [warmup] [records] [size]} or
 * {@code TransactionWorkload latency <bootstrap> <topic> <seconds> [warmup] [records] [size] [rate]}.
 */
public final class TransactionWorkload {

    private static final int PARTITIONS = 6;
    /** Byte of a latency record's value that says whether it counts (after the 8-byte send timestamp). */
    private static final int COUNTED_FLAG = 8;

    private TransactionWorkload() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4 || !(args[0].equals("throughput") || args[0].equals("latency"))) {
            System.err.println("usage: TransactionWorkload throughput|latency <bootstrap> <topic> <seconds> [warmup]"
                    + " [records] [size] [rate]");
            System.exit(2);
        }
        String bootstrap = args[1];
        String topic = args[2];
        long seconds = Long.parseLong(args[3]);
        long warmup = args.length > 4 ? Long.parseLong(args[4]) : 5;
        boolean throughput = args[0].equals("throughput");
        int records = args.length > 5 ? Integer.parseInt(args[5]) : (throughput ? 100 : 1);
        int size = args.length > 6 ? Integer.parseInt(args[6]) : 1024;
        double rate = args.length > 7 ? Double.parseDouble(args[7]) : 100;
        OmbStyleWorkload.createTopic(bootstrap, topic, PARTITIONS);
        if (throughput) {
            throughput(bootstrap, topic, seconds, warmup, records, size);
        } else {
            latency(bootstrap, topic, seconds, warmup, records, size, rate);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + topic);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // -Dmax.in.flight=1: one produce request at a time per connection (the client's default is 5), to tell
        // a broker's handling of pipelined transactional produces from the rest
        String inFlight = System.getProperty("max.in.flight");
        if (inFlight != null) {
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, inFlight);
        }
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
        producer.initTransactions();
        return producer;
    }

    private static void throughput(String bootstrap, String topic, long seconds, long warmup, int records, int size) {
        byte[] value = new byte[size];
        Histogram commits = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, topic)) {
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            long counted = 0;
            long countedFrom = 0;
            long now = start;
            while (now < end) {
                boolean counting = now >= measureFrom;
                if (counting && countedFrom == 0) {
                    countedFrom = now;
                    System.err.println("warm-up done");
                }
                producer.beginTransaction();
                for (int i = 0; i < records; i++) {
                    producer.send(new ProducerRecord<>(topic, value));
                }
                long c0 = System.nanoTime();
                producer.commitTransaction();
                now = System.nanoTime();
                if (counting) {
                    counted++;
                    commits.recordValue(Math.min(commits.getHighestTrackableValue(), (now - c0) / 1000));
                }
            }
            double secs = (now - countedFrom) / 1e9;
            System.err.println("measured");
            System.out.printf(
                    "txns=%d records=%d mb_per_sec=%.2f txns_per_sec=%.1f commit_p50_ms=%.3f commit_p99_ms=%.3f%n",
                    counted,
                    counted * records,
                    counted * records * (double) size / (1024 * 1024) / secs,
                    counted / secs,
                    commits.getValueAtPercentile(50) / 1000.0,
                    commits.getValueAtPercentile(99) / 1000.0);
        }
    }

    private static void latency(
            String bootstrap, String topic, long seconds, long warmup, int records, int size, double rate)
            throws Exception {
        Histogram e2e = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        Histogram commits = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        Throwable[] consumerError = {null};
        KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap, topic);
        Thread reader = new Thread(
                () -> {
                    try (consumer) {
                        while (!stop.get()) {
                            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                                long sent = ByteBuffer.wrap(r.value()).getLong();
                                long at = System.nanoTime();
                                if (r.value()[COUNTED_FLAG] == 1) {
                                    e2e.recordValue(Math.min(e2e.getHighestTrackableValue(), (at - sent) / 1000));
                                    received.incrementAndGet();
                                }
                            }
                        }
                    } catch (Throwable t) {
                        consumerError[0] = t;
                    }
                },
                "read-committed-consumer");
        reader.start();
        long counted = 0;
        long sentCounted = 0;
        long countedFrom = 0;
        long now;
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, topic)) {
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            long intervalNs = (long) (1e9 / rate);
            long next = start;
            now = start;
            while (now < end) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                next += intervalNs;
                now = System.nanoTime();
                boolean counting = now >= measureFrom;
                if (counting && countedFrom == 0) {
                    countedFrom = now;
                    System.err.println("warm-up done");
                }
                producer.beginTransaction();
                for (int i = 0; i < records; i++) {
                    byte[] value = new byte[Math.max(COUNTED_FLAG + 1, size)];
                    ByteBuffer.wrap(value).putLong(System.nanoTime());
                    // counted by the consumer exactly when counted here (a timestamp past measureFrom is not enough:
                    // a transaction begun just before it would be received but not sent-counted)
                    value[COUNTED_FLAG] = (byte) (counting ? 1 : 0);
                    producer.send(new ProducerRecord<>(topic, value));
                }
                long c0 = System.nanoTime();
                producer.commitTransaction();
                now = System.nanoTime();
                next = Math.max(next, now); // late: the next one starts now, not in a burst
                if (counting) {
                    counted++;
                    sentCounted += records;
                    commits.recordValue(Math.min(commits.getHighestTrackableValue(), (now - c0) / 1000));
                }
            }
        }
        // The last records' markers: give the consumer up to 10 s to see every counted record.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && consumerError[0] == null) {
            if (received.get() >= sentCounted) {
                break;
            }
            Thread.sleep(20);
        }
        stop.set(true);
        reader.join(TimeUnit.SECONDS.toMillis(30));
        if (consumerError[0] != null) {
            consumerError[0].printStackTrace();
            System.exit(1);
        }
        double secs = (now - countedFrom) / 1e9;
        System.err.println("measured");
        System.out.printf(
                "records=%d sent=%d txns_per_sec=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f"
                        + " commit_p50_ms=%.3f commit_p99_ms=%.3f%n",
                received.get(),
                sentCounted,
                counted / secs,
                e2e.getValueAtPercentile(50) / 1000.0,
                e2e.getValueAtPercentile(99) / 1000.0,
                e2e.getValueAtPercentile(99.9) / 1000.0,
                e2e.getMaxValue() / 1000.0,
                commits.getValueAtPercentile(50) / 1000.0,
                commits.getValueAtPercentile(99) / 1000.0);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
        List<TopicPartition> partitions = new ArrayList<>();
        for (int i = 0; i < PARTITIONS; i++) {
            partitions.add(new TopicPartition(topic, i));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end offsets now, before anything is sent
        return consumer;
    }
}
