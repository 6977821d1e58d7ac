package io.piste.broker.group;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;

/**
 * The admin APIs on classic groups (ListGroups, DescribeGroups, DeleteGroups) and the groups' life outside the
 * protocol: a group known only by its committed offsets is listed, an Empty group whose offsets all expired goes.
 * Thread-safe: each call holds the lock of the {@link ClassicGroups} and answers by its return value.
 */
public final class ClassicGroupAdmin {

    private final ClassicGroups groups;
    private final ClassicGroupWriter writer;

    ClassicGroupAdmin(ClassicGroups groups, ClassicGroupWriter writer) {
        this.groups = groups;
        this.writer = writer;
    }

    /** Makes sure a group known only by its committed offsets is listed (an Empty group). */
    public void ensureGroup(String groupId) {
        synchronized (groups) {
            groups.getOrCreate(groupId);
        }
    }

    public List<ListedGroup> listGroups(List<String> statesFilter, List<String> typesFilter) {
        List<ListedGroup> listed = new ArrayList<>();
        synchronized (groups) {
            for (ClassicGroup group : groups.all()) {
                if (group.is(GroupState.DEAD)) {
                    continue;
                }
                if (statesFilter != null
                        && !statesFilter.isEmpty()
                        && statesFilter.stream().noneMatch(s -> s.equalsIgnoreCase(group.state().kafkaName))) {
                    continue;
                }
                if (typesFilter != null
                        && !typesFilter.isEmpty()
                        && typesFilter.stream().noneMatch(t -> t.equalsIgnoreCase("classic"))) {
                    continue;
                }
                listed.add(new ListedGroup()
                        .setGroupId(group.groupId())
                        .setProtocolType(group.protocolType() == null ? "" : group.protocolType())
                        .setGroupState(group.state().kafkaName)
                        .setGroupType("classic"));
            }
        }
        return listed;
    }

    /** The group as DescribeGroups shows it: members' metadata and assignments only once Stable, as Kafka. */
    public DescribedGroup describeGroup(String groupId) {
        synchronized (groups) {
            ClassicGroup group = groups.get(groupId);
            if (group == null) {
                // Kafka describes an unknown group as Dead, with no error.
                return new DescribedGroup()
                        .setGroupId(groupId)
                        .setGroupState(GroupState.DEAD.kafkaName)
                        .setProtocolType("")
                        .setProtocolData("");
            }
            boolean stable = group.is(GroupState.STABLE);
            String protocolName = group.protocolName();
            DescribedGroup described = new DescribedGroup()
                    .setGroupId(groupId)
                    .setGroupState(group.state().kafkaName)
                    .setProtocolType(group.protocolType() == null ? "" : group.protocolType())
                    .setProtocolData(stable && protocolName != null ? protocolName : "");
            for (GroupMember m : group.members()) {
                byte[] metadata = stable ? m.protocols.get(protocolName) : null;
                described
                        .members()
                        .add(new DescribedGroupMember()
                                .setMemberId(m.memberId)
                                .setGroupInstanceId(m.groupInstanceId)
                                .setClientId(m.clientId)
                                .setClientHost(m.clientHost)
                                .setMemberMetadata(metadata == null ? new byte[0] : metadata)
                                .setMemberAssignment(stable ? m.assignment : new byte[0]));
            }
            return described;
        }
    }

    /** Deletes an Empty group's membership record; Kafka refuses groups with members (NON_EMPTY_GROUP). */
    public Errors deleteGroup(String groupId) {
        synchronized (groups) {
            ClassicGroup group = groups.get(groupId);
            if (group == null || group.is(GroupState.DEAD)) {
                return Errors.GROUP_ID_NOT_FOUND;
            }
            if (!group.is(GroupState.EMPTY)) {
                return Errors.NON_EMPTY_GROUP;
            }
            group.markDead();
            groups.remove(groupId);
            writer.delete(groupId);
            return Errors.NONE;
        }
    }

    /** Forgets an Empty group whose offsets have all expired, as Kafka does; a group with members stays. */
    public void removeIfEmpty(String groupId) {
        deleteGroup(groupId);
    }

    /** For tests: the state name of a group, "Dead" if unknown. */
    String stateOf(String groupId) {
        synchronized (groups) {
            ClassicGroup group = groups.get(groupId);
            return group == null ? GroupState.DEAD.kafkaName : group.state().kafkaName;
        }
    }
}
