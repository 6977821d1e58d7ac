package io.piste.broker.interbroker;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that sends requests to other brokers and waits for their answers, with its own connections
 * ({@link InterBrokerClient}, opened at the first request: a single node never opens one). Tasks run in the order
 * they were given, so what one caller asks reaches each broker in that order. A send blocks for up to the request
 * timeout: never on an event loop.
 */
final class RequestThread implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RequestThread.class);

    /** As Kafka's {@code request.timeout.ms} for the requests between brokers. */
    static final int REQUEST_TIMEOUT_MS = 30_000;

    private final int nodeId;
    private final String listenerName;
    private final String name;
    private final ExecutorService thread;
    /** Made at the first send, on the thread. */
    private InterBrokerClient client;

    /** @param listenerName the listener other brokers are reached on (this node's own) */
    RequestThread(int nodeId, String listenerName, String name) {
        this.nodeId = nodeId;
        this.listenerName = listenerName;
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** A task, and what to do instead if the thread stops before it runs. */
    private record Task(Runnable work, Runnable stopped) implements Runnable {
        @Override
        public void run() {
            try {
                work.run();
            } catch (RuntimeException e) {
                // a task that failed must not take the thread, or the answers of the tasks behind it, along
                LOG.error("A request to another broker failed unexpectedly", e);
            }
        }
    }

    /**
     * Runs {@code task} on the thread, after those given before; {@code stopped} instead if the thread is closed
     * before it runs, so that whoever waits for the task's answer gets one.
     */
    void execute(Runnable task, Runnable stopped) {
        try {
            thread.execute(new Task(task, stopped));
        } catch (RejectedExecutionException closed) {
            stopped.run();
        }
    }

    /** Sends and waits for the answer; only from a task of this thread. */
    AbstractResponse send(Node destination, AbstractRequest.Builder<?> request) throws IOException {
        if (client == null) {
            client = new InterBrokerClient(nodeId, listenerName, REQUEST_TIMEOUT_MS);
        }
        return client.send(destination, request);
    }

    /** Every one of {@code partitions} with {@code error}. */
    static Map<TopicPartition, Errors> all(Set<TopicPartition> partitions, Errors error) {
        Map<TopicPartition, Errors> result = new HashMap<>();
        partitions.forEach(tp -> result.put(tp, error));
        return result;
    }

    /**
     * Stops the thread: tasks not started get their {@code stopped} answer, a send under way is waited for up to its
     * timeout.
     */
    @Override
    public void close() {
        List<Runnable> dropped = thread.shutdownNow();
        if (!dropped.isEmpty()) {
            LOG.info("{}: {} requests to other brokers dropped at shutdown", name, dropped.size());
        }
        for (Runnable task : dropped) {
            ((Task) task).stopped().run();
        }
        try {
            if (!thread.awaitTermination(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("{} did not stop within {} ms", name, REQUEST_TIMEOUT_MS);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (client != null) {
            client.close();
        }
    }
}
