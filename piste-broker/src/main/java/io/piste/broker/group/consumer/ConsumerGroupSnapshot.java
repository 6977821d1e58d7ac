package io.piste.broker.group.consumer;

import com.google.re2j.Pattern;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * A consumer group's whole state as one record value in {@code __consumer_offsets}: epochs, target assignment and
 * every member with its subscription and reconciliation state, so that after a restart the members carry on with
 * their epochs. The encoding is deterministic (maps are written in key order), so two snapshots of the same state
 * are equal byte for byte and an unchanged group need not be written again. Layout (big-endian, strings as
 * {@link DataOutputStream#writeUTF}, nullable strings behind a boolean):
 *
 * <pre>
 * int16 version (2) | int32 groupEpoch | int32 assignmentEpoch | string assignorName | int64 emptySinceMs
 * | int32 targetCount | per member id: string memberId | partitions
 * | int32 subscribedCount | per topic name: string name | int64 msb | int64 lsb | int32 partitionCount
 * | int32 memberCount | per member: string memberId | string? instanceId | string? rackId | string? clientId
 *   | string? clientHost | int32 rebalanceTimeoutMs | int32 topicCount | string topic... | string? regex
 *   | string? serverAssignor | boolean leftStatically | int32 memberEpoch | int32 previousMemberEpoch
 *   | string state (MemberState's name) | owned assigned | owned pendingRevocation
 * partitions: int32 topicCount | per topic: int64 msb | int64 lsb | int32 count | int32 partition...
 * owned:      int32 topicCount | per topic: int64 msb | int64 lsb | int32 count | (int32 partition
 *             | int32 assignmentEpoch)...
 * </pre>
 *
 * <p>Version 1, written before KIP-1251's assignment epochs, has {@code partitions} where version 2 has
 * {@code owned}; it is still read, every owned partition then counting as assigned at the member's epoch.
 */
final class ConsumerGroupSnapshot {

    private static final short VERSION = 2;
    /** Without assignment epochs. */
    private static final short VERSION_1 = 1;

    private ConsumerGroupSnapshot() {}

    /**
     * Throws {@link IllegalStateException} if a string does not fit {@code writeUTF} (65535 bytes): requests are
     * checked so that none does, and the coordinator rolls the group back if one still does.
     */
    static byte[] encode(ConsumerGroup group) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeShort(VERSION);
            out.writeInt(group.groupEpoch);
            out.writeInt(group.assignmentEpoch);
            out.writeUTF(group.assignorName);
            out.writeLong(group.emptySinceMs);
            Map<String, Map<Uuid, Set<Integer>>> target = new TreeMap<>(group.targetAssignment);
            out.writeInt(target.size());
            for (Map.Entry<String, Map<Uuid, Set<Integer>>> e : target.entrySet()) {
                out.writeUTF(e.getKey());
                writePartitions(out, e.getValue());
            }
            Map<String, SubscribedTopic> subscribed = new TreeMap<>(group.subscribedTopics);
            out.writeInt(subscribed.size());
            for (Map.Entry<String, SubscribedTopic> e : subscribed.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue().topicId().getMostSignificantBits());
                out.writeLong(e.getValue().topicId().getLeastSignificantBits());
                out.writeInt(e.getValue().partitionCount());
            }
            out.writeInt(group.members.size());
            for (ConsumerGroupMember m : group.members.values()) {
                out.writeUTF(m.memberId);
                writeNullable(out, m.instanceId);
                writeNullable(out, m.rackId);
                writeNullable(out, m.clientId);
                writeNullable(out, m.clientHost);
                out.writeInt(m.rebalanceTimeoutMs);
                out.writeInt(m.subscribedTopicNames.size());
                for (String topic : m.subscribedTopicNames) {
                    out.writeUTF(topic);
                }
                writeNullable(out, m.subscribedTopicRegex);
                writeNullable(out, m.serverAssignor);
                out.writeBoolean(m.leftStatically);
                MemberAssignment a = m.assignment;
                out.writeInt(a.memberEpoch());
                out.writeInt(a.previousMemberEpoch());
                out.writeUTF(a.state().name());
                writeOwned(out, a.assigned(), a.assignmentEpochs());
                writeOwned(out, a.pendingRevocation(), a.assignmentEpochs());
            }
        } catch (UTFDataFormatException e) {
            throw new IllegalStateException("consumer group snapshot does not fit: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The group as its snapshot left it, owners table included; members' timers are not set. */
    static ConsumerGroup decode(String groupId, byte[] snapshot) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(snapshot))) {
            short version = in.readShort();
            if (version != VERSION && version != VERSION_1) {
                throw new IllegalArgumentException("unknown consumer group snapshot version=" + version);
            }
            ConsumerGroup group = new ConsumerGroup(groupId);
            group.groupEpoch = in.readInt();
            group.assignmentEpoch = in.readInt();
            group.assignorName = in.readUTF();
            group.emptySinceMs = in.readLong();
            Map<String, Map<Uuid, Set<Integer>>> target = new HashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                target.put(in.readUTF(), readPartitions(in));
            }
            group.targetAssignment = Map.copyOf(target);
            Map<String, SubscribedTopic> subscribed = new HashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                subscribed.put(in.readUTF(), new SubscribedTopic(new Uuid(in.readLong(), in.readLong()), in.readInt()));
            }
            group.subscribedTopics = Map.copyOf(subscribed);
            for (int i = in.readInt(); i > 0; i--) {
                ConsumerGroupMember m = new ConsumerGroupMember(in.readUTF(), readNullable(in));
                m.rackId = readNullable(in);
                m.clientId = readNullable(in);
                m.clientHost = readNullable(in);
                m.rebalanceTimeoutMs = in.readInt();
                List<String> topics = new ArrayList<>();
                for (int t = in.readInt(); t > 0; t--) {
                    topics.add(in.readUTF());
                }
                m.subscribedTopicNames = List.copyOf(topics);
                m.subscribedTopicRegex = readNullable(in);
                m.subscribedTopicPattern =
                        m.subscribedTopicRegex == null ? null : Pattern.compile(m.subscribedTopicRegex);
                m.serverAssignor = readNullable(in);
                m.leftStatically = in.readBoolean();
                int epoch = in.readInt();
                int previous = in.readInt();
                MemberState state = MemberState.valueOf(in.readUTF());
                if (version == VERSION_1) {
                    m.assignment = new MemberAssignment(epoch, previous, state, readPartitions(in), readPartitions(in));
                } else {
                    Map<Uuid, Map<Integer, Integer>> epochs = new HashMap<>();
                    Map<Uuid, Set<Integer>> assigned = readOwned(in, epochs);
                    m.assignment =
                            new MemberAssignment(epoch, previous, state, assigned, readOwned(in, epochs), epochs);
                }
                group.members.put(m.memberId, m);
                if (m.instanceId != null) {
                    group.staticMembers.put(m.instanceId, m.memberId);
                }
                group.updateOwners(m.memberId, MemberAssignment.NEW_MEMBER, m.assignment);
            }
            return group;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writePartitions(DataOutputStream out, Map<Uuid, Set<Integer>> partitions) throws IOException {
        writeOwned(out, partitions, null);
    }

    private static Map<Uuid, Set<Integer>> readPartitions(DataInputStream in) throws IOException {
        Map<Uuid, Set<Integer>> partitions = new HashMap<>();
        for (int t = in.readInt(); t > 0; t--) {
            Uuid topic = new Uuid(in.readLong(), in.readLong());
            Set<Integer> ids = new TreeSet<>();
            for (int p = in.readInt(); p > 0; p--) {
                ids.add(in.readInt());
            }
            partitions.put(topic, ids);
        }
        return Partitions.copyOf(partitions);
    }

    /** The partitions, each followed by its assignment epoch unless {@code epochs} is null (the v1 layout). */
    private static void writeOwned(
            DataOutputStream out, Map<Uuid, Set<Integer>> partitions, Map<Uuid, Map<Integer, Integer>> epochs)
            throws IOException {
        Map<String, Uuid> byName = new TreeMap<>();
        partitions.keySet().forEach(id -> byName.put(id.toString(), id));
        out.writeInt(byName.size());
        for (Uuid topic : byName.values()) {
            out.writeLong(topic.getMostSignificantBits());
            out.writeLong(topic.getLeastSignificantBits());
            Set<Integer> ids = new TreeSet<>(partitions.get(topic));
            out.writeInt(ids.size());
            for (int p : ids) {
                out.writeInt(p);
                if (epochs != null) {
                    out.writeInt(epochs.get(topic).get(p));
                }
            }
        }
    }

    /** The partitions, each one's assignment epoch put into {@code epochs}. */
    private static Map<Uuid, Set<Integer>> readOwned(DataInputStream in, Map<Uuid, Map<Integer, Integer>> epochs)
            throws IOException {
        Map<Uuid, Set<Integer>> partitions = new HashMap<>();
        for (int t = in.readInt(); t > 0; t--) {
            Uuid topic = new Uuid(in.readLong(), in.readLong());
            Set<Integer> ids = new TreeSet<>();
            Map<Integer, Integer> topicEpochs = epochs.computeIfAbsent(topic, id -> new HashMap<>());
            for (int p = in.readInt(); p > 0; p--) {
                int partition = in.readInt();
                ids.add(partition);
                topicEpochs.put(partition, in.readInt());
            }
            partitions.put(topic, ids);
        }
        return Partitions.copyOf(partitions);
    }

    private static void writeNullable(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
