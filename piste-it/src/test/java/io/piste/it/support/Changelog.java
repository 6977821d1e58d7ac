package io.piste.it.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A keyed changelog written to partition 0 of a topic by a real producer, as compaction tests need it: random keys
 * of a small key space, one record in ten a tombstone (null value). Keeps what each acknowledged offset holds and
 * the table the changelog stands for (the latest value per key, deleted keys absent), computed here independently of
 * the broker.
 *
 * @param written key and value (null for a tombstone) at each offset the broker acknowledged
 * @param table the latest value of each key that was not deleted last
 */
public record Changelog(Map<Long, String[]> written, Map<String, String> table) {

    /** Sends {@code records} records over {@code keys} keys (seeded by {@code seed}) and waits for every ack. */
    public static Changelog write(
            final KafkaProducer<String, String> producer,
            final String topic,
            final int records,
            final int keys,
            final long seed)
            throws Exception {
        final Random random = new Random(seed);
        final Map<String, String> table = new HashMap<>();
        final List<Future<RecordMetadata>> sends = new ArrayList<>();
        final List<String[]> sent = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            final String key = "key-" + random.nextInt(keys);
            final String value = random.nextInt(10) == 0 ? null : "value-" + i;
            sends.add(producer.send(new ProducerRecord<>(topic, 0, key, value)));
            sent.add(new String[] {key, value});
            if (value == null) {
                table.remove(key);
            } else {
                table.put(key, value);
            }
        }
        final Map<Long, String[]> written = new HashMap<>();
        for (int i = 0; i < sends.size(); i++) {
            written.put(sends.get(i).get(30, TimeUnit.SECONDS).offset(), sent.get(i));
        }
        return new Changelog(written, table);
    }
}
