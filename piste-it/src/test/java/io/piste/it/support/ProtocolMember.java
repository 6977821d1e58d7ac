package io.piste.it.support;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A group member using the consumer group protocol (KIP-848, {@code group.protocol=consumer}) on its own thread:
 * it polls, commits what each poll returned with {@code commitSync}, and only then counts the records as consumed
 * (into a map shared by the group, value to times consumed). A failed commit seeks back, so the records come again
 * (to this member or to the partition's next owner, which starts at the last commit).
 *
 * <p>A rebalance listener is registered so that revocations run on the polling thread, between two polls: every
 * counted record's offset is committed before the partition can go to another member.
 */
public final class ProtocolMember implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final String name;
    private final Map<String, Integer> consumed;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Set<TopicPartition>> assignment = new AtomicReference<>(Set.of());
    private final AtomicInteger consumedHere = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicInteger failedCommits = new AtomicInteger();
    private final Thread thread;
    private final Duration pausePerPoll;
    private volatile SubscriptionPattern pattern;

    private ProtocolMember(
            final String name,
            final Map<String, Object> config,
            final String topic,
            final Map<String, Integer> consumed,
            final Duration pausePerPoll) {
        this.name = name;
        this.consumed = consumed;
        this.pausePerPoll = pausePerPoll;
        this.thread = new Thread(() -> run(config, topic), "member " + name);
        this.thread.setDaemon(true);
    }

    /** Consumer config of a consumer-protocol member of {@code groupId} with server assignor {@code assignor}. */
    public static Map<String, Object> config(final String groupId, final String assignor, final Object... more) {
        final Map<String, Object> props = Clients.props(more);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        if (assignor != null) {
            props.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, assignor);
        }
        return props;
    }

    public static ProtocolMember start(
            final String name,
            final String bootstrap,
            final Map<String, Object> config,
            final String topic,
            final Map<String, Integer> consumed,
            final Duration pausePerPoll) {
        final Map<String, Object> all = Clients.consumerConfig(bootstrap, config);
        final ProtocolMember member = new ProtocolMember(name, all, topic, consumed, pausePerPoll);
        member.thread.start();
        return member;
    }

    /** A member subscribed with a regular expression (the broker resolves it: KIP-848's SubscribedTopicRegex). */
    public static ProtocolMember startWithPattern(
            final String name,
            final String bootstrap,
            final Map<String, Object> config,
            final String regex,
            final Map<String, Integer> consumed) {
        final Map<String, Object> all = Clients.consumerConfig(bootstrap, config);
        final ProtocolMember member = new ProtocolMember(name, all, null, consumed, Duration.ZERO);
        member.pattern = new SubscriptionPattern(regex);
        member.thread.start();
        return member;
    }

    private void run(final Map<String, Object> config, final String topic) {
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            final ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
                    // Everything counted was committed after its poll; nothing to do but be called in poll().
                }

                @Override
                public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {}
            };
            if (pattern != null) {
                consumer.subscribe(pattern, listener);
            } else {
                consumer.subscribe(List.of(topic), listener);
            }
            final Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(150));
            while (!stop.get() && !deadline.passed()) {
                final ConsumerRecords<String, String> records = consumer.poll(POLL);
                assignment.set(Set.copyOf(consumer.assignment()));
                if (records.isEmpty()) {
                    continue;
                }
                if (commit(consumer, records)) {
                    for (final ConsumerRecord<String, String> record : records) {
                        consumed.merge(record.key(), 1, Integer::sum);
                    }
                    consumedHere.addAndGet(records.count());
                }
                if (!pausePerPoll.isZero()) {
                    Bounded.sleep(pausePerPoll);
                }
            }
        } catch (final Throwable t) {
            failure.set(t);
        } finally {
            assignment.set(Set.of());
        }
    }

    private boolean commit(
            final KafkaConsumer<String, String> consumer, final ConsumerRecords<String, String> records) {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        final Map<TopicPartition, Long> first = new HashMap<>();
        for (final TopicPartition tp : records.partitions()) {
            final List<ConsumerRecord<String, String>> of = records.records(tp);
            first.put(tp, of.get(0).offset());
            offsets.put(tp, new OffsetAndMetadata(of.get(of.size() - 1).offset() + 1));
        }
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(15));
            return true;
        } catch (final KafkaException e) {
            failedCommits.incrementAndGet();
            final Set<TopicPartition> still = new HashSet<>(consumer.assignment());
            first.forEach((tp, offset) -> {
                if (still.contains(tp)) {
                    consumer.seek(tp, offset);
                }
            });
            return false;
        }
    }

    public String name() {
        return name;
    }

    /** The partitions the member owned after its last poll (empty once it stopped). */
    public Set<TopicPartition> assignment() {
        return assignment.get();
    }

    public int consumedHere() {
        return consumedHere.get();
    }

    public int failedCommits() {
        return failedCommits.get();
    }

    /** Stops polling and closes the consumer (which leaves the group), waiting for the thread. */
    @Override
    public void close() {
        stop.set(true);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new AssertionError("member " + name + " did not stop within 60 s");
        }
        final Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("member " + name + " failed: " + t, t);
        }
    }

    /** Shared counting map for a group's members. */
    public static Map<String, Integer> newConsumedMap() {
        return new ConcurrentHashMap<>();
    }
}
