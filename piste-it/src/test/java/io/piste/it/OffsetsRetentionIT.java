package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code offsets.retention.minutes} at its smallest value, one minute: a standalone consumer's offsets expire a
 * minute after its commit and its group is forgotten; a group with a live member keeps the offsets of the topic it
 * subscribes to and loses those of a topic it does not. The deletions survive a restart.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class OffsetsRetentionIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides(
            "offsets.retention.minutes", "1",
            "offsets.retention.check.interval.ms", "500",
            "group.initial.rebalance.delay.ms", "0",
            "offsets.topic.num.partitions", "3");

    @Test
    void shouldExpireOffsetsOfStandaloneConsumersAndOfUnsubscribedTopicsAfterTheRetention() throws Exception {
        final TopicPartition standalone = new TopicPartition("retention-standalone", 0);
        final TopicPartition kept = new TopicPartition("retention-kept", 0);
        final TopicPartition dropped = new TopicPartition("retention-dropped", 0);
        for (final TopicPartition tp : List.of(standalone, kept, dropped)) {
            Clients.createTopic(BROKER.bootstrapServers(), tp.topic(), 1);
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(
                BROKER.bootstrapServers(), Clients.props(ConsumerConfig.GROUP_ID_CONFIG, "retention-standalone-g"))) {
            consumer.assign(List.of(standalone));
            consumer.commitSync(Map.of(standalone, new OffsetAndMetadata(3)));
        }
        final long committedAtNs = System.nanoTime();

        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch committed = new CountDownLatch(1);
        final ExecutorService memberThread = Executors.newSingleThreadExecutor();
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            final Future<?> member = memberThread.submit(() -> {
                try (KafkaConsumer<String, String> consumer = Clients.consumer(
                        BROKER.bootstrapServers(),
                        Clients.props(
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "retention-active-g",
                                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                                "classic"))) {
                    consumer.subscribe(List.of(kept.topic()));
                    final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(150));
                    while (consumer.assignment().isEmpty() && !deadline.passed()) {
                        consumer.poll(Duration.ofMillis(100));
                    }
                    consumer.commitSync(Map.of(kept, new OffsetAndMetadata(1), dropped, new OffsetAndMetadata(2)));
                    committed.countDown();
                    while (!stop.get() && !deadline.passed()) {
                        consumer.poll(Duration.ofMillis(100));
                    }
                }
            });
            assertThat(committed.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(offsets(admin, "retention-standalone-g")).containsOnlyKeys(standalone);
            assertThat(offsets(admin, "retention-active-g")).containsOnlyKeys(kept, dropped);

            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(100),
                            Duration.ofMillis(500),
                            () -> offsets(admin, "retention-standalone-g").isEmpty()
                                    && !offsets(admin, "retention-active-g").containsKey(dropped)))
                    .as("offsets expired within the retention plus a check interval")
                    .isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - committedAtNs))
                    .as("not before the retention")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(59));
            assertThat(offsets(admin, "retention-active-g")).containsOnlyKeys(kept);
            // The group is forgotten at the retention run after its last offset expired.
            assertThat(Bounded.waitFor(
                            Duration.ofSeconds(10),
                            Duration.ofMillis(200),
                            () -> !groupIds(admin).contains("retention-standalone-g")))
                    .as("forgotten")
                    .isTrue();
            assertThat(groupIds(admin)).contains("retention-active-g");
            stop.set(true);
            member.get(30, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
            memberThread.shutdownNow();
            memberThread.awaitTermination(30, TimeUnit.SECONDS);
        }

        BROKER.broker().restart();
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            assertThat(offsets(admin, "retention-standalone-g"))
                    .as("deletions are durable")
                    .isEmpty();
            assertThat(offsets(admin, "retention-active-g")).containsOnlyKeys(kept);
        }
    }

    private static List<String> groupIds(final Admin admin) {
        return Bounded.call(
                "list groups",
                WAIT,
                () -> admin.listGroups().all().get().stream()
                        .map(GroupListing::groupId)
                        .toList());
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(final Admin admin, final String group) {
        return Bounded.call(
                "list offsets of " + group,
                WAIT,
                () -> admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get());
    }
}
