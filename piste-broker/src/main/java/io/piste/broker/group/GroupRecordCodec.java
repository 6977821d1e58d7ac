package io.piste.broker.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;

/**
 * The key and value of a group-metadata record in {@code __consumer_offsets} (layout in
 * {@code docs/design/consumer-offsets.md}), next to the offset-commit records of {@link OffsetRecordCodec}. A null
 * value deletes the group.
 *
 * <pre>
 * key:   int16 keyType (2 = group metadata) | string group
 * value: int16 version (1) | string protocolType | int32 generation | string protocolName | string leader
 *        | int64 stateTimestampMs | int32 memberCount | members: string memberId | string instanceId | string clientId
 *        | string clientHost | int32 sessionTimeoutMs | int32 rebalanceTimeoutMs | bytes subscription | bytes assignment
 * </pre>
 * Strings are as in {@link OffsetRecordCodec}; bytes are an int32 length and the bytes.
 */
final class GroupRecordCodec {

    static final short GROUP_METADATA_KEY_TYPE = 2;
    /** A KIP-848 consumer group's snapshot; its value is opaque here. */
    static final short CONSUMER_GROUP_KEY_TYPE = 3;

    static final short VALUE_VERSION = 1;
    /** A member with null or empty strings and empty byte arrays: four int16 lengths, two int32s, two int32 lengths. */
    static final int MEMBER_MIN_BYTES = 4 * 2 + 4 + 4 + 4 + 4;

    private GroupRecordCodec() {}

    static byte[] key(String groupId) {
        return key(GROUP_METADATA_KEY_TYPE, groupId);
    }

    static byte[] consumerGroupKey(String groupId) {
        return key(CONSUMER_GROUP_KEY_TYPE, groupId);
    }

    private static byte[] key(short type, String groupId) {
        byte[] group = utf8(groupId);
        ByteBuffer buf = ByteBuffer.allocate(2 + 2 + group.length);
        buf.putShort(type);
        OffsetRecordCodec.putString(buf, group);
        return buf.array();
    }

    /** The group id of a key whose type has been read already; never null. */
    static String readKeyGroup(ByteBuffer buf) {
        return OffsetRecordCodec.getRequiredString(buf, "group");
    }

    static byte[] value(GroupRecord group) {
        List<byte[][]> members = new ArrayList<>();
        int size = 2
                + stringSize(group.protocolType())
                + 4
                + stringSize(group.protocolName())
                + stringSize(group.leaderId())
                + 8
                + 4;
        for (GroupRecord.Member m : group.members()) {
            byte[][] fields = {utf8(m.memberId()), utf8(m.groupInstanceId()), utf8(m.clientId()), utf8(m.clientHost())};
            members.add(fields);
            for (byte[] f : fields) {
                size += 2 + (f == null ? 0 : f.length);
            }
            size += 4 + 4 + 4 + m.subscription().length + 4 + m.assignment().length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putShort(VALUE_VERSION);
        OffsetRecordCodec.putString(buf, utf8(group.protocolType()));
        buf.putInt(group.generationId());
        OffsetRecordCodec.putString(buf, utf8(group.protocolName()));
        OffsetRecordCodec.putString(buf, utf8(group.leaderId()));
        buf.putLong(group.stateTimestampMs());
        buf.putInt(group.members().size());
        for (int i = 0; i < members.size(); i++) {
            GroupRecord.Member m = group.members().get(i);
            for (byte[] f : members.get(i)) {
                OffsetRecordCodec.putString(buf, f);
            }
            buf.putInt(m.sessionTimeoutMs());
            buf.putInt(m.rebalanceTimeoutMs());
            putBytes(buf, m.subscription());
            putBytes(buf, m.assignment());
        }
        return buf.array();
    }

    /**
     * The membership in {@code buf}; throws {@link InvalidRecordException} if it does not decode. The member count
     * is checked against the bytes left (each member takes at least {@link #MEMBER_MIN_BYTES}) before any member is
     * read, so a hostile count allocates nothing.
     */
    static GroupRecord readValue(ByteBuffer buf) {
        short version = buf.getShort();
        if (version != VALUE_VERSION) {
            throw new InvalidRecordException("unknown group-metadata value version=" + version);
        }
        String protocolType = OffsetRecordCodec.getString(buf);
        int generation = buf.getInt();
        String protocolName = OffsetRecordCodec.getString(buf);
        String leader = OffsetRecordCodec.getString(buf);
        long timestamp = buf.getLong();
        int count = buf.getInt();
        if (count < 0 || count > buf.remaining() / MEMBER_MIN_BYTES) {
            throw new InvalidRecordException("member count=" + count + " with " + buf.remaining() + " bytes left");
        }
        List<GroupRecord.Member> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            members.add(readMember(buf));
        }
        return new GroupRecord(protocolType, generation, protocolName, leader, timestamp, members);
    }

    private static GroupRecord.Member readMember(ByteBuffer buf) {
        String memberId = OffsetRecordCodec.getRequiredString(buf, "member id");
        String instanceId = OffsetRecordCodec.getString(buf);
        String clientId = OffsetRecordCodec.getString(buf);
        String clientHost = OffsetRecordCodec.getString(buf);
        int sessionTimeoutMs = buf.getInt();
        int rebalanceTimeoutMs = buf.getInt();
        byte[] subscription = getBytes(buf);
        return new GroupRecord.Member(
                memberId,
                instanceId,
                clientId,
                clientHost,
                sessionTimeoutMs,
                rebalanceTimeoutMs,
                subscription,
                getBytes(buf));
    }

    private static int stringSize(String s) {
        return 2 + (s == null ? 0 : utf8(s).length);
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putBytes(ByteBuffer buf, byte[] bytes) {
        buf.putInt(bytes.length);
        buf.put(bytes);
    }

    private static byte[] getBytes(ByteBuffer buf) {
        int length = buf.getInt();
        if (length < 0 || length > buf.remaining()) {
            throw new InvalidRecordException("bytes length=" + length + " with " + buf.remaining() + " bytes left");
        }
        byte[] bytes = new byte[length];
        buf.get(bytes);
        return bytes;
    }
}
