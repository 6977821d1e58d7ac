package io.piste.cluster.quorum;

import io.piste.broker.metadata.MetadataImage;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's metadata image as its one applying thread publishes it (a voter's Ratis apply thread, a broker-only
 * node's fetching thread), read from any thread; and the wait for an applied index that both kinds of node offer.
 */
final class PublishedImage {
    private static final Logger LOG = LoggerFactory.getLogger(PublishedImage.class);

    private final BiConsumer<MetadataImage, MetadataImage> onApplied;
    private volatile MetadataImage image = MetadataImage.EMPTY;

    /** {@code onApplied} hears each change as the images before and after it, once the new one is published. */
    PublishedImage(BiConsumer<MetadataImage, MetadataImage> onApplied) {
        this.onApplied = onApplied;
    }

    MetadataImage get() {
        return image;
    }

    /** Makes {@code next} the image, then tells the listener; what it throws is logged, never thrown. */
    void publish(MetadataImage next) {
        MetadataImage before = image;
        image = next;
        try {
            onApplied.accept(before, next);
        } catch (RuntimeException e) {
            LOG.error("A listener of the metadata image failed on an applied change", e);
        }
    }

    /**
     * Waits on {@code lock} (its holder notifies it whenever {@code applied} moves) until {@code applied} reaches
     * {@code index}; false if it has not within the timeout.
     */
    static boolean awaitIndex(Object lock, LongSupplier applied, long index, long timeoutMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        synchronized (lock) {
            while (applied.getAsLong() < index) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                lock.wait(left);
            }
            return true;
        }
    }
}
