package io.piste.broker.group;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a call on another thread and tells whether it finished in time: called from a response callback with a call
 * that takes a coordinator's lock, it shows whether the callback runs under that lock. Close it after the test.
 */
public final class OtherThreadProbe implements AutoCloseable {

    /** Long enough for an uncontended lock on a loaded machine; only a lock held by the caller makes it wait this long. */
    private static final long WAIT_MS = 5_000;

    private final ExecutorService other = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "other-thread-probe");
        t.setDaemon(true);
        return t;
    });

    /** Whether {@code call}, run on another thread, returns within {@value #WAIT_MS} ms (it may finish later). */
    public boolean getsIn(Callable<?> call) {
        Future<?> done = other.submit(call);
        try {
            done.get(WAIT_MS, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        other.shutdownNow();
    }
}
