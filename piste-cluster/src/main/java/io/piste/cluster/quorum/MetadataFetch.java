package io.piste.cluster.quorum;

import io.piste.broker.metadata.MetadataRecord;
import io.piste.broker.metadata.MetadataRecordCodec;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * A broker-only node's fetch of the metadata it lacks, as a Ratis read-only request to a voter (Kafka's brokers fetch
 * the metadata log from the controllers the same way, as observers). The request names the node and the last log
 * index it applied, and how long the voter may hold it while nothing newer was applied (a long poll). The reply is
 * either the changes applied after that index, each the records of one log entry, or, when the voter no longer
 * holds them all (a snapshot, or too many), its whole image as one change; and the log index the node has then
 * applied.
 *
 * <p>Request bytes: {@code 'F'}, node id (int), known index (long), longest wait in ms (int). Reply: index (long), 1 if
 * the whole image else 0 (byte), change count (int), then each change's length (int) and records
 * ({@link MetadataRecordCodec}). Every count and length is checked against the bytes present. Also the read that
 * asks a voter which broker-only nodes it feeds ({@link #OBSERVERS_READ}), for DescribeQuorum.
 */
final class MetadataFetch {

    private static final byte FETCH = 'F';
    private static final int REQUEST_BYTES = 1 + 4 + 8 + 4;

    /** Asks a voter for the broker-only nodes it feeds: {@link #observersReply}. */
    static final Message OBSERVERS_READ = Message.valueOf("observers");

    private static final int OBSERVER_BYTES = 4 + 8 + 8;

    /** A node's fetch: {@code knownIndex} -1 before it has anything. */
    record Request(int nodeId, long knownIndex, int maxWaitMs) {}

    /** The changes after the request's index, up to {@code index}; or the whole image at {@code index}. */
    record Reply(long index, boolean wholeImage, List<List<MetadataRecord>> changes) {}

    private MetadataFetch() {}

    static Message request(Request request) {
        ByteBuffer bytes = ByteBuffer.allocate(REQUEST_BYTES);
        bytes.put(FETCH).putInt(request.nodeId()).putLong(request.knownIndex()).putInt(request.maxWaitMs());
        return Message.valueOf(ByteString.copyFrom(bytes.array()));
    }

    /** The fetch a read-only request carries, or null if it is another kind of read (a plain catch-up barrier). */
    static Request parseRequest(Message message) {
        ByteString content = message.getContent();
        if (content.size() != REQUEST_BYTES || content.byteAt(0) != FETCH) {
            return null;
        }
        ByteBuffer bytes = content.asReadOnlyByteBuffer();
        bytes.get();
        return new Request(bytes.getInt(), bytes.getLong(), bytes.getInt());
    }

    /** Each fed node's id, applied index at its last fetch, and milliseconds since that fetch. */
    static Message observersReply(Map<Integer, ObserverFeed.Contact> contacts, long nowMs) {
        ByteBuffer bytes = ByteBuffer.allocate(4 + contacts.size() * OBSERVER_BYTES);
        bytes.putInt(contacts.size());
        contacts.forEach((node, contact) ->
                bytes.putInt(node).putLong(contact.appliedIndex()).putLong(Math.max(0, nowMs - contact.atMs())));
        return Message.valueOf(ByteString.copyFrom(bytes.array()));
    }

    /**
     * The contacts of {@link #observersReply}, their times made epoch ms again on this node's clock.
     *
     * @throws IllegalArgumentException if the bytes are not a whole reply
     */
    static Map<Integer, ObserverFeed.Contact> parseObservers(Message message, long nowMs) {
        ByteBuffer bytes = message.getContent().asReadOnlyByteBuffer();
        try {
            int count = bytes.getInt();
            if (count < 0 || count != bytes.remaining() / OBSERVER_BYTES || bytes.remaining() % OBSERVER_BYTES != 0) {
                throw new IllegalArgumentException(
                        "observers reply of " + count + " in " + bytes.remaining() + " bytes");
            }
            Map<Integer, ObserverFeed.Contact> contacts = new HashMap<>();
            for (int i = 0; i < count; i++) {
                int node = bytes.getInt();
                long index = bytes.getLong();
                contacts.put(node, new ObserverFeed.Contact(nowMs - bytes.getLong(), index));
            }
            return contacts;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("observers reply cut short", e);
        }
    }

    static Message reply(long index, boolean wholeImage, List<byte[]> encodedChanges) {
        int size = 8 + 1 + 4;
        for (byte[] change : encodedChanges) {
            size += 4 + change.length;
        }
        ByteBuffer bytes = ByteBuffer.allocate(size);
        bytes.putLong(index).put((byte) (wholeImage ? 1 : 0)).putInt(encodedChanges.size());
        for (byte[] change : encodedChanges) {
            bytes.putInt(change.length).put(change);
        }
        return Message.valueOf(ByteString.copyFrom(bytes.array()));
    }

    /**
     * @throws IllegalArgumentException if the bytes are not a whole reply, or a change holds more records than one
     *     log entry may (the whole image excepted: its records are bounded by its bytes)
     */
    static Reply parseReply(Message message) {
        ByteBuffer bytes = message.getContent().asReadOnlyByteBuffer();
        try {
            long index = bytes.getLong();
            byte kind = bytes.get();
            if (kind != 0 && kind != 1) {
                throw new IllegalArgumentException("metadata fetch reply of unknown kind " + kind);
            }
            boolean wholeImage = kind == 1;
            int count = bytes.getInt();
            if (count < 0 || count > bytes.remaining() / 4 || (wholeImage && count != 1)) {
                throw new IllegalArgumentException(
                        "metadata fetch reply with " + count + " changes in " + bytes.remaining() + " bytes");
            }
            List<List<MetadataRecord>> changes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = bytes.getInt();
                if (length < 0 || length > bytes.remaining()) {
                    throw new IllegalArgumentException(
                            "metadata change of " + length + " bytes in " + bytes.remaining());
                }
                byte[] change = new byte[length];
                bytes.get(change);
                changes.add(MetadataRecordCodec.decode(
                        change, wholeImage ? Integer.MAX_VALUE : MetadataRecordCodec.MAX_CHANGE_RECORDS));
            }
            if (bytes.hasRemaining()) {
                throw new IllegalArgumentException(bytes.remaining() + " bytes after the metadata fetch reply");
            }
            return new Reply(index, wholeImage, changes);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("metadata fetch reply cut short", e);
        }
    }
}
