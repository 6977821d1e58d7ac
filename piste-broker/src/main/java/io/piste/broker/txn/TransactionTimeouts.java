package io.piste.broker.txn;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's periodic scans: transactions past {@code transaction.timeout.ms} are aborted (at a bumped epoch,
 * which fences their producer), and ids idle for {@code transactional.id.expiration.ms} are forgotten.
 */
final class TransactionTimeouts {

    private static final Logger log = LoggerFactory.getLogger(TransactionTimeouts.class);

    private final TransactionCoordinator coordinator;
    private final TransactionConfig config;
    private final LongSupplier clockMs;

    TransactionTimeouts(TransactionCoordinator coordinator, TransactionConfig config, LongSupplier clockMs) {
        this.coordinator = coordinator;
        this.config = config;
        this.clockMs = clockMs;
    }

    void abortTimedOut() {
        try {
            for (TransactionMetadata metadata : coordinator.all()) {
                // checks, under the id's monitor, that the transaction is still ongoing and past its timeout
                coordinator.abortOnTimeout(metadata);
            }
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: log and keep the schedule
            log.error("The scan for timed-out transactions failed", e);
        }
    }

    void expireIdle() {
        try {
            long idleSince = clockMs.getAsLong() - config.idExpirationMs();
            for (TransactionMetadata metadata : coordinator.all()) {
                coordinator.expire(metadata, idleSince);
            }
        } catch (RuntimeException e) {
            log.error("The scan for expired transactional ids failed", e);
        }
    }
}
