package io.piste.storage.record;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Transaction markers: control batches holding one control record, in Kafka's format (its
 * {@code EndTransactionMarker}). The batch is uncompressed, transactional and control, with no sequence; its one
 * record is:
 *
 * <pre>
 *  field            type      value
 *  length           varint    bytes after this field
 *  attributes       int8      0
 *  timestampDelta   varlong   0
 *  offsetDelta      varint    0
 *  keyLength        varint    4
 *  key              version int16 (0), type int16 (0 ABORT, 1 COMMIT)
 *  valueLength      varint    6
 *  value            version int16 (0), coordinatorEpoch int32
 *  headerCount      varint    0
 * </pre>
 *
 * A parsed marker comes back packed in one long ({@link #markerType}, {@link #coordinatorEpoch}). Stateless.
 */
public final class ControlBatches {
    public static final short ABORT = 0;
    public static final short COMMIT = 1;
    /** What {@link #parseMarker} returns for a control record that is not a readable transaction marker. */
    public static final long NOT_A_MARKER = Long.MIN_VALUE;
    /** Size of a marker batch as {@link #marker} builds it. */
    public static final int MARKER_BATCH_BYTES = RecordBatchView.HEADER_SIZE + 17;

    private static final short CONTROL_ATTRIBUTES = 0x30; // transactional | control
    private static final int RECORD_BODY_BYTES = 16;

    private ControlBatches() {}

    /** A COMMIT or ABORT marker batch at base offset 0 for {@code producerId}/{@code producerEpoch}. */
    public static ByteBuffer marker(
            long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, long timestampMs) {
        ByteBuffer buf = ByteBuffer.allocate(MARKER_BATCH_BYTES);
        buf.putLong(0L)
                .putInt(MARKER_BATCH_BYTES - RecordBatchView.LOG_OVERHEAD)
                .putInt(-1)
                .put(RecordBatchView.MAGIC_V2)
                .putInt(0)
                .putShort(CONTROL_ATTRIBUTES)
                .putInt(0)
                .putLong(timestampMs)
                .putLong(timestampMs)
                .putLong(producerId)
                .putShort(producerEpoch)
                .putInt(RecordBatchView.NO_SEQUENCE)
                .putInt(1);
        // Every varint below is one byte: zigzag of 16, 0, 0, 4, 6, 0.
        buf.put((byte) (RECORD_BODY_BYTES << 1))
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) (4 << 1))
                .putShort((short) 0)
                .putShort(commit ? COMMIT : ABORT)
                .put((byte) (6 << 1))
                .putShort((short) 0)
                .putInt(coordinatorEpoch)
                .put((byte) 0);
        CRC32C crc = new CRC32C();
        crc.update(
                buf.array(), RecordBatchView.ATTRIBUTES_OFFSET, MARKER_BATCH_BYTES - RecordBatchView.ATTRIBUTES_OFFSET);
        buf.putInt(RecordBatchView.CRC_OFFSET, (int) crc.getValue());
        buf.flip();
        return buf;
    }

    /**
     * Reads the first record of a control batch from {@code buf} between {@code recordsStart} (the batch's offset plus
     * {@link RecordBatchView#HEADER_SIZE}) and {@code end}, never past {@code end}. Returns the packed marker, or
     * {@link #NOT_A_MARKER} if the bytes do not hold a COMMIT or ABORT key with a marker value (another control type,
     * a record cleaned away, or damage).
     */
    public static long parseMarker(ByteBuffer buf, int recordsStart, int end) {
        Cursor c = new Cursor(buf, recordsStart, end);
        long length = c.varint();
        if (length < 0 || c.failed) {
            return NOT_A_MARKER;
        }
        c.skip(1); // attributes
        c.varint(); // timestampDelta
        c.varint(); // offsetDelta
        long keyLength = c.varint();
        if (c.failed || keyLength < 4 || c.remaining() < keyLength) {
            return NOT_A_MARKER;
        }
        short keyVersion = buf.getShort(c.pos);
        short type = buf.getShort(c.pos + 2);
        c.skip((int) keyLength);
        long valueLength = c.varint();
        if (c.failed
                || keyVersion < 0
                || (type != ABORT && type != COMMIT)
                || valueLength < 6
                || c.remaining() < valueLength) {
            return NOT_A_MARKER;
        }
        int coordinatorEpoch = buf.getInt(c.pos + 2);
        return pack(type, coordinatorEpoch);
    }

    static long pack(short type, int coordinatorEpoch) {
        return ((long) type << 32) | (coordinatorEpoch & 0xFFFFFFFFL);
    }

    public static short markerType(long packed) {
        return (short) (packed >>> 32);
    }

    public static int coordinatorEpoch(long packed) {
        return (int) packed;
    }

    public static boolean isCommit(long packed) {
        return markerType(packed) == COMMIT;
    }

    /** A bounded reader of zigzag varints; {@code failed} once a read would pass the end. */
    private static final class Cursor {
        private final ByteBuffer buf;
        private final int end;
        private int pos;
        private boolean failed;

        Cursor(ByteBuffer buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = Math.min(end, buf.limit());
        }

        int remaining() {
            return end - pos;
        }

        void skip(int bytes) {
            if (remaining() < bytes) {
                failed = true;
                pos = end;
            } else {
                pos += bytes;
            }
        }

        long varint() {
            long raw = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    failed = true;
                    return -1;
                }
                byte b = buf.get(pos++);
                raw |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            failed = true;
            return -1;
        }
    }
}
