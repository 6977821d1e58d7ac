package io.piste.cluster.quorum;

import io.piste.broker.metadata.MetadataImage;

/**
 * A node's image of the metadata log, as far as the node has applied it: a voter's own state machine, or a
 * broker-only node's copy fetched from the voters.
 */
interface AppliedImage {

    MetadataImage image();

    /** Waits until this node has applied the log up to {@code index}; false if it has not within the timeout. */
    boolean awaitApplied(long index, long timeoutMs) throws InterruptedException;
}
