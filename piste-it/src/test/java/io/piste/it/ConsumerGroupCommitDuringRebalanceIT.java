package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.LoadProducer;
import io.piste.it.support.ProtocolMember;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * KIP-848 commits during a rebalance (KIP-1251, assignment epochs): a member that commits after every poll sends
 * the member epoch it had then, and a heartbeat may have moved the member to a new epoch before the commit arrives.
 * The commit is accepted for the partitions the member still owns, so no commit fails while a second member joins
 * and leaves again and again under load.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsumerGroupCommitDuringRebalanceIT {
    private static final int PARTITIONS = 6;
    private static final int VISITS = 5;

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides(
            "group.consumer.heartbeat.interval.ms", "500",
            "offsets.topic.num.partitions", "3");

    @Test
    void shouldNotFailACommitWhileASecondMemberJoinsAndLeavesUnderLoad() throws Exception {
        final String topic = "kip1251-commits";
        Clients.createTopic(BROKER.bootstrapServers(), topic, PARTITIONS);
        final Map<String, Integer> consumed = ProtocolMember.newConsumedMap();
        // Small polls, each committed with commitSync: a commit is in flight most of the time.
        final Map<String, Object> config = ProtocolMember.config(
                topic + "-g",
                "uniform",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                20,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        final List<ProtocolMember> members = new ArrayList<>();
        final LoadProducer load = new LoadProducer(
                        "load", Clients.producer(BROKER.bootstrapServers()), topic, PARTITIONS, 500, 200)
                .uniqueKeys()
                .start();
        try {
            final ProtocolMember stayer = start(members, "stayer", config, topic, consumed);
            awaitAssignment(stayer, PARTITIONS);
            for (int visit = 0; visit < VISITS; visit++) {
                final ProtocolMember visitor = start(members, "visitor" + visit, config, topic, consumed);
                awaitAssignment(visitor, PARTITIONS / 2);
                awaitAssignment(stayer, PARTITIONS / 2);
                // Both consume and commit for a while before the group changes again.
                Bounded.sleep(Duration.ofSeconds(2));
                visitor.close();
                awaitAssignment(stayer, PARTITIONS);
            }
            load.stopAndFlush(Duration.ofSeconds(30));
            assertThat(load.errorCount())
                    .as("produce errors: %s", load.errors())
                    .isZero();
            final long acked = load.ackedCount();
            assertThat(Bounded.waitFor(Duration.ofSeconds(60), Duration.ofMillis(50), () -> consumed.size() == acked))
                    .as("consumed and committed %s of %s records", consumed.size(), acked)
                    .isTrue();
        } finally {
            load.close();
            for (final ProtocolMember m : members) {
                m.close();
            }
        }
        for (final ProtocolMember m : members) {
            assertThat(m.failedCommits()).as("failed commits of %s", m.name()).isZero();
        }
        assertThat(consumed.entrySet().stream()
                        .filter(e -> e.getValue() > 1)
                        .map(Map.Entry::getKey)
                        .toList())
                .as("records consumed (and committed) twice")
                .isEmpty();
        final Set<String> expected = new HashSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            for (final long seq : load.acked(p)) {
                expected.add("load:" + p + ":" + seq);
            }
        }
        assertThat(consumed.keySet()).isEqualTo(expected);
    }

    private static ProtocolMember start(
            final List<ProtocolMember> members,
            final String name,
            final Map<String, Object> config,
            final String topic,
            final Map<String, Integer> consumed) {
        final ProtocolMember member =
                ProtocolMember.start(name, BROKER.bootstrapServers(), config, topic, consumed, Duration.ZERO);
        members.add(member);
        return member;
    }

    private static void awaitAssignment(final ProtocolMember member, final int partitions) {
        assertThat(Bounded.waitFor(
                        Duration.ofSeconds(30),
                        Duration.ofMillis(20),
                        () -> member.assignment().size() == partitions))
                .as("%s owns %s partitions: %s", member.name(), partitions, member.assignment())
                .isTrue();
    }
}
