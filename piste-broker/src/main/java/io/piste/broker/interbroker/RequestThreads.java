package io.piste.broker.interbroker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link RequestThread} per destination broker, each with its own connection, made at the first request to that
 * broker: a broker that does not answer (paused, cut off, not fenced yet) holds up only the requests to it, for up to
 * the request timeout, never those to the others, as Kafka's inter-broker senders queue per destination. What one
 * caller asks of one broker still reaches it in order. Thread-safe.
 */
final class RequestThreads implements AutoCloseable {

    private final int nodeId;
    private final String listenerName;
    private final String name;
    private final Map<Integer, RequestThread> threads = new ConcurrentHashMap<>();
    private boolean closed;

    /** Threads are named {@code name-to-<destination id>}. */
    RequestThreads(int nodeId, String listenerName, String name) {
        this.nodeId = nodeId;
        this.listenerName = listenerName;
        this.name = name;
    }

    /** The thread of requests to broker {@code destination}; after {@link #close}, one already closed. */
    synchronized RequestThread to(int destination) {
        RequestThread thread = threads.get(destination);
        if (thread == null) {
            thread = new RequestThread(nodeId, listenerName, name + "-to-" + destination);
            if (closed) {
                thread.close(); // its tasks get their "stopped" answer
                return thread;
            }
            threads.put(destination, thread);
        }
        return thread;
    }

    /** Closes every destination's thread (see {@link RequestThread#close}). */
    @Override
    public void close() {
        List<RequestThread> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(threads.values());
        }
        all.forEach(RequestThread::close);
    }
}
