package io.piste.bench.compare;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A fixed-rate workload in the style of the OpenMessaging Benchmark (OMB), written with the Java clients because
 * OMB itself cannot be fetched here: one topic, P partitions, N producers and M consumers (one group, subscribe)
 * in one JVM, each producer sending {@code rate / N} records per second of {@code size} bytes on a fixed schedule.
 *
 * <p>Measured, after a warm-up, with HdrHistogram in microseconds (values above 60 s are clamped):
 * <ul>
 *   <li><b>publish latency</b>: from {@code send()} to the acknowledgement callback;</li>
 *   <li><b>publish delay</b>: how far {@code send()} started behind its schedule (a blocked or slow producer
 *       falls behind; OMB reports this so that coordinated omission is visible instead of hidden);</li>
 *   <li><b>end-to-end latency</b>: from {@code send()} to the consumer's {@code poll()} returning the record
 *       (send time is written into the first 8 bytes of the value; producers and consumers share the JVM, so
 *       {@link System#nanoTime()} is one clock), and the same from the <em>scheduled</em> send time.</li>
 * </ul>
 *
 * <p>With {@code --consumers 0} it is a fixed-rate send-to-ack test. Prints one {@code key=value} line; latencies
 * in ms with 3 decimals. Exits 1 on send errors or when fewer than 99.9 % of the measured records arrive.
 *
 * <p>Usage: {@code OmbStyleWorkload --bootstrap H:P --topic T [--partitions 100] [--producers 4]
 * [--consumers 4] [--rate 10000] [--size 1024] [--warmup-s 10] [--duration-s 60] [--acks all]
 * [--linger-ms 1] [--batch-size 1048576] [--create true]}.
 */
public final class OmbStyleWorkload {

    private static final long MAX_VALUE_US = TimeUnit.SECONDS.toMicros(60);
    private static final int HEADER_BYTES = 16;

    private OmbStyleWorkload() {}

    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        String bootstrap = a.get("bootstrap", null);
        String topic = a.get("topic", null);
        if (bootstrap == null || topic == null) {
            System.err.println("usage: OmbStyleWorkload --bootstrap H:P --topic T [options, see javadoc]");
            System.exit(2);
        }
        int partitions = a.getInt("partitions", 100);
        int producers = a.getInt("producers", 4);
        int consumers = a.getInt("consumers", 4);
        int rate = a.getInt("rate", 10_000);
        int size = Math.max(HEADER_BYTES, a.getInt("size", 1024));
        int warmupS = a.getInt("warmup-s", 10);
        int durationS = a.getInt("duration-s", 60);
        if (a.get("create", "true").equals("true")) {
            createTopic(bootstrap, topic, partitions);
        }

        List<ConsumerLoop> consumerLoops = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            consumerLoops.add(new ConsumerLoop(consumerProps(bootstrap, topic, i), topic));
        }
        List<Thread> consumerThreads = start(consumerLoops, "consumer");
        if (consumers > 0) {
            awaitAssignment(consumerLoops, partitions, 60_000);
        }

        // The schedule starts once every partition has a consumer, so that the warm-up is all sending.
        long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long measureFromNs = startNs + TimeUnit.SECONDS.toNanos(warmupS);
        long endNs = measureFromNs + TimeUnit.SECONDS.toNanos(durationS);
        for (ConsumerLoop c : consumerLoops) {
            c.measureFromNs = measureFromNs;
        }
        List<ProducerLoop> producerLoops = new ArrayList<>();
        long intervalNs = Math.max(1, TimeUnit.SECONDS.toNanos(1) * producers / Math.max(1, rate));
        for (int i = 0; i < producers; i++) {
            // Producer i starts i/N of an interval later, so the N schedules interleave evenly.
            producerLoops.add(new ProducerLoop(
                    producerProps(bootstrap, a, i),
                    topic,
                    size,
                    startNs + intervalNs * i / producers,
                    intervalNs,
                    measureFromNs,
                    endNs));
        }
        List<Thread> producerThreads = start(producerLoops, "producer");
        for (Thread t : producerThreads) {
            t.join(TimeUnit.SECONDS.toMillis(warmupS + durationS + 120L));
        }

        long measuredAcked = 0;
        long sendErrors = 0;
        long sent = 0;
        Histogram publish = histogram();
        Histogram delay = histogram();
        for (ProducerLoop p : producerLoops) {
            measuredAcked += p.measuredAcked.get();
            sendErrors += p.errors.get();
            sent += p.sent;
            publish.add(p.publishUs);
            delay.add(p.delayUs);
        }

        Histogram e2e = histogram();
        Histogram e2eScheduled = histogram();
        long received = 0;
        if (consumers > 0) {
            // Let the consumers drain what was acknowledged, bounded in time.
            long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < drainDeadline && measuredReceived(consumerLoops) < measuredAcked) {
                Thread.sleep(50);
            }
        }
        for (ConsumerLoop c : consumerLoops) {
            c.stop = true;
        }
        for (Thread t : consumerThreads) {
            t.join(30_000);
        }
        for (ConsumerLoop c : consumerLoops) {
            received += c.measuredReceived;
            e2e.add(c.e2eUs);
            e2eScheduled.add(c.e2eScheduledUs);
        }
        double seconds = durationS;
        StringBuilder line = new StringBuilder();
        line.append(String.format(
                "producers=%d consumers=%d partitions=%d rate_target=%d size=%d sent=%d "
                        + "measured_acked=%d measured_received=%d send_errors=%d rate_achieved=%.0f",
                producers,
                consumers,
                partitions,
                rate,
                size,
                sent,
                measuredAcked,
                received,
                sendErrors,
                measuredAcked / seconds));
        appendPercentiles(line, "publish", publish);
        appendPercentiles(line, "publish_delay", delay);
        if (consumers > 0) {
            appendPercentiles(line, "e2e", e2e);
            appendPercentiles(line, "e2e_from_schedule", e2eScheduled);
        }
        System.out.println(line);
        boolean lost = consumers > 0 && received < measuredAcked * 0.999;
        if (sendErrors > 0 || measuredAcked == 0 || lost) {
            System.err.printf(
                    "ERROR: send_errors=%d measured_acked=%d measured_received=%d%n",
                    sendErrors, measuredAcked, received);
            System.exit(1);
        }
    }

    private static long measuredReceived(List<ConsumerLoop> loops) {
        long n = 0;
        for (ConsumerLoop c : loops) {
            n += c.measuredReceived;
        }
        return n;
    }

    private static void appendPercentiles(StringBuilder line, String name, Histogram h) {
        line.append(String.format(
                " %s_p50_ms=%.3f %s_p99_ms=%.3f %s_p999_ms=%.3f %s_max_ms=%.3f %s_count=%d",
                name,
                h.getValueAtPercentile(50) / 1000.0,
                name,
                h.getValueAtPercentile(99) / 1000.0,
                name,
                h.getValueAtPercentile(99.9) / 1000.0,
                name,
                h.getMaxValue() / 1000.0,
                name,
                h.getTotalCount()));
    }

    static Histogram histogram() {
        return new Histogram(MAX_VALUE_US, 3);
    }

    static void record(Histogram h, long nanos) {
        h.recordValue(Math.max(0, Math.min(MAX_VALUE_US, nanos / 1000)));
    }

    private static <T extends Runnable> List<Thread> start(List<T> loops, String name) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < loops.size(); i++) {
            Thread t = new Thread(loops.get(i), name + "-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        return threads;
    }

    static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                        .all()
                        .get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static void awaitAssignment(List<ConsumerLoop> loops, int partitions, long timeoutMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            Set<TopicPartition> all = new HashSet<>();
            boolean failed = false;
            for (ConsumerLoop c : loops) {
                all.addAll(c.assigned);
                failed |= c.error != null;
            }
            if (failed) {
                break;
            }
            if (all.size() == partitions) {
                return;
            }
            Thread.sleep(20);
        }
        for (ConsumerLoop c : loops) {
            if (c.error != null) {
                System.err.println("ERROR: consumer failed: " + c.error);
            }
        }
        System.err.println(
                "ERROR: consumers did not get all " + partitions + " partitions within " + timeoutMs + " ms");
        System.exit(1);
    }

    private static Properties producerProps(String bootstrap, Args a, int index) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, a.get("acks", "all"));
        props.put(ProducerConfig.LINGER_MS_CONFIG, a.get("linger-ms", "1"));
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, a.get("batch-size", "1048576"));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, a.get("compression", "none"));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "omb-style-producer-" + index);
        return props;
    }

    private static Properties consumerProps(String bootstrap, String topic, int index) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "omb-style-" + topic);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(10 * 1024 * 1024));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "omb-style-consumer-" + index);
        return props;
    }

    /** One producer on its own thread, sending on a fixed schedule. */
    static final class ProducerLoop implements Runnable {
        private final Properties props;
        private final String topic;
        private final int size;
        private final long firstNs;
        private final long intervalNs;
        private final long measureFromNs;
        private final long endNs;
        /** Written by the producer's I/O thread (callbacks), read after close(). */
        final Histogram publishUs = histogram();
        /** Written by this loop's thread only. */
        final Histogram delayUs = histogram();

        final AtomicLong measuredAcked = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        long sent;

        ProducerLoop(
                Properties props,
                String topic,
                int size,
                long firstNs,
                long intervalNs,
                long measureFromNs,
                long endNs) {
            this.props = props;
            this.topic = topic;
            this.size = size;
            this.firstNs = firstNs;
            this.intervalNs = intervalNs;
            this.measureFromNs = measureFromNs;
            this.endNs = endNs;
        }

        @Override
        public void run() {
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
                for (long i = 0; ; i++) {
                    long scheduledNs = firstNs + i * intervalNs;
                    if (scheduledNs >= endNs) {
                        break;
                    }
                    long now = System.nanoTime();
                    while (now < scheduledNs) {
                        LockSupport.parkNanos(scheduledNs - now);
                        now = System.nanoTime();
                    }
                    byte[] value = new byte[size];
                    ByteBuffer.wrap(value).putLong(now).putLong(scheduledNs);
                    boolean measured = scheduledNs >= measureFromNs;
                    if (measured) {
                        record(delayUs, now - scheduledNs);
                    }
                    long sendNs = now;
                    producer.send(new ProducerRecord<>(topic, value), (metadata, exception) -> {
                        if (exception != null) {
                            errors.incrementAndGet();
                        } else if (measured) {
                            record(publishUs, System.nanoTime() - sendNs);
                            measuredAcked.incrementAndGet();
                        }
                    });
                    sent++;
                }
                producer.flush();
            } catch (RuntimeException e) {
                System.err.println("ERROR: producer failed: " + e);
                errors.incrementAndGet();
            }
        }
    }

    /** One consumer of the group on its own thread. */
    static final class ConsumerLoop implements Runnable {
        private final Properties props;
        private final String topic;
        final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
        final Histogram e2eUs = histogram();
        final Histogram e2eScheduledUs = histogram();
        volatile long measureFromNs = Long.MAX_VALUE;
        volatile long measuredReceived;
        volatile boolean stop;
        volatile Throwable error;

        ConsumerLoop(Properties props, String topic) {
            this.props = props;
            this.topic = topic;
        }

        @Override
        public void run() {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
                consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        assigned.removeAll(partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        assigned.addAll(partitions);
                    }
                });
                long n = 0;
                while (!stop) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    if (records.isEmpty()) {
                        continue;
                    }
                    long now = System.nanoTime();
                    long from = measureFromNs;
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        ByteBuffer v = ByteBuffer.wrap(r.value());
                        long sendNs = v.getLong();
                        long scheduledNs = v.getLong();
                        if (scheduledNs >= from) {
                            record(e2eUs, now - sendNs);
                            record(e2eScheduledUs, now - scheduledNs);
                            n++;
                        }
                    }
                    measuredReceived = n;
                    consumer.commitAsync();
                }
            } catch (RuntimeException e) {
                error = e;
                System.err.println("ERROR: consumer failed: " + e);
            }
        }
    }

    /** {@code --key value} arguments. */
    static final class Args {
        private final Map<String, String> values;

        private Args(Map<String, String> values) {
            this.values = values;
        }

        static Args parse(String[] args) {
            Map<String, String> values = new ConcurrentHashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("expected --key value, got " + args[i]);
                }
                values.put(args[i].substring(2), args[i + 1]);
            }
            if (args.length % 2 != 0) {
                throw new IllegalArgumentException("option without value: " + args[args.length - 1]);
            }
            return new Args(values);
        }

        String get(String key, String fallback) {
            return values.getOrDefault(key, fallback);
        }

        int getInt(String key, int fallback) {
            String v = values.get(key);
            return v == null ? fallback : Integer.parseInt(v);
        }
    }
}
