package io.piste.broker.handler;

import io.piste.broker.protocol.RequestContext;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A fetch parked until its partitions hold {@code min.bytes} below their high watermarks, or until
 * {@code max.wait.ms} passes. Every check and the answer run on the connection's event loop.
 */
final class DelayedFetch {

    private final RequestContext context;
    private final FetchReader reader;
    private final List<FetchTarget> targets;
    private final int minBytes;
    private final int maxWaitMs;
    private final Runnable onData = this::scheduleCheck;
    private ScheduledFuture<?> timeout;
    private boolean completed;

    DelayedFetch(RequestContext context, FetchReader reader, List<FetchTarget> targets, int minBytes, int maxWaitMs) {
        this.context = context;
        this.reader = reader;
        this.targets = targets;
        this.minBytes = minBytes;
        this.maxWaitMs = maxWaitMs;
    }

    /** Called on the event loop that read the request. */
    void start() {
        for (FetchTarget target : targets) {
            target.partition().addDataWaiter(onData);
        }
        timeout = context.eventLoop().schedule(this::expire, maxWaitMs, TimeUnit.MILLISECONDS);
        // Data may have arrived between the first read and the registration above.
        check();
    }

    /** Runs on whichever thread advanced a high watermark. */
    private void scheduleCheck() {
        context.eventLoop().execute(this::check);
    }

    private void check() {
        if (completed) {
            return;
        }
        FetchReader.Result result = reader.read();
        if (result.bytes() >= minBytes || result.hasError()) {
            complete(result);
        }
    }

    private void expire() {
        if (!completed) {
            complete(reader.read());
        }
    }

    private void complete(FetchReader.Result result) {
        completed = true;
        for (FetchTarget target : targets) {
            target.partition().removeDataWaiter(onData);
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        context.respond(result.response());
    }
}
