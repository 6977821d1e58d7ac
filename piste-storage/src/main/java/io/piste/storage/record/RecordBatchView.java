package io.piste.storage.record;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * A reusable flyweight over one magic v2 record batch held in a {@link ByteBuffer}, read and written with
 * absolute accessors so the buffer's position and limit never move.
 *
 * <pre>
 *  offset  field                 type     notes
 *  0       baseOffset            int64    not covered by the CRC
 *  8       batchLength           int32    bytes after this field: size = batchLength + 12
 *  12      partitionLeaderEpoch  int32    not covered by the CRC
 *  16      magic                 int8     2
 *  17      crc                   uint32   CRC32C of bytes [21, size)
 *  21      attributes            int16    bits 0-2 compression, 3 LogAppendTime, 4 transactional, 5 control
 *  23      lastOffsetDelta       int32
 *  27      baseTimestamp         int64
 *  35      maxTimestamp          int64
 *  43      producerId            int64
 *  51      producerEpoch         int16
 *  53      baseSequence          int32
 *  57      recordCount           int32
 *  61      records ...
 * </pre>
 *
 * <p>Multi-byte fields are big-endian whatever the buffer's own byte order. {@link #wrap} allocates only when it
 * is given a buffer other than the last one (to keep a private duplicate for CRC computation). Not thread-safe:
 * one instance per thread.
 */
public final class RecordBatchView {
    public static final int HEADER_SIZE = 61;
    public static final byte MAGIC_V2 = 2;
    public static final long NO_PRODUCER_ID = -1L;
    public static final int NO_SEQUENCE = -1;
    public static final long NO_TIMESTAMP = -1L;

    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int BATCH_LENGTH_OFFSET = 8;
    public static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    public static final int MAGIC_OFFSET = 16;
    public static final int CRC_OFFSET = 17;
    public static final int ATTRIBUTES_OFFSET = 21;
    public static final int LAST_OFFSET_DELTA_OFFSET = 23;
    public static final int BASE_TIMESTAMP_OFFSET = 27;
    public static final int MAX_TIMESTAMP_OFFSET = 35;
    public static final int PRODUCER_ID_OFFSET = 43;
    public static final int PRODUCER_EPOCH_OFFSET = 51;
    public static final int BASE_SEQUENCE_OFFSET = 53;
    public static final int RECORD_COUNT_OFFSET = 57;
    /** Size of the fields before batchLength's coverage starts: baseOffset and batchLength. */
    public static final int LOG_OVERHEAD = 12;

    private static final int COMPRESSION_MASK = 0x07;
    private static final int LOG_APPEND_TIME_FLAG = 0x08;
    public static final int TRANSACTIONAL_FLAG = 0x10;
    private static final int CONTROL_FLAG = 0x20;

    private final CRC32C crc32c = new CRC32C();
    private ByteBuffer buffer;
    private ByteBuffer crcView;
    private boolean bigEndian;
    private int offset;

    /** Points this view at the batch starting at absolute index {@code offset} of {@code buf}; returns this. */
    public RecordBatchView wrap(ByteBuffer buf, int offset) {
        if (buf != this.buffer) {
            this.buffer = buf;
            this.crcView = buf.duplicate();
        }
        this.bigEndian = buf.order() == ByteOrder.BIG_ENDIAN;
        this.offset = offset;
        return this;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    /** Absolute index in {@link #buffer()} where the batch starts. */
    public int offset() {
        return offset;
    }

    public long baseOffset() {
        return getLong(BASE_OFFSET_OFFSET);
    }

    public int batchLength() {
        return getInt(BATCH_LENGTH_OFFSET);
    }

    /** Whole batch size in bytes, header included; may be garbage until the batch is validated. */
    public int sizeInBytes() {
        return batchLength() + LOG_OVERHEAD;
    }

    public int partitionLeaderEpoch() {
        return getInt(PARTITION_LEADER_EPOCH_OFFSET);
    }

    public byte magic() {
        return buffer.get(offset + MAGIC_OFFSET);
    }

    public long crc() {
        return getInt(CRC_OFFSET) & 0xFFFFFFFFL;
    }

    public short attributes() {
        return getShort(ATTRIBUTES_OFFSET);
    }

    public int compressionType() {
        return attributes() & COMPRESSION_MASK;
    }

    public boolean timestampTypeIsLogAppendTime() {
        return (attributes() & LOG_APPEND_TIME_FLAG) != 0;
    }

    public boolean isTransactional() {
        return (attributes() & TRANSACTIONAL_FLAG) != 0;
    }

    public boolean isControl() {
        return (attributes() & CONTROL_FLAG) != 0;
    }

    public int lastOffsetDelta() {
        return getInt(LAST_OFFSET_DELTA_OFFSET);
    }

    public long baseTimestamp() {
        return getLong(BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return getLong(MAX_TIMESTAMP_OFFSET);
    }

    public long producerId() {
        return getLong(PRODUCER_ID_OFFSET);
    }

    public short producerEpoch() {
        return getShort(PRODUCER_EPOCH_OFFSET);
    }

    public int baseSequence() {
        return getInt(BASE_SEQUENCE_OFFSET);
    }

    /** Sequence of the last record; sequences wrap from Integer.MAX_VALUE to 0. */
    public int lastSequence() {
        int base = baseSequence();
        if (base == NO_SEQUENCE) {
            return NO_SEQUENCE;
        }
        return incrementSequence(base, lastOffsetDelta());
    }

    public int recordCount() {
        return getInt(RECORD_COUNT_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    public void setBaseOffset(long baseOffset) {
        putLong(BASE_OFFSET_OFFSET, baseOffset);
    }

    public void setPartitionLeaderEpoch(int epoch) {
        putInt(PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    /** Marks the batch LogAppendTime with the given time as its maxTimestamp, and recomputes the CRC. */
    public void setLogAppendTime(long timestampMs) {
        putShort(ATTRIBUTES_OFFSET, (short) (attributes() | LOG_APPEND_TIME_FLAG));
        putLong(MAX_TIMESTAMP_OFFSET, timestampMs);
        putInt(CRC_OFFSET, (int) computeCrc());
    }

    /** CRC32C over [attributes, end of batch); requires a plausible {@link #batchLength()}. */
    public long computeCrc() {
        int start = offset + ATTRIBUTES_OFFSET;
        int end = offset + sizeInBytes();
        crcView.limit(end).position(start);
        crc32c.reset();
        crc32c.update(crcView);
        return crc32c.getValue();
    }

    public boolean isCrcValid() {
        return computeCrc() == crc();
    }

    /** {@code sequence + increment}, wrapping past Integer.MAX_VALUE to 0 as Kafka producers do. */
    public static int incrementSequence(int sequence, int increment) {
        if (sequence > Integer.MAX_VALUE - increment) {
            return increment - (Integer.MAX_VALUE - sequence) - 1;
        }
        return sequence + increment;
    }

    private long getLong(int field) {
        long v = buffer.getLong(offset + field);
        return bigEndian ? v : Long.reverseBytes(v);
    }

    private int getInt(int field) {
        int v = buffer.getInt(offset + field);
        return bigEndian ? v : Integer.reverseBytes(v);
    }

    private short getShort(int field) {
        short v = buffer.getShort(offset + field);
        return bigEndian ? v : Short.reverseBytes(v);
    }

    private void putLong(int field, long v) {
        buffer.putLong(offset + field, bigEndian ? v : Long.reverseBytes(v));
    }

    private void putInt(int field, int v) {
        buffer.putInt(offset + field, bigEndian ? v : Integer.reverseBytes(v));
    }

    private void putShort(int field, short v) {
        buffer.putShort(offset + field, bigEndian ? v : Short.reverseBytes(v));
    }
}
