package io.piste.cluster.controller;

import io.piste.broker.metadata.ImageChanges;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataListener;
import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells this node's {@link MetadataListener} of the metadata changes applied here, in order, on a thread of its own
 * ({@code piste-metadata-publisher}), so that applying a change never waits for the work it causes on this node.
 * Creating the logs of a topic of thousands of partitions takes seconds: done on the applying thread (Ratis' for a
 * voter), the node applied nothing else meanwhile and, on the quorum's leader, answered no proposal. Kafka's brokers
 * likewise create their logs after the image is published. The listener hears each applied change once, as the
 * images before and after it ({@link ImageChanges}); a change a new listener was told of when it was set
 * ({@link #setListener(MetadataListener, MetadataImage)}) is not told again.
 */
final class ChangePublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangePublisher.class);

    /** How long a close waits for the change being told (log work is not interrupted: that would fail its files). */
    private static final long CLOSE_WAIT_MS = 30_000;

    /** A change as applied, numbered in the order of the applying thread. */
    private record Applied(long sequence, MetadataImage before, MetadataImage after) {}

    private static final Applied STOP = new Applied(Long.MAX_VALUE, null, null);

    private final LinkedBlockingQueue<Applied> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    /** Written by the applying thread only. */
    private long appliedSequence;
    /** The newest change applied (null before any), for a listener set while others wait in the queue. */
    private volatile Applied latest;

    /** Held while telling: the listener, and what it was last told of. */
    private final Object lock = new Object();

    private MetadataListener listener;
    /** The image the listener was last told of (null before any) and that change's sequence. */
    private MetadataImage told;

    private long toldSequence;

    ChangePublisher(int nodeId) {
        thread = new Thread(this::run, "piste-metadata-publisher-" + nodeId);
        thread.setDaemon(true);
        thread.start();
    }

    /** On the applying thread, once {@code after} is published: queued for the listener, never waited for. */
    void applied(MetadataImage before, MetadataImage after) {
        Applied change = new Applied(++appliedSequence, before, after);
        latest = change;
        queue.add(change);
    }

    /** From the next change told on; the changes the previous listener was not told of yet are told to this one. */
    void setListener(MetadataListener listener) {
        synchronized (lock) {
            this.listener = listener;
        }
    }

    /**
     * Tells {@code listener} at once, on the caller's thread, what changed from {@code known} to the newest applied
     * image {@code now}, then makes it the listener for the changes after that one.
     */
    void setListener(MetadataListener listener, MetadataImage known, MetadataImage now) {
        synchronized (lock) {
            Applied newest = latest;
            MetadataImage upTo = newest == null ? now : newest.after();
            tell(listener, known, upTo);
            told = upTo;
            toldSequence = newest == null ? 0 : newest.sequence();
            this.listener = listener;
        }
    }

    private void run() {
        while (true) {
            Applied change;
            try {
                change = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (change == STOP) {
                return;
            }
            synchronized (lock) {
                if (change.sequence() <= toldSequence) {
                    continue; // told to a listener when it was set
                }
                if (listener != null) {
                    tell(listener, told == null ? change.before() : told, change.after());
                }
                told = change.after();
                toldSequence = change.sequence();
            }
        }
    }

    private static void tell(MetadataListener listener, MetadataImage before, MetadataImage after) {
        try {
            ImageChanges.tell(listener, before, after);
        } catch (IOException | RuntimeException e) {
            LOG.error("This node could not carry out an applied metadata change; the cluster keeps it", e);
        }
    }

    /** Stops telling: the change being told is finished (waited for up to 30 s), the ones queued after it dropped. */
    @Override
    public void close() {
        queue.clear();
        queue.add(STOP);
        try {
            thread.join(CLOSE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("The metadata publisher was still telling a change after {} ms; the node stops", CLOSE_WAIT_MS);
        }
    }
}
