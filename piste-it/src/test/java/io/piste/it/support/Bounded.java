package io.piste.it.support;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Puts a deadline on work that has none of its own: a call that may hang runs on a daemon thread and is
 * abandoned (with an {@link AssertionError} naming it) when its time is up, and polling loops stop at a deadline.
 */
public final class Bounded {
    private Bounded() {}

    /** A task that may throw. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    public static void run(final String what, final Duration timeout, final Task task) {
        call(what, timeout, () -> {
            task.run();
            return null;
        });
    }

    public static <T> T call(final String what, final Duration timeout, final Callable<T> callable) {
        final FutureTask<T> future = new FutureTask<>(callable);
        final Thread thread = new Thread(future, "bounded: " + what);
        thread.setDaemon(true);
        thread.start();
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (final TimeoutException e) {
            thread.interrupt();
            final AssertionError error = new AssertionError(what + " did not finish within " + timeout);
            final Throwable where = new Throwable("stack of the hung thread");
            where.setStackTrace(thread.getStackTrace());
            error.addSuppressed(where);
            throw error;
        } catch (final ExecutionException e) {
            final Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new AssertionError(what + " failed: " + cause, cause);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what + " interrupted", e);
        }
    }

    /**
     * Polls {@code condition} every {@code interval} until it holds or {@code timeout} passes.
     *
     * @return whether the condition held before the deadline
     */
    public static boolean waitFor(final Duration timeout, final Duration interval, final BooleanSupplier condition) {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadlineNs >= 0) {
                return false;
            }
            sleep(interval);
        }
    }

    public static void sleep(final Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A point in time to stop a loop at. */
    public static final class Deadline {
        private final long deadlineNs;
        private final Duration timeout;

        private Deadline(final Duration timeout) {
            this.timeout = timeout;
            this.deadlineNs = System.nanoTime() + timeout.toNanos();
        }

        public static Deadline in(final Duration timeout) {
            return new Deadline(timeout);
        }

        public boolean passed() {
            return System.nanoTime() - deadlineNs >= 0;
        }

        public Duration remaining() {
            return Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime()));
        }

        public Duration timeout() {
            return timeout;
        }
    }
}
