package io.piste.it.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.Produce;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consumer-protocol members (KIP-848) keep running while the broker is killed with SIGKILL and restarted: they
 * rejoin (the membership is not kept across a restart, the client rejoins on UNKNOWN_MEMBER_ID) and resume from the
 * committed offsets. Records after the last acknowledged commit may come twice (at-least-once); none before it, and
 * none is lost.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsumerGroupProtocolCrashIT {
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 3000;
    private static final String TOPIC = "kip848-crash";

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private BrokerProcess broker;

    @Test
    void shouldResumeFromCommittedOffsetsAfterKill9() throws Exception {
        final Path dir = TestDirs.create("kip848-crash");
        broker = brokers.start(
                "kip848-crash-broker",
                dir.resolve("logs"),
                dir,
                Map.of(
                        "offsets.topic.num.partitions", "3",
                        "group.consumer.heartbeat.interval.ms", "500",
                        "group.consumer.session.timeout.ms", "10000"));
        Clients.createTopic(broker.bootstrapServers(), TOPIC, PARTITIONS);
        produce(0, RECORDS);

        // Times each (partition, offset) was consumed; the committed offset each acknowledged commit moved to.
        final Map<TopicPartition, Map<Long, Integer>> consumed = new ConcurrentHashMap<>();
        final Map<TopicPartition, Long> acknowledged = new ConcurrentHashMap<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> members = new ArrayList<>();
        for (int m = 0; m < 2; m++) {
            final Thread member = new Thread(() -> consume(consumed, acknowledged, stop), "kip848-crash-member-" + m);
            member.setDaemon(true);
            member.start();
            members.add(member);
        }
        try {
            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(60),
                            Duration.ofMillis(10),
                            () -> count(consumed) >= RECORDS / 3 && acknowledged.size() == PARTITIONS))
                    .as("consumed and committed before the kill: %s", acknowledged)
                    .isTrue();
            broker.kill9();
            final Map<TopicPartition, Long> acknowledgedAtKill = new HashMap<>(acknowledged);
            broker.restart();
            produce(RECORDS, 2 * RECORDS);

            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(90), Duration.ofMillis(50), () -> count(consumed) == 2 * RECORDS))
                    .as("every record consumed after the restart: %s of %s", count(consumed), 2 * RECORDS)
                    .isTrue();
            consumed.forEach((tp, offsets) -> offsets.forEach((offset, times) -> {
                if (times > 1) {
                    assertThat(offset)
                            .as(
                                    "%s offset %s consumed %s times, before the commit acknowledged at the " + "kill",
                                    tp, offset, times)
                            .isGreaterThanOrEqualTo(acknowledgedAtKill.get(tp));
                }
            }));
            try (Admin admin = Clients.admin(broker.bootstrapServers())) {
                final ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("kip848-crash-g"))
                        .describedGroups()
                        .get("kip848-crash-g")
                        .get(30, TimeUnit.SECONDS);
                assertThat(group.type()).isEqualTo(GroupType.CONSUMER);
                assertThat(group.members()).as("both members rejoined").hasSize(2);
            }
        } finally {
            stop.set(true);
            for (final Thread member : members) {
                member.join(TimeUnit.SECONDS.toMillis(60));
            }
        }
    }

    private void consume(
            final Map<TopicPartition, Map<Long, Integer>> consumed,
            final Map<TopicPartition, Long> acknowledged,
            final AtomicBoolean stop) {
        final Map<String, Object> config = Clients.props(
                ConsumerConfig.GROUP_ID_CONFIG, "kip848-crash-g",
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrapServers(), config)) {
            consumer.subscribe(List.of(TOPIC));
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(170));
            while (!stop.get() && !deadline.passed()) {
                final ConsumerRecords<String, String> records;
                try {
                    records = consumer.poll(Duration.ofMillis(100));
                } catch (final KafkaException brokerGone) {
                    continue;
                }
                final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (final ConsumerRecord<String, String> r : records) {
                    final TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    consumed.computeIfAbsent(tp, t -> new ConcurrentHashMap<>()).merge(r.offset(), 1, Integer::sum);
                    offsets.put(tp, new OffsetAndMetadata(r.offset() + 1));
                }
                if (offsets.isEmpty()) {
                    continue;
                }
                try {
                    consumer.commitSync(offsets);
                    offsets.forEach((tp, o) -> acknowledged.merge(tp, o.offset(), Math::max));
                } catch (final KafkaException e) {
                    // Killed broker, or a rebalance: the records come again from the last commit.
                }
                Bounded.sleep(Duration.ofMillis(10));
            }
        }
    }

    private static int count(final Map<TopicPartition, Map<Long, Integer>> consumed) {
        return consumed.values().stream().mapToInt(Map::size).sum();
    }

    /** Records k{i}/v{i} for i in [from, to), round robin over the partitions, every one acknowledged. */
    private void produce(final int from, final int to) {
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            records.add(new ProducerRecord<>(TOPIC, i % PARTITIONS, "k" + i, "v" + i));
        }
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
            Produce.acked(producer, records);
        }
    }
}
