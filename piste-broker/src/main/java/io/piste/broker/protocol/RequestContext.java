package io.piste.broker.protocol;

import io.netty.channel.EventLoop;
import java.net.SocketAddress;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One decoded request and the way back to its connection.
 *
 * <p>A handler answers exactly once, with {@link #respond} or {@link #noResponse}, from any thread; the
 * connection writes responses in request order.
 */
public final class RequestContext {

    /** Where a request's answer goes; implemented by the connection. */
    public interface ResponseSlot {
        void complete(ApiMessage response);

        /**
         * Runs {@code cancel} on the connection's event loop if the connection closes before the answer (at once if
         * it is closed already). Call on that event loop. A slot without a connection (tests) never closes.
         */
        default void onConnectionClosed(Runnable cancel) {}

        /**
         * Stops reading further requests from the connection for {@code millis} (answers are still written), as
         * Kafka mutes a throttled channel. Call on the connection's event loop. A slot without a connection ignores
         * it.
         */
        default void muteFor(long millis) {}

        /** Answers nothing and closes the connection (Kafka's answer to an acks=0 produce that failed). */
        default void completeAndClose() {
            complete(null);
        }
    }

    private final RequestHeader header;
    private final AbstractRequest request;
    private final SocketAddress clientAddress;
    private final EventLoop eventLoop;
    private final ResponseSlot slot;
    private final RequestObserver observer;
    private final long receivedNanos;

    public RequestContext(
            RequestHeader header,
            AbstractRequest request,
            SocketAddress clientAddress,
            EventLoop eventLoop,
            ResponseSlot slot) {
        this(header, request, clientAddress, eventLoop, slot, RequestObserver.NONE);
    }

    /** With {@code observer} told of the answer (metrics); the request's time starts now. */
    public RequestContext(
            RequestHeader header,
            AbstractRequest request,
            SocketAddress clientAddress,
            EventLoop eventLoop,
            ResponseSlot slot,
            RequestObserver observer) {
        this.header = header;
        this.request = request;
        this.clientAddress = clientAddress;
        this.eventLoop = eventLoop;
        this.slot = slot;
        this.observer = observer;
        this.receivedNanos = observer == RequestObserver.NONE ? 0 : System.nanoTime();
    }

    private void observe(ApiMessage response) {
        if (observer != RequestObserver.NONE) {
            observer.onAnswered(header.apiKey(), header.apiVersion(), response, System.nanoTime() - receivedNanos);
        }
    }

    public ApiKeys apiKey() {
        return header.apiKey();
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    public RequestHeader header() {
        return header;
    }

    public AbstractRequest request() {
        return request;
    }

    @SuppressWarnings("unchecked")
    public <T extends ApiMessage> T data() {
        return (T) request.data();
    }

    public String clientId() {
        return header.clientId();
    }

    public SocketAddress clientAddress() {
        return clientAddress;
    }

    /** The connection's event loop: timers for this request run here. */
    public EventLoop eventLoop() {
        return eventLoop;
    }

    public void respond(ApiMessage response) {
        observe(response);
        slot.complete(response);
    }

    /**
     * For a request answered later (a parked fetch): {@code cancel} runs on the event loop if the connection closes
     * first, so that the request lets go of what it holds at once rather than at its timeout. At most one per request;
     * call on the event loop.
     */
    public void onConnectionClosed(Runnable cancel) {
        slot.onConnectionClosed(cancel);
    }

    /**
     * Stops reading this client's next requests for {@code millis}: a throttle time in the answer binds only
     * KIP-219 clients, a muted connection binds them all. Call on the event loop.
     */
    public void muteConnectionFor(long millis) {
        slot.muteFor(millis);
    }

    /**
     * No answer, and the connection is closed: how Kafka tells an acks=0 producer that a partition failed, so that it
     * refreshes its metadata.
     */
    public void noResponseAndClose() {
        observe(null);
        slot.completeAndClose();
    }

    /** For requests that get no answer on the wire (produce with acks=0). */
    public void noResponse() {
        observe(null);
        slot.complete(null);
    }

    /** Answers with the request type's own error response for {@code error}. */
    public void respondWithError(Throwable error) {
        ApiMessage response = request.getErrorResponse(0, error).data();
        observe(response);
        slot.complete(response);
    }

    @Override
    public String toString() {
        return header.apiKey() + " v" + header.apiVersion() + " from " + clientAddress + " (client " + clientId()
                + ", correlation " + header.correlationId() + ")";
    }
}
