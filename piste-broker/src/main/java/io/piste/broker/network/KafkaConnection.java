package io.piste.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.piste.broker.protocol.ApiVersionsTable;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import io.piste.broker.protocol.RequestObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: decodes each frame into a request, hands it to the handler, and writes the answers
 * in request order however they complete (Kafka clients match responses to requests by order).
 *
 * <p>At most {@link #MAX_IN_FLIGHT} requests wait for answers; beyond that the connection stops reading, so
 * a client cannot make the broker queue without bound. When the connection closes, each request still unanswered
 * is told (see {@link RequestContext#onConnectionClosed}), so that a parked fetch ends with its connection. A handler
 * may also mute the connection for a while ({@link RequestContext#muteConnectionFor}, a throttled fetch): it then
 * reads nothing until the time has passed. Reading resumes only when neither holds it back, and frames the decoder
 * had already cut from bytes read before are kept, in order, until then (at most what one socket read brought).
 * Once the listener holds {@code queued.max.requests} unanswered requests over all its connections
 * ({@link QueuedRequests}), a connection with an unanswered request reads nothing more until it is answered.
 * A connection idle for {@code connections.max.idle.ms} (an {@link IdleStateEvent} from the pipeline) is closed
 * unless the client waits for an answer, as Kafka's socket server closes idle connections.
 * All state is touched on the channel's event loop.
 */
final class KafkaConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(KafkaConnection.class);
    static final int MAX_IN_FLIGHT = 64;

    private final RequestHandler handler;
    private final ApiVersionsTable apiVersions;
    private final QueuedRequests queued;
    private final RequestObserver observer;
    private final ArrayDeque<PendingResponse> pending = new ArrayDeque<>();
    /** Frames decoded while reading was held back; handled once it may resume. */
    private final ArrayDeque<ByteBuf> deferred = new ArrayDeque<>();

    private ChannelHandlerContext ctx;
    private boolean closed;
    /** Reading held back by the in-flight bound: set at MAX_IN_FLIGHT, cleared below half of it. */
    private boolean inFlightFull;
    /** Reading held back by a mute until this timer runs; null if not muted. */
    private ScheduledFuture<?> mute;

    private boolean drainingDeferred;

    KafkaConnection(RequestHandler handler, ApiVersionsTable apiVersions) {
        this(handler, apiVersions, QueuedRequests.UNBOUNDED);
    }

    KafkaConnection(RequestHandler handler, ApiVersionsTable apiVersions, QueuedRequests queued) {
        this(handler, apiVersions, queued, RequestObserver.NONE);
    }

    KafkaConnection(
            RequestHandler handler, ApiVersionsTable apiVersions, QueuedRequests queued, RequestObserver observer) {
        this.handler = handler;
        this.apiVersions = apiVersions;
        this.queued = queued;
        this.observer = observer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        if (closed) {
            frame.release();
        } else if (!mayRead() || !deferred.isEmpty()) {
            deferred.addLast(frame);
        } else {
            handleFrame(frame);
        }
    }

    private void handleFrame(ByteBuf frame) {
        try {
            readRequest(frame.nioBuffer());
        } finally {
            frame.release();
        }
    }

    private boolean mayRead() {
        // Past the broker-wide bound, one request at a time: this connection waits for its own answers first.
        return !closed && !inFlightFull && mute == null && !(queued.isFull() && !pending.isEmpty());
    }

    private void enqueue(PendingResponse slot) {
        pending.addLast(slot);
        queued.added();
    }

    /**
     * Applies both holds on reading to the channel's autoRead, so that neither undoes the other, and handles the
     * deferred frames once neither holds.
     */
    private void updateReading() {
        if (pending.size() >= MAX_IN_FLIGHT) {
            inFlightFull = true;
        } else if (pending.size() < MAX_IN_FLIGHT / 2) {
            inFlightFull = false;
        }
        if (mayRead() && !drainingDeferred) {
            drainingDeferred = true;
            try {
                while (mayRead() && !deferred.isEmpty()) {
                    handleFrame(deferred.pollFirst());
                }
            } finally {
                drainingDeferred = false;
            }
        }
        boolean read = mayRead() && deferred.isEmpty();
        if (!closed && ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    private void muteFor(long millis) {
        if (closed) {
            return;
        }
        if (mute != null) {
            mute.cancel(false);
        }
        mute = ctx.executor().schedule(this::unmute, millis, TimeUnit.MILLISECONDS);
        updateReading();
    }

    private void unmute() {
        mute = null;
        updateReading();
    }

    private void readRequest(ByteBuffer buffer) {
        if (isUnsupportedApiVersionsRequest(buffer)) {
            // Its header may be of a version we cannot parse, but every header version starts with
            // api key, api version and correlation id, which is all the v0 error answer needs.
            answerUnsupportedApiVersions(buffer.getInt(buffer.position() + 4));
            return;
        }
        RequestHeader header;
        try {
            header = RequestHeader.parse(buffer);
        } catch (RuntimeException e) {
            closeWithReason("unreadable request header (" + e.getMessage() + ")");
            return;
        }
        ApiKeys key = header.apiKey();
        short version = header.apiVersion();
        if (!apiVersions.isSupported(key, version)) {
            answerUnsupported(header);
            return;
        }
        AbstractRequest request;
        try {
            request = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(buffer)).request;
        } catch (RuntimeException e) {
            closeWithReason("unreadable " + key + " v" + version + " request (" + e.getMessage() + ")");
            return;
        }
        PendingResponse slot = new PendingResponse(header);
        enqueue(slot);
        updateReading();
        RequestContext context = new RequestContext(
                header, request, ctx.channel().remoteAddress(), ctx.channel().eventLoop(), slot, observer);
        try {
            handler.handle(context);
        } catch (RuntimeException e) {
            log.error("{} failed", context, e);
            if (!slot.done) {
                context.respondWithError(e);
            }
        }
    }

    private static boolean isUnsupportedApiVersionsRequest(ByteBuffer buffer) {
        if (buffer.remaining() < 8 || buffer.getShort(buffer.position()) != ApiKeys.API_VERSIONS.id) {
            return false;
        }
        short version = buffer.getShort(buffer.position() + 2);
        return version < ApiKeys.API_VERSIONS.oldestVersion() || version > ApiKeys.API_VERSIONS.latestVersion();
    }

    /** Kafka's answer to an ApiVersions version it does not know: UNSUPPORTED_VERSION at v0, with the table. */
    private void answerUnsupportedApiVersions(int correlationId) {
        PendingResponse slot = new PendingResponse(correlationId, (short) 0, (short) 0);
        enqueue(slot);
        slot.complete(apiVersions.response(Errors.UNSUPPORTED_VERSION.code()));
    }

    /** Any other API at a version Piste does not serve: a closed connection, as Kafka does. */
    private void answerUnsupported(RequestHeader header) {
        closeWithReason("unsupported " + header.apiKey() + " version " + header.apiVersion());
    }

    private void closeWithReason(String reason) {
        log.warn("Closing connection from {}: {}", ctx.channel().remoteAddress(), reason);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        if (mute != null) {
            mute.cancel(false);
            mute = null;
        }
        while (!deferred.isEmpty()) {
            deferred.pollFirst().release();
        }
        // Nothing can be written any more: let go of the answers and the requests they belong to. Copied first, as
        // a cancel may run code that touches the queue.
        List<PendingResponse> unanswered = new ArrayList<>(pending);
        pending.clear();
        queued.removed(unanswered.size());
        for (PendingResponse slot : unanswered) {
            slot.cancelIfUnanswered();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            // A client waiting for an answer (a parked fetch, a join) is not idle, nor one whose requests we hold back.
            if (pending.isEmpty() && deferred.isEmpty()) {
                log.debug(
                        "Closing connection from {}: idle for connections.max.idle.ms",
                        ctx.channel().remoteAddress());
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            // an oversized or negative frame length: the stream cannot be resynchronised
            closeWithReason(cause.getMessage());
        } else if (cause instanceof IOException) {
            log.debug("Connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            log.warn("Closing connection from {} after an error", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }

    /** Writes every answer that is ready at the head of the queue. Runs on the event loop. */
    private void writeReadyResponses() {
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peekFirst().done) {
            PendingResponse head = pending.pollFirst();
            queued.removed(1);
            if (head.response != null && ctx.channel().isActive()) {
                try {
                    ResponseWriter.write(ctx, head.correlationId, head.headerVersion, head.response, head.apiVersion);
                    wrote = true;
                } catch (RuntimeException e) {
                    // The client would wait for this answer forever; a closed connection makes it retry.
                    log.error(
                            "Could not write the response to request {}; closing the connection",
                            head.correlationId,
                            e);
                    ctx.close();
                    return;
                }
            }
        }
        if (wrote) {
            ctx.flush();
        }
        updateReading();
    }

    private final class PendingResponse implements RequestContext.ResponseSlot {
        final int correlationId;
        final short headerVersion;
        final short apiVersion;
        ApiMessage response;
        boolean done;
        Runnable onClose;

        PendingResponse(RequestHeader header) {
            this(
                    header.correlationId(),
                    header.apiKey().responseHeaderVersion(header.apiVersion()),
                    header.apiVersion());
        }

        PendingResponse(int correlationId, short headerVersion, short apiVersion) {
            this.correlationId = correlationId;
            this.headerVersion = headerVersion;
            this.apiVersion = apiVersion;
        }

        @Override
        public void complete(ApiMessage answer) {
            if (ctx.executor().inEventLoop()) {
                completeOnLoop(answer);
            } else if (!ctx.executor().isShuttingDown()) {
                // A broker shutting down closes its connections: an answer completing late has no one to reach.
                ctx.executor().execute(() -> completeOnLoop(answer));
            }
        }

        @Override
        public void onConnectionClosed(Runnable cancel) {
            if (closed) {
                cancel.run();
            } else {
                onClose = cancel;
            }
        }

        @Override
        public void muteFor(long millis) {
            KafkaConnection.this.muteFor(millis);
        }

        @Override
        public void completeAndClose() {
            complete(null);
            ctx.close();
        }

        void cancelIfUnanswered() {
            Runnable cancel = onClose;
            onClose = null;
            if (!done && cancel != null) {
                try {
                    cancel.run();
                } catch (RuntimeException e) {
                    log.error("Cancelling request {} of a closed connection failed", correlationId, e);
                }
            }
        }

        private void completeOnLoop(ApiMessage answer) {
            if (done) {
                throw new IllegalStateException("request " + correlationId + " answered twice");
            }
            response = answer;
            done = true;
            onClose = null;
            writeReadyResponses();
        }
    }
}
