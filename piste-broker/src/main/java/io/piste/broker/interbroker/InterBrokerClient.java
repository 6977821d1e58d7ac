package io.piste.broker.interbroker;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.BootstrapConfiguration;
import org.apache.kafka.clients.ClientRequest;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.ManualMetadataUpdater;
import org.apache.kafka.clients.MetadataRecoveryStrategy;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.network.PlaintextChannelBuilder;
import org.apache.kafka.common.network.Selector;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.LogContext;

/**
 * Blocking requests to other brokers over kafka-clients' {@link NetworkClient}, the client Kafka's brokers use
 * between them: connections by node id, API versions negotiated with each, a request timeout. One request at a time
 * (the network client is not thread-safe); callers keep it off the event loops. PLAINTEXT, as Piste's listener.
 */
public final class InterBrokerClient implements AutoCloseable {

    private static final long RECONNECT_BACKOFF_MS = 50;
    private static final long RECONNECT_BACKOFF_MAX_MS = 1000;
    private static final long CONNECTIONS_MAX_IDLE_MS = 9 * 60 * 1000L;
    /** How long one poll waits before the thread looks whether it was asked to stop. */
    private static final long POLL_MS = 100;

    private final Metrics metrics = new Metrics();
    private final NetworkClient client;
    private final Time time = Time.SYSTEM;
    private final int requestTimeoutMs;

    /**
     * @param nodeId this node, named in the client id the other brokers log
     * @param listenerName the listener the other brokers are reached on (this node's own)
     */
    public InterBrokerClient(int nodeId, String listenerName, int requestTimeoutMs) {
        this.requestTimeoutMs = requestTimeoutMs;
        LogContext logContext = new LogContext("[broker " + nodeId + " to brokers] ");
        PlaintextChannelBuilder channels = new PlaintextChannelBuilder(ListenerName.normalised(listenerName));
        channels.configure(Map.of());
        Selector selector =
                new Selector(CONNECTIONS_MAX_IDLE_MS, metrics, time, "piste-inter-broker", channels, logContext);
        this.client = new NetworkClient(
                selector,
                new ManualMetadataUpdater(),
                "piste-broker-" + nodeId,
                1,
                RECONNECT_BACKOFF_MS,
                RECONNECT_BACKOFF_MAX_MS,
                -1, // the operating system sizes the socket buffers, as for Piste's listener
                -1,
                requestTimeoutMs,
                requestTimeoutMs,
                requestTimeoutMs,
                time,
                true,
                new ApiVersions(),
                logContext,
                MetadataRecoveryStrategy.NONE,
                BootstrapConfiguration.DISABLED,
                false);
    }

    /**
     * Sends {@code request} to {@code destination} and waits for its answer, at most the request timeout for the
     * connection and as much for the answer; an interrupt (the sender stopping) ends the wait.
     *
     * @throws IOException if the broker could not be reached, hung up, or answered nothing in time
     */
    public AbstractResponse send(Node destination, AbstractRequest.Builder<?> request) throws IOException {
        return send(destination, request, () -> Thread.currentThread().isInterrupted());
    }

    /**
     * As {@link #send(Node, AbstractRequest.Builder)}, but the wait ends when {@code stopping} turns true (checked
     * every {@value #POLL_MS} ms), for a caller that must not be interrupted: an interrupt closes any file channel
     * the thread touches next, which takes a log offline.
     *
     * @throws InterruptedIOException once {@code stopping} holds
     */
    public AbstractResponse send(Node destination, AbstractRequest.Builder<?> request, BooleanSupplier stopping)
            throws IOException {
        return sendForAnswer(destination, request, stopping).body();
    }

    /** An answer and the version of the request it answers (what a fetch session's handler reads it by). */
    public record Answer(AbstractResponse body, short version) {}

    /** As {@link #send(Node, AbstractRequest.Builder, BooleanSupplier)}, with the version the request went in. */
    public synchronized Answer sendForAnswer(
            Node destination, AbstractRequest.Builder<?> request, BooleanSupplier stopping) throws IOException {
        if (!awaitReady(destination, stopping)) {
            throw new IOException("Could not connect to broker " + destination + " within " + requestTimeoutMs + " ms");
        }
        ClientRequest sent = client.newClientRequest(destination.idString(), request, time.milliseconds(), true);
        client.send(sent, time.milliseconds());
        while (true) {
            // The client times the request out itself (then answers it as timed out): no deadline of our own.
            for (ClientResponse answer : client.poll(POLL_MS, time.milliseconds())) {
                if (answer.requestHeader().correlationId() == sent.correlationId()) {
                    return new Answer(
                            bodyOf(answer, destination, request),
                            answer.requestHeader().apiVersion());
                }
            }
            throwIfStopping(destination, stopping);
        }
    }

    /** Connects to {@code node} if needed; false if that took longer than the request timeout. */
    private boolean awaitReady(Node node, BooleanSupplier stopping) throws IOException {
        long deadlineMs = time.milliseconds() + requestTimeoutMs;
        while (!client.ready(node, time.milliseconds())) {
            if (client.connectionFailed(node)) {
                throw new IOException("Connection to broker " + node + " failed");
            }
            throwIfStopping(node, stopping);
            long leftMs = deadlineMs - time.milliseconds();
            if (leftMs <= 0) {
                return false;
            }
            client.poll(Math.min(POLL_MS, leftMs), time.milliseconds());
        }
        return true;
    }

    private static void throwIfStopping(Node destination, BooleanSupplier stopping) throws InterruptedIOException {
        if (stopping.getAsBoolean()) {
            throw new InterruptedIOException("Stopped waiting for broker " + destination);
        }
    }

    private static AbstractResponse bodyOf(ClientResponse answer, Node destination, AbstractRequest.Builder<?> request)
            throws IOException {
        if (answer.versionMismatch() != null) {
            throw new IOException(
                    "Broker " + destination + " does not serve " + request.apiKey(), answer.versionMismatch());
        }
        if (answer.wasDisconnected() || answer.wasTimedOut() || !answer.hasResponse()) {
            throw new IOException("Broker " + destination + " gave no answer to " + request.apiKey());
        }
        return answer.responseBody();
    }

    @Override
    public synchronized void close() {
        client.close();
        metrics.close();
    }
}
