package io.piste.broker.monitoring;

import io.piste.broker.metadata.Assignments;
import io.piste.broker.metadata.BrokerImage;
import io.piste.broker.metadata.Controller;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metadata.TopicImage;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;

/**
 * Kafka's active controller's counts ({@code kafka.controller:type=KafkaController}), from the metadata image now: on
 * the active controller only (the quorum's leader; a single node always is), 0 elsewhere, so that a sum over the
 * cluster's nodes counts each once. Broker nodes report them with their replica counts ({@link ReplicaCounts}), a
 * controller-only node alone ({@link ControllerCollector}). Thread-safe (reads only).
 */
final class ControllerCounts {

    private final Controller controller;

    ControllerCounts(Controller controller) {
        this.controller = controller;
    }

    /** On the active controller of a cluster: the partitions without a leader (their replicas fenced or gone). */
    long leaderless() {
        MetadataImage current = controller.image();
        if (!Assignments.isCluster(current) || !controller.isActive()) {
            return 0;
        }
        long leaderless = 0;
        for (TopicImage topic : current.topics()) {
            for (PartitionImage partition : current.partitions(topic.topicId())) {
                if (partition.leader() < 0) {
                    leaderless++;
                }
            }
        }
        return leaderless;
    }

    /**
     * On the active controller of a cluster: the partitions not led by their preferred (first) replica, which the
     * automatic rebalance or an ElectLeaders request would move back; 0 elsewhere, and on a single node.
     */
    long preferredReplicaImbalance() {
        MetadataImage current = controller.image();
        if (!Assignments.isCluster(current) || !controller.isActive()) {
            return 0;
        }
        long imbalanced = 0;
        for (TopicImage topic : current.topics()) {
            for (PartitionImage partition : current.partitions(topic.topicId())) {
                if (partition.leader() != partition.replicas().get(0)) {
                    imbalanced++;
                }
            }
        }
        return imbalanced;
    }

    long activeControllers() {
        return controller.isActive() ? 1 : 0;
    }

    /** On the active controller: the brokers serving (a single node: itself); 0 elsewhere, as Kafka's. */
    long activeBrokers() {
        MetadataImage current = controller.image();
        if (!controller.isActive()) {
            return 0;
        }
        return Assignments.isCluster(current)
                ? current.brokers().values().stream().filter(b -> !b.fenced()).count()
                : 1;
    }

    /** On the active controller: the brokers registered but fenced; 0 elsewhere. */
    long fencedBrokers() {
        if (!controller.isActive()) {
            return 0;
        }
        return controller.image().brokers().values().stream()
                .filter(BrokerImage::fenced)
                .count();
    }

    /** The controller's gauges, with {@code offline} as its offline partitions (a broker adds its own to them). */
    void collect(List<MetricSnapshot> out, long offline, String offlineHelp) {
        gauge(out, "kafka_controller_kafkacontroller_offlinepartitionscount", offlineHelp, offline);
        gauge(
                out,
                "kafka_controller_kafkacontroller_preferredreplicaimbalancecount",
                "On the active controller of a cluster: partitions not led by their preferred (first) replica",
                preferredReplicaImbalance());
        gauge(
                out,
                "kafka_controller_kafkacontroller_activecontrollercount",
                "1 on the active controller (the metadata quorum's leader; a single node always), else 0",
                activeControllers());
        gauge(
                out,
                "kafka_controller_kafkacontroller_activebrokercount",
                "On the active controller: brokers registered and not fenced (a single node: 1)",
                activeBrokers());
        gauge(
                out,
                "kafka_controller_kafkacontroller_fencedbrokercount",
                "On the active controller: brokers registered and fenced",
                fencedBrokers());
    }

    static void gauge(List<MetricSnapshot> out, String name, String help, double value) {
        out.add(new Snapshots.Gauge(name, help).add(value, Labels.EMPTY).build());
    }
}
