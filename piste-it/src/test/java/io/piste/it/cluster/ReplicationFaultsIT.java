package io.piste.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka's ducktape {@code ReplicationTest} matrix on three {@code piste server} processes: a topic of 3 partitions,
 * replication factor 3 and {@code min.insync.replicas=2}, an idempotent producer with compression and a concurrent
 * consumer, while the leader of partition 0 or the active controller is shut down cleanly (SIGTERM), hard (kill
 * -9), bounced cleanly five times or bounced hard five times (each time waiting until the cluster fenced it, as
 * Kafka's test waits for its registration to expire); and, beyond Kafka's matrix, paused with SIGSTOP past its
 * session timeout, so that it wakes up fenced; killed and restarted at once, five times, before the cluster fenced
 * it; and network faults made by {@link LinkProxy proxies} in front of every node's quorum member and broker
 * listener: the leader cut from the quorum but not from its followers or clients, the active controller cut from
 * the quorum, the leader cut from its followers but not from the quorum, the leader cut from everyone, its clients
 * included, the leader's outgoing bytes cut (one way), and a delay between all nodes. After each case the {@link
 * History} of both clients is checked against a final read: no acknowledged record lost or moved, none twice,
 * nothing read during the faults that vanished after, and the producer acknowledges again after the last fault.
 *
 * <p>The cases share one cluster. The schedule's choices (compressions, pause lengths, waits between bounces) come
 * from a seed printed in every failure; {@code -Dpiste.faults.seed=N} replays it ({@code -Dpiste.faults.only=CUT}
 * runs only the cases whose name holds CUT).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ReplicationFaultsIT {
    private static final int PARTITIONS = 3;
    private static final int BOUNCES = 5;
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private final long seed = Long.getLong("piste.faults.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private ProxiedThreeNodes cluster;
    private List<BrokerProcess> nodes;
    private String bootstrap;
    private Admin admin;

    enum Failure {
        CLEAN_SHUTDOWN,
        HARD_SHUTDOWN,
        CLEAN_BOUNCE,
        HARD_BOUNCE,
        QUICK_BOUNCE,
        PAUSE,
        QUORUM_CUT,
        REPLICATION_CUT,
        ISOLATION,
        ONE_WAY_CUT,
        DELAY
    }

    /** Kafka's matrix: every one of its failures of the leader and of the active controller. */
    private static final List<Failure> KAFKAS =
            List.of(Failure.CLEAN_SHUTDOWN, Failure.HARD_SHUTDOWN, Failure.CLEAN_BOUNCE, Failure.HARD_BOUNCE);

    enum Target {
        LEADER,
        CONTROLLER
    }

    @TestFactory
    Stream<DynamicTest> shouldKeepEveryAcknowledgedRecordThroughKafkasReplicationFaults() throws Exception {
        Path dir = TestDirs.create("replication-faults");
        cluster = new ProxiedThreeNodes(
                brokers, dir, Map.of("replica.lag.time.max.ms", "6000", "broker.session.timeout.ms", "3000"));
        nodes = cluster.nodes();
        bootstrap = String.join(
                ",", nodes.stream().map(BrokerProcess::bootstrapServers).toList());
        admin = Clients.admin(bootstrap);
        System.out.println("ReplicationFaultsIT seed " + seed + " (replay: -Dpiste.faults.seed=" + seed + ")");
        Stream<DynamicTest> kafkas = KAFKAS.stream()
                .flatMap(failure -> Stream.of(Target.values()).map(target -> dynamicCase(failure, target)));
        Stream<DynamicTest> beyond = Stream.of(
                dynamicCase(Failure.QUICK_BOUNCE, Target.LEADER),
                dynamicCase(Failure.PAUSE, Target.LEADER),
                dynamicCase(Failure.QUORUM_CUT, Target.LEADER),
                dynamicCase(Failure.QUORUM_CUT, Target.CONTROLLER),
                dynamicCase(Failure.REPLICATION_CUT, Target.LEADER),
                dynamicCase(Failure.ISOLATION, Target.LEADER),
                dynamicCase(Failure.ONE_WAY_CUT, Target.LEADER),
                dynamicCase(Failure.DELAY, Target.LEADER));
        // -Dpiste.faults.only=CUT runs only the cases whose name holds CUT (to replay one with its seed)
        String only = System.getProperty("piste.faults.only", "");
        return Stream.concat(kafkas, beyond)
                .filter(test -> test.getDisplayName().contains(only));
    }

    private DynamicTest dynamicCase(Failure failure, Target target) {
        return dynamicTest(failure + " of the " + target, () -> runCase(failure, target));
    }

    private void runCase(Failure failure, Target target) throws Exception {
        String topic = (failure + "-" + target).toLowerCase().replace('_', '-');
        String compression = COMPRESSIONS.get(random.nextInt(COMPRESSIONS.size()));
        String scenario = topic + " with " + compression + ", seed " + seed;
        awaitAllInSync(null);
        admin.createTopics(
                        List.of(new NewTopic(topic, PARTITIONS, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all()
                .get(30, TimeUnit.SECONDS);
        awaitAllInSync(topic);
        long[] outputStart = nodes.stream().mapToLong(n -> n.output().length()).toArray();
        long started = System.nanoTime();
        History history = new History();
        try (FaultWorkload workload = new FaultWorkload(bootstrap, topic, PARTITIONS, compression, history)) {
            awaitAcknowledged(history, 500, scenario + ": before the faults");
            BrokerProcess down = inflict(failure, target, topic);
            int ackedAfterFaults = history.acknowledgedCount();
            awaitAcknowledged(history, ackedAfterFaults + 1000, scenario + ": after the faults");
            workload.stopProducing();
            assertThat(workload.clientFailure()).as(scenario).isNull();
            if (down == null) {
                awaitAllInSync(topic);
            }
            List<String> violations = history.check(workload.readAll(SETTLE));
            System.out.printf(
                    "ReplicationFaultsIT %s: %d acknowledged, %d read during the faults, %.1f s%n",
                    scenario,
                    history.acknowledgedCount(),
                    history.readDuringFaultsCount(),
                    (System.nanoTime() - started) / 1e9);
            assertThat(violations).as(scenario).isEmpty();
            assertThat(errorsLogged(outputStart))
                    .as("%s: errors the nodes logged", scenario)
                    .isEmpty();
            if (down != null) {
                down.restart();
            }
        }
    }

    /** The ERROR lines of Piste's own classes in the nodes' output since {@code outputStart}. */
    private List<String> errorsLogged(long[] outputStart) {
        List<String> errors = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String output = nodes.get(i).output();
            for (String line : output.substring((int) Math.min(outputStart[i], output.length()))
                    .split("\n")) {
                if (line.contains(" ERROR io.piste.")) {
                    errors.add("node " + (i + 1) + ": " + line);
                }
            }
        }
        return errors;
    }

    /** Does the case's faults; returns the node it left down, if any. */
    private BrokerProcess inflict(Failure failure, Target target, String topic) {
        switch (failure) {
            case CLEAN_SHUTDOWN -> {
                BrokerProcess node = find(target, topic);
                node.stop();
                return node;
            }
            case HARD_SHUTDOWN -> {
                BrokerProcess node = find(target, topic);
                node.kill9();
                return node;
            }
            case CLEAN_BOUNCE -> {
                for (int i = 0; i < BOUNCES; i++) {
                    BrokerProcess node = find(target, topic);
                    node.stop();
                    node.restart();
                    Bounded.sleep(Duration.ofMillis(random.nextInt(2000)));
                }
            }
            case HARD_BOUNCE -> {
                for (int i = 0; i < BOUNCES; i++) {
                    BrokerProcess node = find(target, topic);
                    node.kill9();
                    awaitFenced(node);
                    node.restart();
                    Bounded.sleep(Duration.ofMillis(random.nextInt(2000)));
                }
            }
            case QUICK_BOUNCE -> {
                for (int i = 0; i < BOUNCES; i++) {
                    BrokerProcess node = find(target, topic);
                    node.kill9();
                    node.restart(); // before its session expires: the new process fences the old registration
                    Bounded.sleep(Duration.ofMillis(random.nextInt(2000)));
                }
            }
            case PAUSE -> {
                BrokerProcess node = find(target, topic);
                node.pause();
                try {
                    awaitFenced(node);
                    Bounded.sleep(Duration.ofMillis(random.nextInt(10_000)));
                } finally {
                    node.resume();
                }
            }
            default -> cutNetwork(failure, target, topic);
        }
        return null;
    }

    /** Makes a network fault around the target, holds it, and heals it. */
    private void cutNetwork(Failure failure, Target target, String topic) {
        BrokerProcess node = find(target, topic);
        int id = nodes.indexOf(node) + 1;
        Links links = cluster.links();
        try {
            switch (failure) {
                case QUORUM_CUT -> {
                    links.isolate(id, Links.Channel.QUORUM);
                    awaitFenced(node);
                }
                case REPLICATION_CUT -> {
                    links.isolate(id, Links.Channel.BROKER);
                    awaitIsrOfPartitionZero(topic, 1);
                }
                case ISOLATION -> {
                    links.isolateFromEveryone(id);
                    awaitFenced(node);
                }
                case ONE_WAY_CUT -> {
                    for (int other = 1; other <= 3; other++) {
                        if (other != id) {
                            links.cut(id, other, Links.Channel.QUORUM);
                            links.cut(id, other, Links.Channel.BROKER);
                        }
                    }
                    awaitFenced(node);
                }
                case DELAY -> {
                    links.delayBetweenNodes(20 + random.nextInt(40));
                    Bounded.sleep(Duration.ofSeconds(10));
                }
                default -> throw new IllegalArgumentException("not a network fault: " + failure);
            }
            Bounded.sleep(Duration.ofMillis(random.nextInt(5_000)));
        } finally {
            links.heal();
        }
    }

    private void awaitIsrOfPartitionZero(String topic, int size) {
        assertThat(Bounded.waitFor(
                        SETTLE,
                        Duration.ofMillis(200),
                        () -> holds(
                                () -> describe(topic).partitions().get(0).isr().size() == size)))
                .as("partition 0 of %s with an ISR of %d, seed %d", topic, size, seed)
                .isTrue();
    }

    private BrokerProcess find(Target target, String topic) {
        int id = target == Target.LEADER ? leaderOfPartitionZero(topic) : activeController();
        return nodes.get(id - 1);
    }

    private int leaderOfPartitionZero(String topic) {
        int[] leader = {-1};
        boolean found = Bounded.waitFor(
                SETTLE,
                Duration.ofMillis(200),
                () -> holds(() -> {
                    TopicPartitionInfo zero = describe(topic).partitions().get(0);
                    leader[0] = zero.leader() == null ? -1 : zero.leader().id();
                    return leader[0] > 0;
                }));
        assertThat(found).as("partition 0 of %s has a leader", topic).isTrue();
        return leader[0];
    }

    private int activeController() {
        int[] active = {-1};
        boolean found = Bounded.waitFor(
                SETTLE,
                Duration.ofMillis(200),
                () -> holds(() -> {
                    for (int i = 0; i < nodes.size(); i++) {
                        if (nodes.get(i).isAlive()
                                && ThreeNodes.scrape(nodes.get(i))
                                                .valueOrZero("kafka_controller_kafkacontroller_activecontrollercount")
                                        == 1) {
                            active[0] = i + 1;
                            return true;
                        }
                    }
                    return false;
                }));
        assertThat(found).as("an active controller").isTrue();
        return active[0];
    }

    /**
     * Waits until the cluster no longer lists the node among its brokers (its session expired), as another node sees
     * it: a node cut from the quorum keeps answering from the metadata it last had, as Kafka's broker does. A new
     * client each time, bootstrapped at that other node, so that it does not keep asking the node itself.
     */
    private void awaitFenced(BrokerProcess node) {
        int id = nodes.indexOf(node) + 1;
        String witness = nodes.get(id % nodes.size()).bootstrapServers();
        assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(250), () -> {
                    Admin view = Clients.admin(witness);
                    try {
                        Set<Integer> live = ThreeNodes.liveBrokerIds(view);
                        return !live.isEmpty() && !live.contains(id);
                    } finally {
                        view.close(Duration.ofSeconds(1));
                    }
                }))
                .as("node %d fenced, seed %d", id, seed)
                .isTrue();
    }

    /** Waits until every node serves and, if {@code topic} is given, each of its partitions has all three in sync. */
    private void awaitAllInSync(String topic) {
        for (BrokerProcess node : nodes) {
            if (!node.isAlive()) {
                node.restart();
            }
        }
        assertThat(Bounded.waitFor(
                        SETTLE,
                        Duration.ofMillis(200),
                        () -> ThreeNodes.liveBrokerIds(admin).size() == 3))
                .as("three brokers serve, seed %d", seed)
                .isTrue();
        if (topic != null) {
            assertThat(Bounded.waitFor(
                            SETTLE,
                            Duration.ofMillis(200),
                            () -> holds(() -> describe(topic).partitions().stream()
                                    .allMatch(p -> p.isr().size() == 3 && p.leader() != null))))
                    .as("%s fully in sync, seed %d", topic, seed)
                    .isTrue();
        }
    }

    private static void awaitAcknowledged(History history, int count, String what) {
        assertThat(Bounded.waitFor(SETTLE, Duration.ofMillis(100), () -> history.acknowledgedCount() >= count))
                .as("%s: %d records acknowledged (have %d)", what, count, history.acknowledgedCount())
                .isTrue();
    }

    /** The condition, false while the cluster cannot answer it. */
    private static boolean holds(BooleanSupplier condition) {
        try {
            return condition.getAsBoolean();
        } catch (AssertionError | RuntimeException e) {
            return false;
        }
    }

    @AfterEach
    void closeAdminAndProxies() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private TopicDescription describe(String topic) {
        return ThreeNodes.describe(admin, topic);
    }
}
