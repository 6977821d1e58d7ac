package io.piste.broker.partition;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the opens of logs at start-up, or their closes at shutdown, on {@code num.recovery.threads.per.data.dir}
 * threads per log dir, as Kafka does: after a crash each log recovers its tail, and at a clean stop each flushes and
 * writes its snapshot; those waits on the disk run side by side.
 */
final class LogDirThreads {

    private LogDirThreads() {}

    /**
     * Runs every task on {@code threads} threads named {@code name-N}, waits for all of them, then throws the first
     * failure (an {@link IOException} as it is, anything else wrapped in one).
     */
    static void runAll(int threads, String name, List<? extends Callable<?>> tasks) throws IOException {
        if (tasks.isEmpty()) {
            return;
        }
        AtomicInteger threadCount = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, tasks.size())), r -> {
            Thread t = new Thread(r, name + "-" + threadCount.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Callable<?> task : tasks) {
                running.add(pool.submit(task));
            }
            IOException failure = null;
            for (Future<?> future : running) {
                try {
                    future.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while " + name + " ran");
                } catch (ExecutionException e) {
                    IOException cause = e.getCause() instanceof IOException io
                            ? io
                            : new IOException(name + " failed: " + e.getCause(), e.getCause());
                    failure = failure == null ? cause : failure;
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            pool.shutdown();
        }
    }
}
