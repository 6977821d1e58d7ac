package io.piste.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.piste.broker.protocol.FileSliceRecords;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Serializes one response (size prefix, header, body) onto a channel with the generated message writers.
 *
 * <p>Records stay out of the copy: a {@link FileSliceRecords} becomes a file region and a {@link MemoryRecords}
 * a wrapped buffer, written between the encoded parts. Not thread-safe: used on the channel's event loop.
 *
 * <p>Every part is written with the void promise: nobody waits on a single part, and a failed write reaches
 * {@code KafkaConnection.exceptionCaught}, which closes the connection, instead of a promise nobody reads (a
 * fetch response of P partitions is 2P+1 writes: this saves as many promise objects).
 */
final class ResponseWriter implements Writable {

    private final ChannelHandlerContext ctx;
    /** The whole encoded part of the response; handed to the channel in slices between the records. */
    private final ByteBuf buf;
    /** Where the encoded bytes not yet handed to the channel start. */
    private int handedOverTo;

    private ResponseWriter(ChannelHandlerContext ctx, int encodedBytes) {
        this.ctx = ctx;
        this.buf = ctx.alloc().ioBuffer(encodedBytes);
    }

    /** Writes the response without flushing; the caller flushes once per batch of responses. */
    static void write(
            ChannelHandlerContext ctx, int correlationId, short headerVersion, ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        ResponseWriter writer = new ResponseWriter(ctx, 4 + size.sizeExcludingZeroCopy());
        try {
            writer.writeInt(size.totalSize());
            header.write(writer, cache, headerVersion);
            body.write(writer, cache, version);
        } catch (RuntimeException e) {
            writer.buf.release();
            throw e;
        }
        writer.finish();
    }

    private void finish() {
        flushEncoded();
        buf.release();
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof FileSliceRecords slice) {
            if (slice.sizeInBytes() == 0) {
                return;
            }
            flushEncoded();
            ctx.write(new SharedFileRegion(slice.channel(), slice.position(), slice.sizeInBytes()), ctx.voidPromise());
        } else if (records instanceof MemoryRecords memory) {
            // Nothing to send: no slice, no write.
            if (memory.sizeInBytes() == 0) {
                return;
            }
            flushEncoded();
            ctx.write(Unpooled.wrappedBuffer(memory.buffer().duplicate()), ctx.voidPromise());
        } else {
            throw new IllegalArgumentException(
                    "cannot write records of type " + records.getClass().getName());
        }
    }

    /**
     * Hands the bytes encoded since the last call to the channel, as a slice of the one buffer: a response with
     * records in P partitions allocates its encoded size once, not a buffer for the rest of it at each of them.
     */
    private void flushEncoded() {
        int length = buf.writerIndex() - handedOverTo;
        if (length > 0) {
            ctx.write(buf.retainedSlice(handedOverTo, length), ctx.voidPromise());
            handedOverTo = buf.writerIndex();
        }
    }

    @Override
    public void writeByte(byte val) {
        buf.writeByte(val);
    }

    @Override
    public void writeShort(short val) {
        buf.writeShort(val);
    }

    @Override
    public void writeInt(int val) {
        buf.writeInt(val);
    }

    @Override
    public void writeLong(long val) {
        buf.writeLong(val);
    }

    @Override
    public void writeDouble(double val) {
        buf.writeLong(Double.doubleToRawLongBits(val));
    }

    @Override
    public void writeByteArray(byte[] arr) {
        buf.writeBytes(arr);
    }

    @Override
    public void writeUnsignedVarint(int i) {
        int value = i;
        while ((value & 0xffffff80) != 0) {
            buf.writeByte((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        buf.writeByte(value);
    }

    @Override
    public void writeByteBuffer(ByteBuffer src) {
        buf.writeBytes(src.duplicate());
    }

    @Override
    public void writeVarint(int i) {
        writeUnsignedVarint((i << 1) ^ (i >> 31));
    }

    @Override
    public void writeVarlong(long i) {
        long value = (i << 1) ^ (i >> 63);
        while ((value & 0xffffffffffffff80L) != 0L) {
            buf.writeByte(((int) value & 0x7f) | 0x80);
            value >>>= 7;
        }
        buf.writeByte((int) value);
    }
}
