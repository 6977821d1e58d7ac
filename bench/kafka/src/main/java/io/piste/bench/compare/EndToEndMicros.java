package io.piste.bench.compare;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end latency with one record in flight, the loop of Kafka's {@code EndToEndLatency} ({@code send().get()},
 * then {@code poll()} until the record is back), but timed in microseconds: {@code EndToEndLatency} prints whole
 * milliseconds, too coarse for a loopback round trip of one or two ms. Producer {@code acks=all},
 * {@code linger.ms=0}; consumer {@code assign()}ed to partition 0 of the topic, from its end, no group. The first
 * records sent during the warm-up are not counted: {@code warmup} is a number of records, or a duration such as
 * {@code 8s} (the same warm-up time for every broker, however fast each answers).
 *
 * <p>Prints {@code records=.. p50_ms=.. p99_ms=.. p999_ms=.. max_ms=.. avg_ms=..} (3 decimals) and
 * {@code client_cpu_us=..}: the CPU this client process spent per counted record (every thread, JIT and GC
 * included), the share of the loop no broker can remove. Writes {@code warm-up done} and {@code measured} to
 * stderr when the counted records begin and end, for scripts that sample the broker's CPU in between.
 *
 * <p>Usage: {@code EndToEndMicros <bootstrap> <topic> <records> [size] [warmup]}.
 */
public final class EndToEndMicros {

    private EndToEndMicros() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: EndToEndMicros <bootstrap> <topic> <records> [size] [warmup]");
            System.exit(2);
        }
        String bootstrap = args[0];
        String topic = args[1];
        int records = Integer.parseInt(args[2]);
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
        String warmupArg = args.length > 4 ? args[4] : String.valueOf(Math.min(100, records / 10));
        boolean warmupIsTime = warmupArg.endsWith("s");
        long warmupRecords = warmupIsTime ? Long.MAX_VALUE : Long.parseLong(warmupArg);
        long warmupNs = warmupIsTime
                ? TimeUnit.SECONDS.toNanos(Long.parseLong(warmupArg.substring(0, warmupArg.length() - 1)))
                : 0;
        OmbStyleWorkload.createTopic(bootstrap, topic, 1);

        Properties p = producerProps(bootstrap);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500");

        Histogram micros = OmbStyleWorkload.histogram();
        double sumMs = 0;
        double clientCpuUs;
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp, Duration.ofSeconds(30));
            byte[] value = new byte[size];
            long counted = 0;
            long cpuAtStartNs = 0;
            long warmupEndNs = System.nanoTime() + warmupNs;
            for (long i = 0; counted < records; i++) {
                long begin = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, 0, null, value)).get(30, TimeUnit.SECONDS);
                int got = 0;
                long deadline = begin + TimeUnit.SECONDS.toNanos(30);
                while (got == 0 && System.nanoTime() < deadline) {
                    ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofSeconds(1));
                    got = polled.count();
                }
                long elapsed = System.nanoTime() - begin;
                if (got != 1) {
                    System.err.printf("ERROR: record %d: polled %d records, expected 1%n", i, got);
                    System.exit(1);
                }
                boolean warmingUp = warmupIsTime ? begin < warmupEndNs : i < warmupRecords;
                if (!warmingUp && counted == 0) {
                    cpuAtStartNs = processCpuNanos();
                    System.err.println("warm-up done"); // a mark for scripts that sample the broker's CPU
                }
                if (!warmingUp) {
                    counted++;
                    OmbStyleWorkload.record(micros, elapsed);
                    sumMs += elapsed / 1e6;
                }
            }
            clientCpuUs = (processCpuNanos() - cpuAtStartNs) / 1000.0 / records;
            System.err.println("measured");
        }
        System.out.printf(
                "records=%d p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f avg_ms=%.3f" + " client_cpu_us=%.1f%n",
                records,
                micros.getValueAtPercentile(50) / 1000.0,
                micros.getValueAtPercentile(99) / 1000.0,
                micros.getValueAtPercentile(99.9) / 1000.0,
                micros.getMaxValue() / 1000.0,
                sumMs / records,
                clientCpuUs);
    }

    /** CPU time of this whole client process (every thread, the JIT and GC included), in nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** EndToEndLatency's producer: {@code acks=all}, {@code linger.ms=0}, byte-array records. */
    static Properties producerProps(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return p;
    }
}
