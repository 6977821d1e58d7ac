package io.piste.broker.handler;

import io.piste.broker.fetchsession.FetchContext;
import io.piste.broker.partition.FetchIsolation;
import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.RequestContext;
import io.piste.storage.log.LogOffsetMetadata;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.message.FetchResponseData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fetch parked until its partitions hold {@code min.bytes} below their high watermarks, or until
 * {@code max.wait.ms} passes. Every check and the answer run on the connection's event loop.
 *
 * <p>A check decides from offsets, as Kafka's {@code DelayedFetch.tryComplete}, and reads nothing: each partition's
 * fetch offset and high watermark carry their place in the log (segment and byte position), so the bytes between
 * them are a subtraction. It answers once they reach {@code min.bytes} (each partition counting at most its
 * {@code partition_max_bytes}), or at once when a partition was deleted, its fetch offset is no longer in the log,
 * or the fetch offset is on an older segment than the high watermark (the log rolled: what is below the bound is
 * not one contiguous slice). Only the answer reads the records; where a place is unknown, the check reads and
 * answers if the read found {@code min.bytes}, as before.
 *
 * <p>Only the read that is answered goes through the {@link FetchContext}, so the fetch session (created, or told
 * what was reported) reflects exactly the response sent. If the session was closed or evicted meanwhile, the answer
 * is still sent and the client's next incremental fetch learns it ({@code FETCH_SESSION_ID_NOT_FOUND}); if another
 * request advanced it, the answer is {@code INVALID_FETCH_SESSION_EPOCH}.
 *
 * <p>It holds a place in the {@link FetchPurgatory} from {@link #start} until it is answered, expires, or its
 * connection closes; then its waiters leave every partition and its timer is cancelled, so nothing of it remains. A
 * fetch whose connection closed before {@link #start} never parks.
 */
final class DelayedFetch {

    private static final Logger log = LoggerFactory.getLogger(DelayedFetch.class);

    /** What a check of the offsets concludes. */
    private enum Decision {
        WAIT,
        ANSWER,
        READ_TO_DECIDE
    }

    private final RequestContext context;
    private final FetchPurgatory purgatory;
    private final FetchContext fetchContext;
    private final Supplier<FetchReader.Result> reader;
    private final List<FetchTarget> targets;
    /** Each target's fetch offset with its place in the log, looked up at the first check. */
    private final LogOffsetMetadata[] fetchOffsets;

    private final int minBytes;
    private final int maxWaitMs;
    private final FetchIsolation isolation;
    private final Runnable onData = this::scheduleCheck;
    private ScheduledFuture<?> timeout;
    private boolean completed;

    /**
     * @param reader reads the response (in the broker, {@link FetchReader#read}); called only to answer, or to
     *     decide when a partition's place in the log is unknown
     * @param targets the partitions, none with an error (a fetch with one is answered at once)
     * @param isolation what the fetch may read: a read_committed fetch waits for the last stable offset
     */
    DelayedFetch(
            RequestContext context,
            FetchPurgatory purgatory,
            FetchContext fetchContext,
            Supplier<FetchReader.Result> reader,
            List<FetchTarget> targets,
            int minBytes,
            int maxWaitMs,
            FetchIsolation isolation) {
        this.isolation = isolation;
        this.context = context;
        this.purgatory = purgatory;
        this.fetchContext = fetchContext;
        this.reader = reader;
        this.targets = targets;
        this.fetchOffsets = new LogOffsetMetadata[targets.size()];
        this.minBytes = minBytes;
        this.maxWaitMs = maxWaitMs;
    }

    /**
     * Called on the event loop that read the request, with a place taken in the purgatory. Returns false if one of
     * the partitions has as many parked fetches as the purgatory allows: then the place is given back, nothing of
     * this fetch remains, and the caller answers it at once.
     */
    boolean start() {
        context.onConnectionClosed(this::cancel);
        if (completed) {
            // The connection had closed already: the hook ran at once and gave the place back. Park nothing.
            return true;
        }
        for (FetchTarget target : targets) {
            if (!purgatory.tryWatch(target.partition(), onData)) {
                leave();
                return false;
            }
        }
        timeout = context.eventLoop().schedule(this::expire, maxWaitMs, TimeUnit.MILLISECONDS);
        // Data may have arrived between the first read and the registration above.
        check();
        return true;
    }

    /** Runs on whichever thread advanced a high watermark. */
    private void scheduleCheck() {
        try {
            context.eventLoop().execute(this::check);
        } catch (RejectedExecutionException e) {
            // The broker is stopping and its event loops are gone, with the connection this fetch would answer; the
            // thread advancing the high watermark (the final flush) must go on with its other waiters.
        }
    }

    private void check() {
        answerIfReady(false);
    }

    private void expire() {
        answerIfReady(true);
    }

    /**
     * Answers if the offsets show {@code min.bytes}, a partition changed under the fetch, or the time is up.
     * Whatever the check, the read or the session update throws, the fetch leaves the purgatory and is answered
     * (with an error), so that neither its place nor the answers queued behind it on the connection are lost.
     */
    private void answerIfReady(boolean expired) {
        if (completed) {
            return;
        }
        FetchResponseData response;
        try {
            Decision decision = expired ? Decision.ANSWER : decide();
            if (decision == Decision.WAIT) {
                return;
            }
            FetchReader.Result result = reader.get();
            if (decision == Decision.READ_TO_DECIDE && result.bytes() < minBytes && !result.hasError()) {
                return;
            }
            response = fetchContext.updateAndGenerateResponse(result.response());
            result.countBytesOut();
        } catch (RuntimeException e) {
            leave();
            log.error("{} failed while parked", context, e);
            context.respondWithError(e);
            return;
        }
        leave();
        context.respond(response);
    }

    /** Kafka's DelayedFetch.tryComplete, from the offsets and their places in the log; reads no record. */
    private Decision decide() {
        long bytes = 0;
        boolean unknown = false;
        for (int i = 0; i < fetchOffsets.length; i++) {
            FetchTarget target = targets.get(i);
            Partition partition = target.partition();
            if (partition.isDeleted() || partition.isOffline()) {
                // the read answers UNKNOWN_TOPIC_OR_PARTITION or KAFKA_STORAGE_ERROR
                return Decision.ANSWER;
            }
            if (target.highWatermarkNews()) {
                return Decision.ANSWER; // a follower learns the leader's high watermark now, not at max.wait.ms
            }
            LogOffsetMetadata bound = partition.fetchBoundMetadata(isolation);
            LogOffsetMetadata start = fetchOffsets[i];
            if (start == null) {
                try {
                    start = partition.fetchOffsetMetadata(target.fetchOffset());
                } catch (IOException | RuntimeException e) {
                    // Out of range (OffsetOutOfRangeException) or unreadable: the read answers with the error.
                    return Decision.ANSWER;
                }
                fetchOffsets[i] = start;
            }
            if (start.messageOffset() >= bound.messageOffset()) {
                // Nothing new below the bound yet. A fetch offset above the high watermark (durable acks: written,
                // not yet flushed) waits for it; a single node never truncates its log below the high watermark.
                continue;
            }
            if (start.messageOffsetOnly() || bound.messageOffsetOnly()) {
                unknown = true;
                continue;
            }
            if (start.onOlderSegment(bound)) {
                // The fetch offset's segment is complete below the bound, or the log rolled since it was looked up.
                return Decision.ANSWER;
            }
            bytes += Math.min(bound.positionDiff(start), target.partitionMaxBytes());
        }
        if (bytes >= minBytes) {
            return Decision.ANSWER;
        }
        return unknown ? Decision.READ_TO_DECIDE : Decision.WAIT;
    }

    /** The connection closed: no one is left to answer. */
    private void cancel() {
        if (!completed) {
            leave();
        }
    }

    private void leave() {
        completed = true;
        for (FetchTarget target : targets) {
            target.partition().dataWaiters().remove(onData);
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        purgatory.release();
    }
}
