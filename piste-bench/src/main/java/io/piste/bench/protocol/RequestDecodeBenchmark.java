package io.piste.bench.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding one request frame the way {@code KafkaConnection.readRequest} does: the frame's NIO view, the
 * request header, then the body with the generated kafka-clients reader. The frame sits in a pooled direct
 * buffer as Netty's frame decoder hands it over; the records of a produce request stay a view of it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestDecodeBenchmark {

    @Param({"1", "16"})
    int partitions;

    private ByteBuf produceFrame;
    private ByteBuf fetchFrame;

    @Setup
    public void buildFrames() {
        produceFrame = direct(RequestFrames.produce(partitions, "none"));
        fetchFrame = direct(RequestFrames.fetch(partitions));
    }

    private static ByteBuf direct(ByteBuffer frame) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(frame.remaining());
        buf.writeBytes(frame);
        return buf;
    }

    @TearDown
    public void release() {
        produceFrame.release();
        fetchFrame.release();
    }

    @Benchmark
    public AbstractRequest decodeProduce() {
        return decode(produceFrame);
    }

    @Benchmark
    public AbstractRequest decodeFetch() {
        return decode(fetchFrame);
    }

    private static AbstractRequest decode(ByteBuf frame) {
        ByteBuffer buffer = frame.nioBuffer();
        RequestHeader header = RequestHeader.parse(buffer);
        return AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(), new ByteBufferAccessor(buffer))
                .request;
    }
}
