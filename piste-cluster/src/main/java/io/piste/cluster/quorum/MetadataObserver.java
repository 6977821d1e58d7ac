package io.piste.cluster.quorum;

import io.piste.broker.metadata.MetadataChangeCheck;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.common.errors.ApiException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker-only node's copy of the metadata image (Kafka's observer): not a member of the Ratis group, it fetches
 * from the leader the changes applied after the last index it has ({@link MetadataFetch}, a long poll answered by the
 * leader's {@link ObserverFeed}), and applies them in order, or the whole image when it is too far behind. One
 * thread does the fetching and applying, on a Ratis client of its own, so that a held fetch never holds up the node's
 * proposals. A fetch is also the node's heartbeat: the leader fences a broker-only node whose fetches stop.
 */
final class MetadataObserver implements AppliedImage, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataObserver.class);

    /** As a Kafka broker's metadata fetch waits at most 500 ms on the controller. */
    static final long MAX_FETCH_WAIT_MS = 500;

    private static final long RETRY_SLEEP_MS = 100;
    private static final long WARN_EVERY_MS = 10_000;

    /** Asked for by a fetch whose index is below any a voter holds changes after: the whole image. */
    private static final long WHOLE_IMAGE = -2;

    private final QuorumSettings settings;
    private final PublishedImage image;
    private final long fetchWaitMs;
    private final Thread thread;
    private final Object appliedLock = new Object();
    private volatile RaftClient client;
    /** Under {@link #appliedLock}: the last log index applied here. */
    private long appliedIndex = -1;
    /** Set when a change did not apply here: this node's image is then replaced by the leader's whole one. */
    private boolean wantWholeImage;

    private volatile int leaderId = -1;
    private volatile boolean closed;

    private MetadataObserver(QuorumSettings settings, BiConsumer<MetadataImage, MetadataImage> onApplied) {
        this.settings = settings;
        this.image = new PublishedImage(onApplied);
        this.fetchWaitMs = fetchWaitMs(settings);
        this.client = MetadataQuorum.newClient(settings);
        this.thread = new Thread(this::run, "piste-metadata-fetcher");
        thread.setDaemon(true);
    }

    /** How long a voter may hold a fetch: at most half the client's request timeout, so that the reply is awaited. */
    static long fetchWaitMs(QuorumSettings settings) {
        return Math.min(MAX_FETCH_WAIT_MS, settings.requestTimeout().toMillis() / 2);
    }

    /**
     * Starts fetching; {@code onApplied} hears each change as the images before and after it, on the fetching thread.
     */
    static MetadataObserver start(QuorumSettings settings, BiConsumer<MetadataImage, MetadataImage> onApplied) {
        MetadataObserver observer = new MetadataObserver(settings, onApplied);
        observer.thread.start();
        return observer;
    }

    @Override
    public MetadataImage image() {
        return image.get();
    }

    /** The last log index applied here (-1 before the first fetch answered). */
    long appliedIndex() {
        synchronized (appliedLock) {
            return appliedIndex;
        }
    }

    /** The voter that answered the last fetch, the leader then; -1 before any answered. */
    int leaderId() {
        return leaderId;
    }

    @Override
    public boolean awaitApplied(long index, long timeoutMs) throws InterruptedException {
        return PublishedImage.awaitIndex(appliedLock, () -> appliedIndex, index, timeoutMs);
    }

    private void run() {
        long failingSince = -1;
        long lastWarn = 0;
        while (!closed) {
            try {
                fetchOnce();
                failingSince = -1;
            } catch (InterruptedException e) {
                return;
            } catch (IOException | ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
                if (closed) {
                    return;
                }
                long now = System.currentTimeMillis();
                failingSince = failingSince < 0 ? now : failingSince;
                if (now - lastWarn >= WARN_EVERY_MS) {
                    lastWarn = now;
                    LOG.warn(
                            "Broker-only node {} could not fetch metadata from the quorum for {} ms; it tries again: {}",
                            settings.nodeId(),
                            now - failingSince,
                            e.toString());
                }
                renewClientIfClosed(e);
                try {
                    Thread.sleep(RETRY_SLEEP_MS);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private void fetchOnce()
            throws IOException, InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        long known;
        synchronized (appliedLock) {
            known = wantWholeImage ? WHOLE_IMAGE : appliedIndex;
        }
        MetadataFetch.Request request = new MetadataFetch.Request(settings.nodeId(), known, (int) fetchWaitMs);
        RaftClientReply reply = client.async()
                .sendReadOnlyNonLinearizable(MetadataFetch.request(request))
                .get(fetchWaitMs + 2 * settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        if (!reply.isSuccess()) {
            throw new IOException("the quorum did not answer the metadata fetch", reply.getException());
        }
        leaderId = MetadataQuorum.nodeId(reply.getServerId());
        apply(MetadataFetch.parseReply(reply.getMessage()));
    }

    /** On the fetching thread: publishes each change, then moves the applied index and wakes who waits for it. */
    private void apply(MetadataFetch.Reply reply) {
        boolean failed = false;
        if (reply.wholeImage()) {
            image.publish(MetadataImage.EMPTY.applyAll(reply.changes().get(0)));
            LOG.info(
                    "Fetched the whole metadata image at index {}: {} topics",
                    reply.index(),
                    image.get().topics().size());
        } else {
            for (List<MetadataRecord> change : reply.changes()) {
                try {
                    image.publish(MetadataChangeCheck.apply(image.get(), change));
                } catch (ApiException | IllegalArgumentException e) {
                    // The voters applied it: this image differs from theirs. It is replaced by the leader's whole one.
                    LOG.error("A metadata change the quorum applied does not apply here; fetching the whole image", e);
                    failed = true;
                    break;
                }
            }
        }
        synchronized (appliedLock) {
            if (failed) {
                wantWholeImage = true;
            } else {
                appliedIndex = reply.wholeImage() ? reply.index() : Math.max(appliedIndex, reply.index());
                wantWholeImage = false;
                appliedLock.notifyAll();
            }
        }
    }

    /**
     * As {@link MetadataQuorum}'s: a client whose ordered stream Ratis closed for good is replaced; so is one whose
     * fetch was not answered in time, since the next fetch on its ordered stream would wait behind that one.
     */
    private void renewClientIfClosed(Throwable failure) {
        Throwable cause = failure instanceof ExecutionException ? failure.getCause() : failure;
        if (!MetadataQuorum.closesClient(cause) && !(cause instanceof java.util.concurrent.TimeoutException)) {
            return;
        }
        RaftClient used = client;
        client = MetadataQuorum.newClient(settings);
        try {
            used.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing the replaced metadata fetch client failed: {}", e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        thread.interrupt();
        try {
            thread.join(settings.requestTimeout().toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }
}
