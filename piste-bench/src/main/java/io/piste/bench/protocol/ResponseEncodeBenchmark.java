package io.piste.bench.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.piste.bench.fixture.TempDirs;
import io.piste.broker.protocol.FileSliceRecords;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
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
 * Encoding one response as the broker's {@code ResponseWriter} does (size, header, body into a pooled buffer;
 * fetched records as file regions between the encoded parts), then the flush that hands it to the channel.
 * An {@link EmbeddedChannel} stands in for the socket: what is written is released at once, nothing is sent.
 *
 * <p>{@code ResponseWriter} is package-private to the broker's network package and stays so; it is reached
 * once through reflection into a constant method handle (no cost per call after inlining).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ResponseEncodeBenchmark {
    private static final MethodHandle WRITE = responseWriter();

    @Param({"1", "16"})
    int partitions;

    private Path dir;
    private FileChannel segment;
    private EmbeddedChannel channel;
    private ChannelHandlerContext ctx;
    private ProduceResponseData produceResponse;
    private FetchResponseData fetchResponse;
    private short produceVersion;
    private short fetchVersion;

    private static MethodHandle responseWriter() {
        try {
            Class<?> writer = Class.forName("io.piste.broker.network.ResponseWriter");
            Method write = writer.getDeclaredMethod(
                    "write", ChannelHandlerContext.class, int.class, short.class, ApiMessage.class, short.class);
            write.setAccessible(true);
            return MethodHandles.lookup().unreflect(write);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ResponseWriter.write not found; update this benchmark", e);
        }
    }

    @Setup
    public void setUp() throws IOException {
        dir = TempDirs.create("encode");
        segment = FileChannel.open(
                dir.resolve("0.log"), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        segment.write(ByteBuffer.allocate(16384 * partitions), 0);
        channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext context) {
                ctx = context;
            }
        });
        produceVersion = ApiKeys.PRODUCE.latestVersion(false);
        fetchVersion = ApiKeys.FETCH.latestVersion(false);
        produceResponse = produceResponse(partitions);
        fetchResponse = fetchResponse(partitions, segment);
    }

    private static ProduceResponseData produceResponse(int partitions) {
        TopicProduceResponse topic =
                new TopicProduceResponse().setName(RequestFrames.TOPIC).setTopicId(RequestFrames.TOPIC_ID);
        for (int p = 0; p < partitions; p++) {
            topic.partitionResponses()
                    .add(new PartitionProduceResponse()
                            .setIndex(p)
                            .setBaseOffset(1_000_000L * p)
                            .setLogAppendTimeMs(-1)
                            .setLogStartOffset(0));
        }
        ProduceResponseData response = new ProduceResponseData();
        response.responses().add(topic);
        return response;
    }

    private static FetchResponseData fetchResponse(int partitions, FileChannel segment) {
        FetchableTopicResponse topic =
                new FetchableTopicResponse().setTopic(RequestFrames.TOPIC).setTopicId(RequestFrames.TOPIC_ID);
        for (int p = 0; p < partitions; p++) {
            topic.partitions()
                    .add(new PartitionData()
                            .setPartitionIndex(p)
                            .setHighWatermark(2_000_000L)
                            .setLastStableOffset(2_000_000L)
                            .setLogStartOffset(0)
                            .setRecords(new FileSliceRecords(segment, 16384L * p, 16384)));
        }
        return new FetchResponseData().setResponses(new java.util.ArrayList<>(java.util.List.of(topic)));
    }

    @TearDown
    public void tearDown() throws IOException {
        channel.finishAndReleaseAll();
        segment.close();
        TempDirs.delete(dir);
    }

    @Benchmark
    public int encodeProduceResponse() throws Throwable {
        return encode(produceResponse, produceVersion, ApiKeys.PRODUCE);
    }

    @Benchmark
    public int encodeFetchResponse() throws Throwable {
        return encode(fetchResponse, fetchVersion, ApiKeys.FETCH);
    }

    private int encode(ApiMessage body, short version, ApiKeys key) throws Throwable {
        WRITE.invokeExact(ctx, 42, key.responseHeaderVersion(version), body, version);
        ctx.flush();
        int written = 0;
        Object message;
        while ((message = channel.readOutbound()) != null) {
            written++;
            ReferenceCountUtil.release(message);
        }
        return written;
    }
}
