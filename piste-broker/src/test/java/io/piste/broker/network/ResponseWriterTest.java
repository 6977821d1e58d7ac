package io.piste.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;

class ResponseWriterTest {

    @Test
    void shouldEncodeAResponseWithRecordsInEveryPartitionIntoOneBuffer() {
        short version = ApiKeys.FETCH.latestVersion(false);
        short headerVersion = ApiKeys.FETCH.responseHeaderVersion(version);
        FetchableTopicResponse topic = new FetchableTopicResponse().setTopic("t");
        for (int p = 0; p < 1_000; p++) {
            topic.partitions()
                    .add(new PartitionData()
                            .setPartitionIndex(p)
                            .setRecords(MemoryRecords.withRecords(
                                    Compression.NONE, new SimpleRecord(("v" + p).getBytes()))));
        }
        FetchResponseData response = new FetchResponseData();
        response.responses().add(topic);
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ChannelHandlerContext ctx = channel.pipeline().firstContext();

        ResponseWriter.write(ctx, 43, headerVersion, response, version);
        channel.flush();

        assertThat(channel.outboundMessages())
                .as("an encoded part before and after each partition's records")
                .hasSize(2 * 1_000 + 1);
        Set<ByteBuf> encodedBuffers = Collections.newSetFromMap(new IdentityHashMap<>());
        ByteBuf all = Unpooled.buffer();
        int index = 0;
        for (Object part; (part = channel.readOutbound()) != null; index++) {
            ByteBuf buf = (ByteBuf) part;
            if (index % 2 == 0) {
                encodedBuffers.add(root(buf));
            }
            all.writeBytes(buf);
            buf.release();
        }
        assertThat(encodedBuffers)
                .as("slices of one buffer, not a buffer per partition")
                .hasSize(1);
        ByteBuffer frame = all.nioBuffer();
        assertThat(frame.getInt()).isEqualTo(frame.remaining());
        assertThat(ResponseHeader.parse(frame, headerVersion).correlationId()).isEqualTo(43);
        FetchResponseData decoded = new FetchResponseData(new ByteBufferAccessor(frame), version);
        assertThat(decoded.responses().get(0).partitions()).hasSize(1_000);
        MemoryRecords last =
                (MemoryRecords) decoded.responses().get(0).partitions().get(999).records();
        assertThat(last.records().iterator().next().value()).isEqualTo(ByteBuffer.wrap("v999".getBytes()));
        all.release();
        channel.finishAndReleaseAll();
    }

    /** The buffer under any slices and wrappers (a leak detector may wrap what the allocator returns). */
    private static ByteBuf root(ByteBuf buf) {
        ByteBuf root = buf;
        while (root.unwrap() != null) {
            root = root.unwrap();
        }
        return root;
    }

    @Test
    void shouldWriteEmptyPartitionsWithoutSwitchingBuffers() {
        short version = ApiKeys.FETCH.latestVersion(false);
        short headerVersion = ApiKeys.FETCH.responseHeaderVersion(version);
        FetchableTopicResponse topic = new FetchableTopicResponse().setTopic("t");
        for (int p = 0; p < 1_000; p++) {
            topic.partitions()
                    .add(new PartitionData()
                            .setPartitionIndex(p)
                            .setRecords(
                                    p == 500
                                            ? MemoryRecords.withRecords(
                                                    Compression.NONE, new SimpleRecord("v".getBytes()))
                                            : MemoryRecords.EMPTY));
        }
        FetchResponseData response = new FetchResponseData().setSessionId(7);
        response.responses().add(topic);
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ChannelHandlerContext ctx = channel.pipeline().firstContext();

        ResponseWriter.write(ctx, 42, headerVersion, response, version);
        channel.flush();

        assertThat(channel.outboundMessages())
                .as("encoded part, records, encoded rest")
                .hasSize(3);
        ByteBuf all = Unpooled.buffer();
        for (Object part; (part = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) part;
            all.writeBytes(buf);
            buf.release();
        }
        ByteBuffer frame = all.nioBuffer();
        assertThat(frame.getInt()).isEqualTo(frame.remaining());
        assertThat(ResponseHeader.parse(frame, headerVersion).correlationId()).isEqualTo(42);
        FetchResponseData decoded = new FetchResponseData(new ByteBufferAccessor(frame), version);
        assertThat(decoded.sessionId()).isEqualTo(7);
        assertThat(decoded.responses().get(0).partitions()).hasSize(1_000);
        assertThat(decoded.responses().get(0).partitions().get(500).records().sizeInBytes())
                .isPositive();
        assertThat(decoded.responses().get(0).partitions().get(499).records().sizeInBytes())
                .isZero();
        all.release();
        channel.finishAndReleaseAll();
    }
}
