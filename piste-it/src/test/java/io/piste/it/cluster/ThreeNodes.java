package io.piste.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerProcess;
import io.piste.it.support.BrokerProcesses;
import io.piste.it.support.Clients;
import io.piste.it.support.MetricsScrape;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;

/** Three {@code piste server} processes of one cluster on loopback, as the README's recipe starts them. */
final class ThreeNodes {

    private static final Pattern METRICS_ENDPOINT =
            Pattern.compile("Metrics endpoint on http://127\\.0\\.0\\.1:(\\d+)/");

    private ThreeNodes() {}

    /** Starts nodes 1, 2 and 3 (each a broker and a voter), with {@code extra} configs on each; waits until started. */
    static List<BrokerProcess> start(BrokerProcesses brokers, Path dir, Map<String, String> extra) throws IOException {
        return start(brokers, dir, id -> extra);
    }

    /** As {@link #start(BrokerProcesses, Path, Map)}, with each node's extra configs by its id. */
    static List<BrokerProcess> start(BrokerProcesses brokers, Path dir, IntFunction<Map<String, String>> extraOf)
            throws IOException {
        int[] quorumPorts = {freePort(), freePort(), freePort()};
        List<BrokerProcess> nodes = new ArrayList<>();
        start(brokers, dir, voters(quorumPorts), extraOf, nodes);
        return nodes;
    }

    /** {@code controller.quorum.voters} of nodes 1, 2 and 3 at these quorum ports of loopback. */
    static String voters(int[] quorumPorts) {
        return "1@127.0.0.1:" + quorumPorts[0] + ",2@127.0.0.1:" + quorumPorts[1] + ",3@127.0.0.1:" + quorumPorts[2];
    }

    /**
     * As {@link #start(BrokerProcesses, Path, IntFunction)}, with the given voters; adds each node to {@code nodes}
     * as soon as its process runs (before the three are ready).
     */
    static void start(
            BrokerProcesses brokers,
            Path dir,
            String voters,
            IntFunction<Map<String, String>> extraOf,
            List<BrokerProcess> nodes)
            throws IOException {
        for (int id = 1; id <= 3; id++) {
            Map<String, String> config = nodeConfig(id, "broker,controller", voters);
            config.putAll(extraOf.apply(id));
            nodes.add(brokers.launch("cluster-node-" + id, dir.resolve("node-" + id), dir, config));
        }
        for (BrokerProcess node : nodes) {
            node.awaitStarted();
        }
    }

    /**
     * The configs of node {@code id} in {@code roles} ({@code process.roles}) of the cluster of {@code voters}, with
     * the tests' short broker session (4 s) and 6 offsets partitions.
     */
    static Map<String, String> nodeConfig(int id, String roles, String voters) {
        Map<String, String> config = new HashMap<>();
        config.put("node.id", Integer.toString(id));
        config.put("process.roles", roles);
        config.put("controller.quorum.voters", voters);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("broker.session.timeout.ms", "4000");
        config.put("broker.heartbeat.interval.ms", "500");
        config.put("offsets.topic.num.partitions", "6");
        return config;
    }

    /** {@code controller.quorum.voters} of nodes 1, 2 and 3 at three free ports of loopback. */
    static String freeVoters() throws IOException {
        return voters(new int[] {freePort(), freePort(), freePort()});
    }

    /**
     * A loopback port free now for a node to bind at each of its starts: below Linux's ephemeral range (32768 and up),
     * so that no outgoing connection holds it by a restart (Ratis ends a node whose quorum port is taken).
     */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12_000);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free loopback port between 20000 and 32000");
    }

    /** The node's Prometheus metrics now, at the endpoint its last start printed. */
    static MetricsScrape scrape(BrokerProcess node) {
        Matcher endpoint = METRICS_ENDPOINT.matcher(node.output());
        String port = null;
        while (endpoint.find()) {
            port = endpoint.group(1); // the last start's
        }
        try {
            return MetricsScrape.of(Integer.parseInt(port));
        } catch (Exception e) {
            throw new AssertionError("scrape of " + node.bootstrapServers(), e);
        }
    }

    /** The nodes' bootstrap servers, comma-separated. */
    static String bootstrap(List<BrokerProcess> nodes) {
        return nodes.stream().map(BrokerProcess::bootstrapServers).collect(Collectors.joining(","));
    }

    /** Waits until DescribeCluster lists all three brokers; an AssertionError if not within {@code timeout}. */
    static void awaitThreeBrokers(Admin admin, Duration timeout) {
        assertThat(Bounded.waitFor(
                        timeout,
                        Duration.ofMillis(200),
                        () -> liveBrokerIds(admin).size() == 3))
                .as("three brokers serve")
                .isTrue();
    }

    /** The unfenced brokers DescribeCluster lists; none if the request fails. */
    static Set<Integer> liveBrokerIds(Admin admin) {
        try {
            return admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                    .map(Node::id)
                    .collect(Collectors.toSet());
        } catch (Exception e) {
            return Set.of();
        }
    }

    /** The topic as Admin describes it now; an AssertionError if the cluster does not answer within 10 s. */
    static TopicDescription describe(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic);
        } catch (Exception e) {
            throw new AssertionError("describe " + topic, e);
        }
    }

    /**
     * Reads {@code partitions} of {@code topic} from their start until every value of {@code expected} came or
     * {@code timeout} passed; returns the values not found. No value may come twice.
     */
    static Set<String> missingAfterReading(
            String bootstrap, String topic, List<Integer> partitions, Set<String> expected, Duration timeout) {
        return missingAfterReading(bootstrap, topic, partitions, expected, timeout, Map.of());
    }

    /** As {@link #missingAfterReading(String, String, List, Set, Duration)}, by a consumer with these configs. */
    static Set<String> missingAfterReading(
            String bootstrap,
            String topic,
            List<Integer> partitions,
            Set<String> expected,
            Duration timeout,
            Map<String, Object> consumerConfig) {
        Set<String> missing = new HashSet<>(expected);
        Set<String> read = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap, consumerConfig)) {
            List<TopicPartition> assigned =
                    partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Bounded.Deadline deadline = Bounded.Deadline.in(timeout);
            while (!missing.isEmpty() && !deadline.passed()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    assertThat(read.add(record.value()))
                            .as("%s read twice", record.value())
                            .isTrue();
                    missing.remove(record.value());
                }
            }
        }
        return missing;
    }

    /**
     * Sends {@code count} values {@code prefix-i} to partition {@code i % partitions} of {@code topic}, acks=all and
     * idempotent; returns the values acknowledged, each awaited up to 60 s.
     */
    static Set<String> produceAcknowledged(String bootstrap, String topic, int partitions, int count, String prefix)
            throws Exception {
        Set<String> acknowledged = new HashSet<>();
        try (KafkaProducer<String, String> producer = Clients.producer(
                bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            Map<String, Future<RecordMetadata>> sent = new HashMap<>();
            for (int i = 0; i < count; i++) {
                String value = prefix + "-" + i;
                sent.put(value, producer.send(new ProducerRecord<>(topic, i % partitions, "k" + i, value)));
            }
            for (Map.Entry<String, Future<RecordMetadata>> send : sent.entrySet()) {
                send.getValue().get(60, TimeUnit.SECONDS);
                acknowledged.add(send.getKey());
            }
        }
        return acknowledged;
    }

    /** A Prometheus metric summed over {@code nodes}' endpoints; -1 if one cannot answer. */
    static double metricSum(List<BrokerProcess> nodes, String metric) {
        double sum = 0;
        for (BrokerProcess node : nodes) {
            try {
                sum += scrape(node).valueOrZero(metric);
            } catch (AssertionError e) {
                return -1;
            }
        }
        return sum;
    }
}
