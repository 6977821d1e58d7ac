package io.piste.storage.record;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** Builds uncompressed magic v2 batches for tests, without kafka-clients. */
public final class TestBatches {
    private long baseOffset;
    private int recordCount = 1;
    private long baseTimestamp = 1_000L;
    private long timestampStepMs = 1;
    private long producerId = -1;
    private short producerEpoch = -1;
    private int baseSequence = -1;
    private boolean control;
    private boolean transactional;
    private int valueBytes = 10;
    private String valuePrefix = "value-";

    public static TestBatches builder() {
        return new TestBatches();
    }

    /** A batch of {@code records} records with timestamps starting at {@code baseTimestamp}. */
    public static ByteBuffer batch(int records, long baseTimestamp) {
        return builder().records(records).timestamp(baseTimestamp).build();
    }

    public TestBatches baseOffset(long value) {
        baseOffset = value;
        return this;
    }

    public TestBatches records(int value) {
        recordCount = value;
        return this;
    }

    public TestBatches timestamp(long value) {
        baseTimestamp = value;
        return this;
    }

    public TestBatches timestampStep(long value) {
        timestampStepMs = value;
        return this;
    }

    public TestBatches producer(long id, short epoch, int firstSequence) {
        producerId = id;
        producerEpoch = epoch;
        baseSequence = firstSequence;
        return this;
    }

    public TestBatches control(boolean value) {
        control = value;
        return this;
    }

    public TestBatches transactional(boolean value) {
        transactional = value;
        return this;
    }

    /** Pads each value to at least this many bytes. */
    public TestBatches valueBytes(int value) {
        valueBytes = value;
        return this;
    }

    public TestBatches valuePrefix(String value) {
        valuePrefix = value;
        return this;
    }

    public ByteBuffer build() {
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        long maxTimestamp = -1;
        for (int i = 0; i < recordCount; i++) {
            long ts = baseTimestamp + i * timestampStepMs;
            maxTimestamp = Math.max(maxTimestamp, ts);
            StringBuilder value = new StringBuilder(valuePrefix).append(i);
            while (value.length() < valueBytes) {
                value.append('x');
            }
            writeRecord(
                    records,
                    ts - baseTimestamp,
                    i,
                    ("key-" + i).getBytes(StandardCharsets.UTF_8),
                    value.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = records.toByteArray();
        ByteBuffer buf = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE + body.length);
        int attributes = (transactional ? 0x10 : 0) | (control ? 0x20 : 0);
        buf.putLong(baseOffset)
                .putInt(buf.capacity() - RecordBatchView.LOG_OVERHEAD)
                .putInt(-1)
                .put(RecordBatchView.MAGIC_V2)
                .putInt(0)
                .putShort((short) attributes)
                .putInt(recordCount - 1)
                .putLong(baseTimestamp)
                .putLong(maxTimestamp)
                .putLong(producerId)
                .putShort(producerEpoch)
                .putInt(baseSequence)
                .putInt(recordCount)
                .put(body);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), RecordBatchView.ATTRIBUTES_OFFSET, buf.capacity() - RecordBatchView.ATTRIBUTES_OFFSET);
        buf.putInt(RecordBatchView.CRC_OFFSET, (int) crc.getValue());
        buf.flip();
        return buf;
    }

    /** All the buffers' remaining bytes, one after the other. */
    public static ByteBuffer concat(ByteBuffer... buffers) {
        int size = 0;
        for (ByteBuffer b : buffers) {
            size += b.remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (ByteBuffer b : buffers) {
            out.put(b.duplicate());
        }
        out.flip();
        return out;
    }

    private static void writeRecord(
            ByteArrayOutputStream out, long timestampDelta, int offsetDelta, byte[] key, byte[] value) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0);
        writeVarlong(body, timestampDelta);
        writeVarlong(body, offsetDelta);
        writeVarlong(body, key.length);
        body.writeBytes(key);
        writeVarlong(body, value.length);
        body.writeBytes(value);
        writeVarlong(body, 0);
        writeVarlong(out, body.size());
        out.writeBytes(body.toByteArray());
    }

    private static void writeVarlong(ByteArrayOutputStream out, long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
