package io.piste.broker.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Flushes the logs of a round's partitions side by side, each with fsyncs of its own files, and tells each
 * partition on the calling (flusher) thread, in the round's order. A device serves queued flushes together: 16
 * threads made 200 files durable in 0.08 of the time of one thread (bench/group-commit), and, unlike syncfs, never
 * wait for data the broker did not write. A failed fsync takes only its own partition offline, as before.
 */
final class FsyncPool implements AutoCloseable {
    static final int THREADS = 16;

    private final ExecutorService pool;

    FsyncPool() {
        AtomicInteger count = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "piste-log-fsync-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Flushes every partition's log, then calls its onFlushed or onFlushFailed. */
    void flush(List<Partition> partitions) {
        if (partitions.size() == 1) {
            Partition only = partitions.get(0);
            complete(only, flushLog(only));
            return;
        }
        List<Future<Exception>> results = new ArrayList<>(partitions.size());
        for (Partition partition : partitions) {
            results.add(pool.submit(() -> flushLog(partition)));
        }
        for (int i = 0; i < partitions.size(); i++) {
            complete(partitions.get(i), await(results.get(i)));
        }
    }

    private static Exception flushLog(Partition partition) {
        try {
            partition.log().flush();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    private static Exception await(Future<Exception> result) {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // Unknown whether the fsync finished: not durable as far as anyone may be told.
            return new IllegalStateException("interrupted while waiting for an fsync", e);
        } catch (ExecutionException e) {
            return e;
        }
    }

    private static void complete(Partition partition, Exception failure) {
        if (failure != null) {
            partition.onFlushFailed(failure);
        } else {
            // An exception from an ack callback is not a failed fsync (onFlushed logs those).
            partition.onFlushed();
        }
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
