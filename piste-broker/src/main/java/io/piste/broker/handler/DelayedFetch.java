package io.piste.broker.handler;

import io.piste.broker.fetchsession.FetchContext;
import io.piste.broker.protocol.RequestContext;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FetchResponseData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fetch parked until its partitions hold {@code min.bytes} below their high watermarks, or until
 * {@code max.wait.ms} passes. Every check and the answer run on the connection's event loop.
 *
 * <p>Each check reads again; only the read that is answered goes through the {@link FetchContext}, so the fetch
 * session (created, or told what was reported) reflects exactly the response sent. If the session was closed or
 * evicted meanwhile, the answer is still sent and the client's next incremental fetch learns it
 * ({@code FETCH_SESSION_ID_NOT_FOUND}); if another request advanced it, the answer is
 * {@code INVALID_FETCH_SESSION_EPOCH}.
 *
 * <p>It holds a place in the {@link FetchPurgatory} from {@link #start} until it is answered, expires, or its
 * connection closes; then its waiters leave every partition and its timer is cancelled, so nothing of it remains. A
 * fetch whose connection closed before {@link #start} never parks.
 */
final class DelayedFetch {

    private static final Logger log = LoggerFactory.getLogger(DelayedFetch.class);

    private final RequestContext context;
    private final FetchPurgatory purgatory;
    private final FetchContext fetchContext;
    private final FetchReader reader;
    private final List<FetchTarget> targets;
    private final int minBytes;
    private final int maxWaitMs;
    private final Runnable onData = this::scheduleCheck;
    private ScheduledFuture<?> timeout;
    private boolean completed;

    DelayedFetch(RequestContext context, FetchPurgatory purgatory, FetchContext fetchContext, FetchReader reader,
                 List<FetchTarget> targets, int minBytes, int maxWaitMs) {
        this.context = context;
        this.purgatory = purgatory;
        this.fetchContext = fetchContext;
        this.reader = reader;
        this.targets = targets;
        this.minBytes = minBytes;
        this.maxWaitMs = maxWaitMs;
    }

    /** Called on the event loop that read the request, with a place taken in the purgatory. */
    void start() {
        context.onConnectionClosed(this::cancel);
        if (completed) {
            // The connection had closed already: the hook ran at once and gave the place back. Park nothing.
            return;
        }
        for (FetchTarget target : targets) {
            target.partition().addDataWaiter(onData);
        }
        timeout = context.eventLoop().schedule(this::expire, maxWaitMs, TimeUnit.MILLISECONDS);
        // Data may have arrived between the first read and the registration above.
        check();
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
     * Reads, and answers if {@code min.bytes} are there, a partition failed or the time is up. Whatever the read or
     * the session update throws, the fetch leaves the purgatory and is answered (with an error), so that neither its
     * place nor the answers queued behind it on the connection are lost.
     */
    private void answerIfReady(boolean expired) {
        if (completed) {
            return;
        }
        FetchResponseData response;
        try {
            FetchReader.Result result = reader.read();
            if (!expired && result.bytes() < minBytes && !result.hasError()) {
                return;
            }
            response = fetchContext.updateAndGenerateResponse(result.response());
        } catch (RuntimeException e) {
            leave();
            log.error("{} failed while parked", context, e);
            context.respondWithError(e);
            return;
        }
        leave();
        context.respond(response);
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
            target.partition().removeDataWaiter(onData);
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        purgatory.release();
    }
}
