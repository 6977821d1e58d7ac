package io.piste.broker.handler;

import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.BrokerNotAvailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the requests that make a metadata change (create or delete topics, configs, producer ids, the internal topics
 * a FindCoordinator creates) off the event loops: a change waits for the controller (an fsync of the single node's
 * metadata log, or a commit of the cluster's quorum, up to twice {@code controller.quorum.request.timeout.ms}), and
 * an event loop waiting for it would hold up every produce and fetch of its connections. Answers still go out in
 * each connection's order. None of these requests holds a zero-copy field, so nothing is copied.
 */
final class ControllerRequests implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControllerRequests.class);
    private static final int THREADS = 2;

    private final ExecutorService threads;

    ControllerRequests() {
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "piste-controller-requests-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** {@code handler} run on these threads; a failure is answered with the request's own error response. */
    RequestHandler offloaded(RequestHandler handler) {
        return context -> {
            try {
                threads.execute(() -> handle(handler, context));
            } catch (RejectedExecutionException stopping) {
                context.respondWithError(new BrokerNotAvailableException("The broker is shutting down"));
            }
        };
    }

    private static void handle(RequestHandler handler, RequestContext context) {
        try {
            handler.handle(context);
        } catch (RuntimeException e) {
            LOG.error("{} failed", context, e);
            context.respondWithError(e);
        }
    }

    /** After the listener stopped: lets the changes under way finish (each is bounded by the controller). */
    @Override
    public void close() {
        threads.shutdown();
        try {
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
