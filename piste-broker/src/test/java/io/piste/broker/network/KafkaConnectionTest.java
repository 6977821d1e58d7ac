package io.piste.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.piste.broker.protocol.ApiVersionsTable;
import io.piste.broker.protocol.RequestContext;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;

class KafkaConnectionTest {

    private final ApiVersionsTable table = new ApiVersionsTable(EnumSet.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA));
    private final List<RequestContext> received = new ArrayList<>();

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(
                new LengthFieldBasedFrameDecoder(1024, 0, 4, 0, 4), new KafkaConnection(received::add, table));
    }

    /** A connection whose handler mutes it for {@code muteMs} on the request with correlation id 1. */
    private EmbeddedChannel mutingChannel(long muteMs) {
        EmbeddedChannel channel = new EmbeddedChannel(
                new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4),
                new KafkaConnection(
                        context -> {
                            received.add(context);
                            if (context.header().correlationId() == 1) {
                                context.muteConnectionFor(muteMs);
                            }
                        },
                        table));
        channel.freezeTime();
        return channel;
    }

    private static ByteBuf metadataFrame(int correlationId) {
        short version = 12;
        return frame(
                new RequestHeader(ApiKeys.METADATA, version, "c", correlationId),
                new MetadataRequest(new MetadataRequestData(), version));
    }

    private static ByteBuf metadataFrames(int firstCorrelationId, int count) {
        ByteBuf frames = Unpooled.buffer();
        for (int i = 0; i < count; i++) {
            ByteBuf one = metadataFrame(firstCorrelationId + i);
            frames.writeBytes(one);
            one.release();
        }
        return frames;
    }

    @Test
    void shouldReadNoRequestWhileMutedEvenOneAlreadyReceived() {
        EmbeddedChannel channel = mutingChannel(500);
        // Both requests arrive in one read, as two fetches sent back to back.
        channel.writeInbound(metadataFrames(1, 2));
        received.get(0).respond(new MetadataResponseData());
        readResponse(channel);

        assertThat(received).as("the second request waits for the mute").hasSize(1);
        assertThat(channel.config().isAutoRead()).isFalse();
        channel.advanceTimeBy(499, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(received).hasSize(1);

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(received).as("read once the mute is over").hasSize(2);
        assertThat(channel.config().isAutoRead()).isTrue();
        channel.writeInbound(metadataFrame(3));
        assertThat(received).hasSize(3);
    }

    @Test
    void shouldStayMutedWhenTheInFlightBoundLifts() {
        EmbeddedChannel channel = mutingChannel(500);
        channel.writeInbound(metadataFrames(1, KafkaConnection.MAX_IN_FLIGHT));
        assertThat(channel.config().isAutoRead()).isFalse();
        for (RequestContext context : received) {
            context.respond(new MetadataResponseData());
        }
        assertThat(channel.config().isAutoRead())
                .as("answers must not lift the mute")
                .isFalse();

        channel.advanceTimeBy(500, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.config().isAutoRead()).isTrue();
        channel.releaseOutbound();
    }

    @Test
    void shouldStayStoppedByTheInFlightBoundWhenTheMuteEnds() {
        EmbeddedChannel channel = mutingChannel(500);
        channel.writeInbound(metadataFrames(1, KafkaConnection.MAX_IN_FLIGHT));

        channel.advanceTimeBy(500, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.config().isAutoRead())
                .as("64 requests still unanswered")
                .isFalse();

        for (RequestContext context : received) {
            context.respond(new MetadataResponseData());
        }
        assertThat(channel.config().isAutoRead()).isTrue();
        channel.releaseOutbound();
    }

    private static ByteBuf frame(RequestHeader header, org.apache.kafka.common.requests.AbstractRequest request) {
        ByteBuffer body = request.serializeWithHeader(header);
        ByteBuf frame = Unpooled.buffer(4 + body.remaining());
        frame.writeInt(body.remaining());
        frame.writeBytes(body);
        return frame;
    }

    private static ByteBuffer readResponse(EmbeddedChannel channel) {
        ByteBuf out = channel.readOutbound();
        assertThat(out).as("a response was written").isNotNull();
        int size = out.readInt();
        assertThat(out.readableBytes()).isEqualTo(size);
        ByteBuffer buffer = ByteBuffer.allocate(size);
        out.readBytes(buffer);
        out.release();
        return buffer.flip();
    }

    @Test
    void shouldAnswerInRequestOrderWhenLaterRequestCompletesFirst() {
        EmbeddedChannel channel = channel();
        short metadataVersion = 12;
        channel.writeInbound(frame(
                new RequestHeader(ApiKeys.METADATA, metadataVersion, "c", 1),
                new MetadataRequest(new MetadataRequestData(), metadataVersion)));
        channel.writeInbound(frame(
                new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "c", 2),
                new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 3)));
        assertThat(received).hasSize(2);

        received.get(1).respond(table.response(Errors.NONE.code()));
        assertThat(channel.<Object>readOutbound())
                .as("second answer waits for the first")
                .isNull();

        received.get(0).respond(new MetadataResponseData().setClusterId("x"));
        ByteBuffer first = readResponse(channel);
        assertThat(ResponseHeader.parse(first, ApiKeys.METADATA.responseHeaderVersion(metadataVersion))
                        .correlationId())
                .isEqualTo(1);
        ByteBuffer second = readResponse(channel);
        assertThat(ResponseHeader.parse(second, (short) 0).correlationId()).isEqualTo(2);
        ApiVersionsResponseData versions = (ApiVersionsResponseData) AbstractResponse.parseResponse(
                        ApiKeys.API_VERSIONS, new org.apache.kafka.common.protocol.ByteBufferAccessor(second), (short)
                                3)
                .data();
        assertThat(versions.apiKeys()).hasSize(2);
    }

    @Test
    void shouldCancelOnlyTheUnansweredRequestsWhenTheConnectionCloses() {
        EmbeddedChannel channel = channel();
        short metadataVersion = 12;
        channel.writeInbound(frame(
                new RequestHeader(ApiKeys.METADATA, metadataVersion, "c", 1),
                new MetadataRequest(new MetadataRequestData(), metadataVersion)));
        channel.writeInbound(frame(
                new RequestHeader(ApiKeys.METADATA, metadataVersion, "c", 2),
                new MetadataRequest(new MetadataRequestData(), metadataVersion)));
        List<Integer> cancelled = new ArrayList<>();
        received.get(0).onConnectionClosed(() -> cancelled.add(1));
        received.get(1).onConnectionClosed(() -> cancelled.add(2));
        received.get(0).respond(new MetadataResponseData().setClusterId("x"));
        readResponse(channel);

        channel.close();

        assertThat(cancelled).containsExactly(2);
        received.get(1).onConnectionClosed(() -> cancelled.add(3));
        assertThat(cancelled).as("registered after the close: run at once").containsExactly(2, 3);
    }

    @Test
    void shouldCancelEveryUnansweredRequestWhenACancelAnswersItsOwn() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(metadataFrames(1, 3));
        List<Integer> cancelled = new ArrayList<>();
        // A cancel that answers its request (which nobody will read) runs code that touches the queue.
        received.get(0).onConnectionClosed(() -> {
            cancelled.add(1);
            received.get(0).respond(new MetadataResponseData());
        });
        // Answered, but waiting behind the first: the first one's answer lets it go too.
        received.get(1).respond(new MetadataResponseData());
        received.get(2).onConnectionClosed(() -> cancelled.add(3));

        channel.close();

        assertThat(cancelled).containsExactly(1, 3);
        assertThat(channel.<Object>readOutbound()).isNull();
    }

    @Test
    void shouldAnswerUnsupportedApiVersionsVersionWithV0Error() {
        EmbeddedChannel channel = channel();
        ByteBuf frame = Unpooled.buffer();
        frame.writeInt(0);
        frame.writeShort(ApiKeys.API_VERSIONS.id);
        frame.writeShort(99);
        frame.writeInt(7);
        frame.writeShort(-1);
        frame.setInt(0, frame.readableBytes() - 4);
        channel.writeInbound(frame);
        ByteBuffer response = readResponse(channel);
        assertThat(ResponseHeader.parse(response, (short) 0).correlationId()).isEqualTo(7);
        ApiVersionsResponseData data = new ApiVersionsResponseData();
        data.read(new org.apache.kafka.common.protocol.ByteBufferAccessor(response), (short) 0);
        assertThat(data.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(data.apiKeys()).isNotEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void shouldCloseOnOversizedFrame() {
        EmbeddedChannel channel = channel();
        ByteBuf frame = Unpooled.buffer();
        frame.writeInt(1_000_000);
        frame.writeZero(16);
        try {
            channel.writeInbound(frame);
        } catch (RuntimeException expected) {
            // EmbeddedChannel rethrows what the pipeline saw; the connection handler closed the channel
        }
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldCloseOnUnknownApiKey() {
        EmbeddedChannel channel = channel();
        ByteBuf frame = Unpooled.buffer();
        frame.writeInt(10);
        frame.writeShort(9999);
        frame.writeShort(0);
        frame.writeInt(1);
        frame.writeShort(-1);
        channel.writeInbound(frame);
        assertThat(channel.isOpen()).isFalse();
        assertThat(received).isEmpty();
    }

    @Test
    void shouldReadOneRequestAtATimePerConnectionOnceTheBrokerHoldsQueuedMaxRequests() {
        QueuedRequests queued = new QueuedRequests(2);
        List<RequestContext> first = new ArrayList<>();
        List<RequestContext> second = new ArrayList<>();
        EmbeddedChannel one = new EmbeddedChannel(
                new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4), new KafkaConnection(first::add, table, queued));
        EmbeddedChannel two = new EmbeddedChannel(
                new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4), new KafkaConnection(second::add, table, queued));

        // Two requests in one read: both are handled, and the broker now holds its bound.
        one.writeInbound(metadataFrames(1, 2));
        assertThat(first).hasSize(2);
        assertThat(queued.isFull()).isTrue();
        one.writeInbound(metadataFrame(3));
        assertThat(first).as("a connection with unanswered requests waits").hasSize(2);
        assertThat(one.config().isAutoRead()).isFalse();

        // Another connection with nothing pending still gets its next request read, but only that one.
        two.writeInbound(metadataFrames(10, 2));
        assertThat(second).extracting(c -> c.header().correlationId()).containsExactly(10);
        assertThat(two.config().isAutoRead()).isFalse();
        assertThat(queued.size()).isEqualTo(3);

        first.get(0).respond(new MetadataResponseData());
        readResponse(one);
        assertThat(first).as("still one unanswered request on this connection").hasSize(2);
        first.get(1).respond(new MetadataResponseData());
        readResponse(one);
        assertThat(first)
                .as("read once its own answers are out")
                .extracting(c -> c.header().correlationId())
                .containsExactly(1, 2, 3);

        second.get(0).respond(new MetadataResponseData());
        readResponse(two);
        assertThat(second).extracting(c -> c.header().correlationId()).containsExactly(10, 11);
        first.get(2).respond(new MetadataResponseData());
        second.get(1).respond(new MetadataResponseData());
        readResponse(one);
        readResponse(two);
        assertThat(queued.size()).isZero();
        assertThat(one.config().isAutoRead()).isTrue();
        assertThat(two.config().isAutoRead()).isTrue();

        // Below the bound a connection pipelines again.
        one.writeInbound(metadataFrames(4, 2));
        assertThat(first).hasSize(5);
        one.close();
        two.close();
        assertThat(queued.size())
                .as("a closed connection's unanswered requests leave the count")
                .isZero();
    }
}
