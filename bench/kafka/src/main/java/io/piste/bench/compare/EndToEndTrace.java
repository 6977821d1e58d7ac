package io.piste.bench.compare;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where the slow records of Kafka's {@code EndToEndLatency} are: the same loop with the same client settings
 * (consumer in a new group, {@code subscribe()}, {@code auto.offset.reset=latest}, {@code fetch.max.wait.ms=0},
 * no auto-commit; producer {@code acks=all}, {@code linger.ms=0}; {@code send().get()} then one
 * {@code poll(60 s)}), in a fresh JVM as the tool runs, but keeping every record's time in microseconds, split
 * into the send (to the acknowledgement) and the poll.
 *
 * <p>Prints the summary as the tool computes it (whole milliseconds, truncated) and in µs, then one line per tenth
 * of the run (median, maximum, how many records were at or above the run's p99), then the slowest records with
 * their index: slow records all near the start are the fresh client JVM warming up, slow records spread over the
 * run are stalls that a warm loop ({@link EndToEndMicros}) sees too.
 *
 * <p>Usage: {@code EndToEndTrace <bootstrap> <topic> <records> [size]}.
 */
public final class EndToEndTrace {

    private static final int SLOWEST_SHOWN = 20;

    private EndToEndTrace() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: EndToEndTrace <bootstrap> <topic> <records> [size]");
            System.exit(2);
        }
        String bootstrap = args[0];
        String topic = args[1];
        int records = Integer.parseInt(args[2]);
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
        if (records < 10) {
            System.err.println("records must be at least 10");
            System.exit(2);
        }
        OmbStyleWorkload.createTopic(bootstrap, topic, 1);
        long[] totalUs = new long[records];
        long[] sendUs = new long[records];
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap));
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(EndToEndMicros.producerProps(bootstrap))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100));
            }
            if (consumer.assignment().isEmpty()) {
                System.err.println("ERROR: no assignment within 60 s");
                System.exit(1);
            }
            consumer.seekToEnd(consumer.assignment());
            consumer.assignment().forEach(consumer::position);
            byte[] value = new byte[size];
            for (int i = 0; i < records; i++) {
                long begin = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, value)).get(60, TimeUnit.SECONDS);
                long acked = System.nanoTime();
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofSeconds(60));
                long end = System.nanoTime();
                if (polled.count() != 1) {
                    System.err.printf("ERROR: record %d: polled %d records, expected 1%n", i, polled.count());
                    System.exit(1);
                }
                totalUs[i] = (end - begin) / 1000;
                sendUs[i] = (acked - begin) / 1000;
            }
        }
        print(totalUs, sendUs);
    }

    private static void print(long[] totalUs, long[] sendUs) {
        int n = totalUs.length;
        long[] sorted = totalUs.clone();
        Arrays.sort(sorted);
        // EndToEndLatency's percentiles: the value at index (int) (n * q) of its sorted whole-millisecond times.
        long p99 = sorted[(int) (n * 0.99)];
        long p999 = sorted[(int) (n * 0.999)];
        System.out.printf(
                "records=%d tool_p50_ms=%d tool_p99_ms=%d tool_p999_ms=%d p50_us=%d p99_us=%d p999_us=%d"
                        + " max_us=%d%n",
                n,
                sorted[(int) (n * 0.5)] / 1000,
                p99 / 1000,
                p999 / 1000,
                sorted[(int) (n * 0.5)],
                p99,
                p999,
                sorted[n - 1]);
        int tenth = n / 10;
        for (int part = 0; part < 10; part++) {
            int from = part * tenth;
            int to = part == 9 ? n : from + tenth;
            long[] total = Arrays.copyOfRange(totalUs, from, to);
            long[] send = Arrays.copyOfRange(sendUs, from, to);
            Arrays.sort(total);
            Arrays.sort(send);
            long atOrAboveP99 = Arrays.stream(total).filter(t -> t >= p99).count();
            System.out.printf(
                    "records %d-%d: p50_us=%d max_us=%d send_p50_us=%d send_max_us=%d at_or_above_p99=%d%n",
                    from,
                    to - 1,
                    total[total.length / 2],
                    total[total.length - 1],
                    send[send.length / 2],
                    send[send.length - 1],
                    atOrAboveP99);
        }
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Long.compare(totalUs[b], totalUs[a]));
        StringBuilder line = new StringBuilder("slowest (index:total_us/send_us):");
        for (int i = 0; i < Math.min(SLOWEST_SHOWN, n); i++) {
            line.append(' ')
                    .append(order[i])
                    .append(':')
                    .append(totalUs[order[i]])
                    .append('/')
                    .append(sendUs[order[i]]);
        }
        System.out.println(line);
    }

    private static Properties consumerProps(String bootstrap) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "end-to-end-trace-" + System.currentTimeMillis());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "0");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return c;
    }
}
