package io.piste.broker.metadata;

import java.util.HashSet;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.DuplicateBrokerRegistrationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.errors.StaleBrokerEpochException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;

/**
 * Whether a change still fits the image it is applied to, checked record by record (a change may create a topic
 * and then set its configs). The single node checks before it appends; a quorum checks when it applies a committed
 * entry, identically on every node, because two nodes may have proposed conflicting changes against the same older
 * image (the same topic name twice, or the same producer id block). Stateless.
 */
public final class MetadataChangeCheck {

    private MetadataChangeCheck() {}

    /**
     * The image with the change applied, or the Kafka error the change's client should get if any record conflicts
     * with the image (then nothing of the change applies).
     */
    public static MetadataImage apply(MetadataImage image, List<MetadataRecord> change) {
        if (change.isEmpty() || change.size() > MetadataLog.MAX_CHANGE_RECORDS) {
            throw new InvalidRequestException(
                    "a change holds 1.." + MetadataLog.MAX_CHANGE_RECORDS + " records, not " + change.size());
        }
        MetadataImageBuilder next = new MetadataImageBuilder(image);
        for (MetadataRecord record : change) {
            check(next.view(), record);
            next.apply(record);
        }
        return next.build();
    }

    private static void check(MetadataImage image, MetadataRecord record) {
        if (record instanceof MetadataRecord.Topic t) {
            checkNewTopic(image, t);
        } else if (record instanceof MetadataRecord.RemoveTopic r) {
            existing(image, r.topicId());
        } else if (record instanceof MetadataRecord.PartitionCount p) {
            checkNewPartitionCount(existing(image, p.topicId()), p.partitionCount());
        } else if (record instanceof MetadataRecord.TopicConfig c) {
            existing(image, c.topicId());
        } else if (record instanceof MetadataRecord.ProducerIds ids) {
            if (ids.blockEnd() <= image.producerIdBlockEnd()) {
                // Another node reserved a block since this one read the image: it must reserve again.
                throw new InvalidRequestException("producer id block end " + ids.blockEnd()
                        + " is not above the reserved " + image.producerIdBlockEnd());
            }
        } else if (record instanceof MetadataRecord.BrokerRegistration b) {
            checkRegistration(image.broker(b.nodeId()), b);
        } else if (record instanceof MetadataRecord.BrokerFencing f) {
            BrokerImage broker = image.broker(f.nodeId());
            if (broker == null) {
                throw new BrokerIdNotRegisteredException("Broker " + f.nodeId() + " is not registered");
            }
            if (broker.epoch() != f.epoch()) {
                throw new StaleBrokerEpochException(
                        "Broker " + f.nodeId() + " is registered with epoch " + broker.epoch() + ", not " + f.epoch());
            }
        } else if (record instanceof MetadataRecord.Assignment a) {
            checkAssignment(image, a);
        } else if (record instanceof MetadataRecord.PartitionState p) {
            checkPartitionChange(image, p);
        }
        // BrokerConfigs replace a scope's configs whatever they were.
    }

    /** New partitions' replicas: right after those already assigned, up to the topic's count, registered brokers. */
    private static void checkAssignment(MetadataImage image, MetadataRecord.Assignment a) {
        TopicImage topic = existing(image, a.topicId());
        int assigned = image.partitions(a.topicId()).size();
        if (a.firstPartition() != assigned || assigned + a.replicas().size() != topic.partitionCount()) {
            throw new InvalidReplicaAssignmentException("Topic " + topic.name() + " has " + topic.partitionCount()
                    + " partitions of which " + assigned + " are assigned; an assignment of partitions "
                    + a.firstPartition() + ".."
                    + (a.firstPartition() + a.replicas().size() - 1) + " does not fit");
        }
        for (List<Integer> replicas : a.replicas()) {
            checkReplicas(image, replicas);
        }
    }

    /**
     * One partition's new state, made against its current one: the partition epoch one above, the leader epoch one
     * above for a new leader and the same otherwise, the leader in sync, the in-sync and eligible replicas among the
     * replicas and apart. A change made against an older state (another change came first) is refused.
     */
    private static void checkPartitionChange(MetadataImage image, MetadataRecord.PartitionState p) {
        TopicImage topic = existing(image, p.topicId());
        List<PartitionImage> assigned = image.partitions(p.topicId());
        if (p.partition() >= assigned.size()) {
            throw new UnknownTopicOrPartitionException(
                    "Partition " + p.partition() + " of topic " + topic.name() + " is not assigned");
        }
        PartitionImage current = assigned.get(p.partition());
        PartitionImage next = p.state();
        int leaderEpoch = current.leaderEpoch() + (next.leader() == current.leader() ? 0 : 1);
        if (next.partitionEpoch() != current.partitionEpoch() + 1 || next.leaderEpoch() != leaderEpoch) {
            throw new InvalidUpdateVersionException("Partition " + topic.name() + "-" + p.partition()
                    + " is at partition epoch " + current.partitionEpoch() + " and leader epoch "
                    + current.leaderEpoch() + "; the change was made against another state");
        }
        checkReplicas(image, next.replicas());
        boolean leaderInSync = next.leader() == -1 || next.isr().contains(next.leader());
        if (!leaderInSync
                || !next.replicas().containsAll(next.isr())
                || !next.replicas().containsAll(next.elr())
                || next.isr().stream().anyMatch(next.elr()::contains)
                || new HashSet<>(next.isr()).size() != next.isr().size()
                || new HashSet<>(next.elr()).size() != next.elr().size()) {
            throw new InvalidRequestException("Partition " + topic.name() + "-" + p.partition() + ": leader "
                    + next.leader() + ", ISR " + next.isr() + " and ELR " + next.elr() + " do not fit replicas "
                    + next.replicas());
        }
        checkReassignment(topic, p.partition(), current, next);
    }

    /**
     * The replicas a reassignment adds and removes are among the replicas and apart; and a change that keeps the
     * replicas ends a reassignment under way only as its completion would (it removes nothing and every replica is in
     * sync), so that an ISR change or an election made without knowing of it cannot silently end it.
     */
    private static void checkReassignment(
            TopicImage topic, int partition, PartitionImage current, PartitionImage next) {
        List<Integer> adding = next.addingReplicas();
        List<Integer> removing = next.removingReplicas();
        boolean fits = next.replicas().containsAll(adding)
                && next.replicas().containsAll(removing)
                && adding.stream().noneMatch(removing::contains)
                && new HashSet<>(adding).size() == adding.size()
                && new HashSet<>(removing).size() == removing.size();
        boolean ended = current.isReassigning() && !next.isReassigning();
        // Ended with the same replicas: a completion that removed nothing, or the cancel of one that added nothing.
        boolean kept = !ended
                || !next.replicas().equals(current.replicas())
                || current.addingReplicas().isEmpty()
                || (current.removingReplicas().isEmpty() && next.isr().containsAll(next.replicas()));
        if (!fits || !kept) {
            throw new InvalidRequestException("Partition " + topic.name() + "-" + partition + ": adding " + adding
                    + " and removing " + removing + " replicas do not fit replicas " + next.replicas()
                    + " (a change of the ISR or leader keeps the reassignment " + current.addingReplicas() + "/"
                    + current.removingReplicas() + ")");
        }
    }

    /** Distinct registered brokers, at least one. */
    private static void checkReplicas(MetadataImage image, List<Integer> replicas) {
        if (replicas.isEmpty() || new HashSet<>(replicas).size() != replicas.size()) {
            throw new InvalidReplicaAssignmentException("Replicas " + replicas + " are empty or name a broker twice");
        }
        for (int replica : replicas) {
            if (image.broker(replica) == null) {
                throw new InvalidReplicaAssignmentException("Replica " + replica + " is not a registered broker");
            }
        }
    }

    /**
     * A registration's epoch must be above the broker's current one (else it was proposed against an older image),
     * and a broker still serving under another incarnation is another process with the same node id.
     */
    private static void checkRegistration(BrokerImage current, MetadataRecord.BrokerRegistration b) {
        if (current == null) {
            return;
        }
        if (b.epoch() <= current.epoch()) {
            throw new StaleBrokerEpochException("Broker " + b.nodeId() + " is registered with epoch " + current.epoch()
                    + "; a new registration needs a higher one, not " + b.epoch());
        }
        if (!current.fenced() && !current.incarnation().equals(b.incarnation())) {
            throw new DuplicateBrokerRegistrationException("Another process registered as broker " + b.nodeId()
                    + " (incarnation " + current.incarnation() + ") and is still serving");
        }
    }

    private static void checkNewTopic(MetadataImage image, MetadataRecord.Topic t) {
        checkNewTopic(image, t.name(), t.partitionCount());
        if (image.topic(t.topicId()) != null) {
            throw new TopicExistsException("Topic id " + t.topicId() + " is in use.");
        }
    }

    /** A new partition count for {@code topic}, as CreatePartitions checks it: above the current one, within range. */
    public static void checkNewPartitionCount(TopicImage topic, int newCount) {
        if (newCount <= topic.partitionCount()) {
            throw new InvalidPartitionsException("Topic currently has " + topic.partitionCount()
                    + " partitions, which is higher than the requested " + newCount + ".");
        }
        if (newCount > Controller.MAX_PARTITIONS) {
            throw new InvalidPartitionsException(
                    "At most " + Controller.MAX_PARTITIONS + " partitions, got " + newCount);
        }
    }

    /**
     * Checks a new topic as Kafka does: a valid name, not the metadata log's, free and colliding with no existing
     * name (Kafka treats {@code .} and {@code _} alike in metric names), and a partition count in range.
     */
    public static void checkNewTopic(MetadataImage image, String name, int partitionCount) {
        Topic.validate(name);
        if (Topic.CLUSTER_METADATA_TOPIC_NAME.equals(name)) {
            // Its directory name is the metadata log's own: such a topic would share and, once deleted, wipe it.
            throw new InvalidRequestException("Creation of internal topic " + name + " is prohibited.");
        }
        if (image.topic(name) != null) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        }
        for (TopicImage existing : image.topics()) {
            if (Topic.hasCollision(name, existing.name())) {
                throw new InvalidTopicException(
                        "Topic '" + name + "' collides with existing topic: " + existing.name());
            }
        }
        if (partitionCount <= 0 || partitionCount > Controller.MAX_PARTITIONS) {
            throw new InvalidPartitionsException("Number of partitions must be between 1 and "
                    + Controller.MAX_PARTITIONS + ", got " + partitionCount);
        }
    }

    /** The topic of {@code topicId} in {@code image}, or UNKNOWN_TOPIC_OR_PARTITION. */
    public static TopicImage existing(MetadataImage image, Uuid topicId) {
        TopicImage topic = image.topic(topicId);
        if (topic == null) {
            throw new UnknownTopicOrPartitionException("Topic " + topicId + " does not exist");
        }
        return topic;
    }

    /** The topic named {@code name} in {@code image}, or UNKNOWN_TOPIC_OR_PARTITION. */
    public static TopicImage existing(MetadataImage image, String name) {
        TopicImage topic = image.topic(name);
        if (topic == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist");
        }
        return topic;
    }
}
