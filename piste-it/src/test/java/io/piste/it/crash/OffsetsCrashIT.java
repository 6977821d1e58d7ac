package io.piste.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A group member commits offsets as fast as it can while the broker is killed with SIGKILL: after the restart the
 * committed offset is the last one acknowledged (or the one in flight at the kill, written but not yet answered),
 * and a new member of the group resumes from it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OffsetsCrashIT {
    private static final int RECORDS = 2000;

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private BrokerProcess broker;

    private Map<String, Object> member() {
        return Clients.props(
                ConsumerConfig.GROUP_ID_CONFIG,
                "crash-g",
                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                "classic",
                // The killed member stays in the restored group until its session times out, as after a coordinator
                // fail-over in Kafka; the smallest session timeout keeps that wait short.
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                6_000,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                5_000,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                3_000);
    }

    @Test
    void shouldKeepEveryAcknowledgedCommitAfterKill9() throws Exception {
        final Path dir = TestDirs.create("offsets-crash");
        broker = brokers.start(
                "offsets-crash-broker",
                dir.resolve("logs"),
                dir,
                Map.of("group.initial.rebalance.delay.ms", "0", "offsets.topic.num.partitions", "3"));
        final String topic = "offsets-crash";
        final TopicPartition tp = new TopicPartition(topic, 0);
        Clients.createTopic(broker.bootstrapServers(), topic, 1);
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, "v" + i));
            }
            producer.flush();
        }

        final AtomicLong lastAcknowledged = new AtomicLong(-1);
        final Thread committer = new Thread(
                () -> {
                    try (KafkaConsumer<String, String> consumer =
                            Clients.consumer(broker.bootstrapServers(), member())) {
                        consumer.subscribe(List.of(topic));
                        final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(30));
                        while (consumer.assignment().isEmpty() && !deadline.passed()) {
                            consumer.poll(Duration.ofMillis(100));
                        }
                        for (long offset = 1; offset < RECORDS && !deadline.passed(); offset++) {
                            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(offset)));
                            lastAcknowledged.set(offset);
                        }
                    } catch (RuntimeException expectedAtTheKill) {
                        // The broker is gone: the commit in flight has no answer.
                    }
                },
                "offsets-crash-committer");
        committer.start();

        final Bounded.Deadline someCommits = Bounded.Deadline.in(Duration.ofSeconds(40));
        while (lastAcknowledged.get() < 50 && !someCommits.passed()) {
            Thread.sleep(5);
        }
        assertThat(lastAcknowledged.get()).as("commits before the kill").isGreaterThanOrEqualTo(50);
        broker.kill9();
        final long acknowledged = lastAcknowledged.get();
        committer.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(committer.isAlive()).isFalse();

        broker.restart();

        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrapServers(), member())) {
            final long committed = consumer.committed(Set.of(tp)).get(tp).offset();
            assertThat(committed).isBetween(acknowledged, acknowledged + 1);
            consumer.subscribe(List.of(topic));
            final List<ConsumerRecord<String, String>> records = new ArrayList<>();
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(40));
            while (records.isEmpty() && !deadline.passed()) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            assertThat(records).isNotEmpty();
            assertThat(records.get(0).offset()).isEqualTo(committed);
        }
    }
}
